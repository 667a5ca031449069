#include "models/rtl/dpi_target.h"

#include <cstdio>

namespace vp::rtl {
namespace {

DpiTargetHandler g_handler = nullptr;
void* g_user = nullptr;

uint64_t load_le(const uint8_t* p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t(p[i]) << (8 * i);
  return v;
}
void store_le(uint8_t* p, unsigned n, uint64_t v) {
  for (unsigned i = 0; i < n; ++i) p[i] = uint8_t(v >> (8 * i));
}

}  // namespace

DpiTarget::DpiTarget(const sc_core::sc_module_name& name, const DpiTargetConfig& config)
    : Component(name), config_(config), irq_(config.irqs), irq_wanted_(config.irqs, false) {
  socket.bind(*this);
  mem.bind(*this);
  expose_target("", socket, config_.size);
  expose_initiator("mem", mem);
  expose_irq_out_array("irq", irq_);
  SC_HAS_PROCESS(DpiTarget);
  SC_METHOD(apply_irqs);
  sensitive << irq_changed_;
  dont_initialize();
  SC_THREAD(serve_bus);
}

void DpiTarget::set_handler(DpiTargetHandler handler, void* user) {
  g_handler = handler;
  g_user = user;
}

void DpiTarget::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  const uint64_t addr = gp.get_address();
  const unsigned len = gp.get_data_length();
  if (gp.get_byte_enable_ptr()) return gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
  if (len == 0 || len > 8 || (len & (len - 1)) || gp.get_streaming_width() < len || addr >= config_.size ||
      len > config_.size - addr)
    return gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
  if (gp.is_read() == gp.is_write()) return gp.set_response_status(tlm::TLM_OK_RESPONSE);  // ignore
  if (!g_handler) {
    static bool told = false;
    if (!told) std::fprintf(stderr, "vp: %s: no testbench handler (vp_platform_bind_sv not called)\n", name());
    told = true;
    return gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
  }
  // One access at a time; the testbench sees it at the initiator's local time.
  while (window_busy_) wait(window_free_);
  wait(delay);
  delay = sc_core::SC_ZERO_TIME;
  window_busy_ = true;
  ++window_accesses_;
  uint64_t data = gp.is_write() ? load_le(gp.get_data_ptr(), len) : 0;
  int rc = g_handler(g_user, name(), gp.is_write(), addr, int(len), &data);
  if (rc == 1) {
    window_pending_ = true;
    while (window_pending_) wait(completed_);
    rc = window_status_;
    data = window_data_;
    apply_irqs();  // levels the testbench set with its answer hold before the initiator goes on
  }
  window_busy_ = false;
  window_free_.notify(sc_core::SC_ZERO_TIME);
  if (rc != 0) return gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
  if (gp.is_read()) store_le(gp.get_data_ptr(), len, data);
  delay += config_.latency;
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

// Debug access would run testbench code with side effects and cannot wait: refused.
unsigned DpiTarget::transport_dbg(tlm::tlm_generic_payload&) { return 0; }

bool DpiTarget::complete(uint64_t data, int status) {
  if (!window_pending_) return false;
  window_pending_ = false;
  window_data_ = data;
  window_status_ = status;
  completed_.notify(sc_core::SC_ZERO_TIME);
  return true;
}

bool DpiTarget::set_irq(unsigned line, bool level) {
  if (line >= irq_.size()) return false;
  irq_wanted_[line] = level;
  irq_changed_.notify(sc_core::SC_ZERO_TIME);
  return true;
}

void DpiTarget::apply_irqs() {
  for (size_t i = 0; i < irq_.size(); ++i) irq_[i].set(irq_wanted_[i]);
}

int DpiTarget::bus_start(bool is_write, uint64_t addr, unsigned size, uint64_t data) {
  if (bus_ == Bus::Queued) return -1;
  if (size == 0 || size > 8 || (size & (size - 1))) return -1;
  bus_ = Bus::Queued;
  bus_write_ = is_write;
  bus_addr_ = addr;
  bus_size_ = size;
  bus_data_ = data;
  bus_queued_.notify(sc_core::SC_ZERO_TIME);
  return 1;
}

int DpiTarget::bus_poll(uint64_t* data) {
  switch (bus_) {
    case Bus::Queued: return 1;
    case Bus::Done:
      bus_ = Bus::Idle;
      if (data) *data = bus_data_;
      return 0;
    default:
      bus_ = Bus::Idle;
      return -1;
  }
}

void DpiTarget::serve_bus() {
  for (;;) {
    wait(bus_queued_);
    if (bus_ != Bus::Queued) continue;
    uint8_t buf[8];
    store_le(buf, bus_size_, bus_data_);
    tlm::tlm_generic_payload gp;
    gp.set_command(bus_write_ ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(bus_addr_);
    gp.set_data_ptr(buf);
    gp.set_data_length(bus_size_);
    gp.set_streaming_width(bus_size_);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    transport(mem, gp, delay);
    wait(delay);
    if (gp.is_response_ok()) {
      bus_data_ = bus_write_ ? bus_data_ : load_le(buf, bus_size_);
      bus_ = Bus::Done;
    } else {
      bus_ = Bus::Error;
    }
  }
}

}  // namespace vp::rtl
