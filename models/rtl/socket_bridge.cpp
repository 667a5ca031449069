#include "models/rtl/socket_bridge.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "models/rtl/vp_rtl_peer.h"
#include "models/rtl/vp_skt.h"

namespace vp::rtl {
namespace {

uint64_t to_ps(const sc_core::sc_time& t) { return uint64_t(t.to_seconds() * 1e12 + 0.5); }

vp_rtl_header header(uint8_t type, uint32_t id, uint32_t length, uint64_t addr, uint64_t time_ps) {
  vp_rtl_header h{};
  h.magic = VP_RTL_MAGIC;
  h.version = VP_RTL_VERSION;
  h.type = type;
  h.id = id;
  h.length = length;
  h.addr = addr;
  h.time_ps = time_ps;
  return h;
}

}  // namespace

SocketBridge::SocketBridge(const sc_core::sc_module_name& name, const SocketBridgeConfig& config)
    : Component(name), irq(config.irqs), config_(config) {
  socket.bind(*this);
  expose_target("", socket, config_.size);
  expose_irq_out_array("irq", irq);
  std::string listen = config_.address;
  if (listen.rfind("shm:", 0) == 0) {
    shm_ = true;
    listen = "unix:" + listen.substr(4);  // the rendezvous socket
  }
  if (listen.rfind("tcp:", 0) != 0) unix_path_ = listen.rfind("unix:", 0) == 0 ? listen.substr(5) : listen;
  char bound[300] = {};
  listen_fd_ = vp_skt_listen(listen.c_str(), bound, sizeof bound);
  if (listen_fd_ == VP_SKT_EADDR)
    throw std::runtime_error(std::string(this->name()) + ": bad address '" + config_.address + "'");
  if (listen_fd_ < 0)
    throw std::runtime_error(std::string(this->name()) + ": cannot listen on " + config_.address + ": " +
                             std::strerror(errno));
  address_ = shm_ ? "shm:" + unix_path_ : bound;
  SC_THREAD(run);
}

SocketBridge::~SocketBridge() {
  if (transport_) {
    const vp_rtl_header bye = header(VP_RTL_MSG_BYE, 0, 0, 0, 0);
    transport_->send(bye, nullptr, false);
    transport_.reset();
  }
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (!unix_path_.empty()) ::unlink(unix_path_.c_str());
}

bool SocketBridge::accept_peer() {
  if (transport_) return true;
  if (listen_fd_ < 0) return false;
  const int fd = vp_skt_accept(listen_fd_, int(config_.accept_timeout_s * 1000));
  if (fd < 0) return false;
  try {
    if (shm_) transport_ = std::make_unique<ShmTransport>(fd, config_.ring_size, config_.spin_us, config_.batch);
    else transport_ = std::make_unique<StreamTransport>(fd, config_.batch);
  } catch (const std::exception& e) {
    fail(e.what());
    return false;
  }
  return true;
}

void SocketBridge::fail(const std::string& what) {
  ++protocol_errors_;
  last_error_ = what;
  SC_REPORT_WARNING(name(), ("out-of-process RTL: " + what + "; connection dropped").c_str());
  transport_.reset();
}

bool SocketBridge::await(uint8_t type, uint32_t id, vp_rtl_header& h, uint8_t* data, uint32_t capacity) {
  for (;;) {
    const int rc = transport_->recv(h, data, capacity);
    if (rc) {
      fail(vp_rtl_strerror(rc));
      return false;
    }
    if (h.type == VP_RTL_MSG_IRQ) {
      if (h.id < irq.size()) irq[h.id].set(h.length != 0);
      continue;
    }
    if (h.type == VP_RTL_MSG_ERROR) {  // a posted write failed
      ++posted_errors_;
      continue;
    }
    if (h.type != type || h.id != id) {
      fail("unexpected message type " + std::to_string(h.type) + " id " + std::to_string(h.id));
      return false;
    }
    return true;
  }
}

tlm::tlm_response_status SocketBridge::request(tlm::tlm_generic_payload& gp, bool debug,
                                               sc_core::sc_time& delay) {
  const uint64_t addr = gp.get_address();
  const unsigned len = gp.get_data_length();
  if (gp.get_byte_enable_ptr()) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
  if (len == 0 || addr >= config_.size || len > config_.size - addr) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  if (len > VP_RTL_MAX_DATA) return tlm::TLM_BURST_ERROR_RESPONSE;
  if (!gp.is_read() && !gp.is_write()) return tlm::TLM_OK_RESPONSE;
  if (!accept_peer()) return tlm::TLM_GENERIC_ERROR_RESPONSE;
  const uint64_t start = to_ps(sc_core::sc_time_stamp() + delay);
  const uint32_t id = next_id_++;
  vp_rtl_header h = header(gp.is_read() ? VP_RTL_MSG_READ : VP_RTL_MSG_WRITE, id, len, addr, start);
  const bool posted = gp.is_write() && config_.posted_writes && !debug;
  h.flags = uint8_t((posted ? VP_RTL_FLAG_POSTED : 0) | (debug ? VP_RTL_FLAG_DEBUG : 0));
  if (const int rc = transport_->send(h, gp.is_write() ? gp.get_data_ptr() : nullptr, posted)) {
    fail(std::string("send failed: ") + vp_rtl_strerror(rc));
    return tlm::TLM_GENERIC_ERROR_RESPONSE;
  }
  if (posted) return tlm::TLM_OK_RESPONSE;
  vp_rtl_header r;
  if (!await(VP_RTL_MSG_RESP, id, r, gp.get_data_ptr(), gp.is_read() ? len : 0))
    return tlm::TLM_GENERIC_ERROR_RESPONSE;
  if (r.status == VP_RTL_OK && gp.is_read() && r.length != len) {
    fail("read response of " + std::to_string(r.length) + " bytes for " + std::to_string(len));
    return tlm::TLM_GENERIC_ERROR_RESPONSE;
  }
  if (!debug && r.time_ps > start) delay += sc_core::sc_time(double(r.time_ps - start), sc_core::SC_PS);
  switch (r.status) {
    case VP_RTL_OK:
      return tlm::TLM_OK_RESPONSE;
    case VP_RTL_DECERR:
      return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    default:
      return tlm::TLM_GENERIC_ERROR_RESPONSE;
  }
}

void SocketBridge::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  gp.set_response_status(request(gp, false, delay));
}

unsigned SocketBridge::transport_dbg(tlm::tlm_generic_payload& gp) {
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  return request(gp, true, delay) == tlm::TLM_OK_RESPONSE ? gp.get_data_length() : 0;
}

tlm::tlm_sync_enum SocketBridge::nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase&,
                                                 sc_core::sc_time& delay) {
  b_transport(gp, delay);
  return tlm::TLM_COMPLETED;
}

bool SocketBridge::sync() {
  if (!transport_) return false;
  const uint32_t id = next_id_++;
  const vp_rtl_header h = header(VP_RTL_MSG_SYNC, id, 0, 0, to_ps(sc_core::sc_time_stamp()));
  if (const int rc = transport_->send(h, nullptr, false)) {
    fail(std::string("send failed: ") + vp_rtl_strerror(rc));
    return false;
  }
  vp_rtl_header r;
  return await(VP_RTL_MSG_SYNC_ACK, id, r, nullptr, 0);
}

void SocketBridge::run() {
  // Time synchronisation every quantum (sync period) once the peer is there.
  for (;;) {
    wait(config_.sync_period);
    if (!transport_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (listen_fd_ < 0 || ::poll(&p, 1, 0) <= 0 || !accept_peer()) continue;
    }
    sync();
  }
}

}  // namespace vp::rtl
