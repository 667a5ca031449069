#pragma once
// SocketBridge ("rtl.socket"): a TLM target whose accesses are served by an
// RTL simulator in another process, over the protocol of vp_rtl_peer.h.
// vp listens (Unix socket, or TCP bound to 127.0.0.1 by default); the peer
// connects. With a "shm:/path" address the peer connects to the Unix socket
// at /path and the messages then travel through shared-memory rings
// (vp_rtl_shm.h), with busy polling and futex wake-ups. Reads and non-posted
// writes wait for the peer's response (its completion time becomes TLM
// delay); posted writes return at once and are sent in batches. A thread
// sends SYNC every sync period so the peer's time follows vp's, and the peer
// reports interrupt changes (IRQ messages) which drive `irq[N]`. A malformed
// or oversized message, or a corrupt ring, fails the access and drops the
// connection.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/rtl/bridge_transport.h"
#include "platform/component.h"

namespace vp::rtl {

struct SocketBridgeConfig {
  uint64_t size = 0x1000;
  std::string address;          // "unix:/path", "tcp:HOST:PORT" (PORT 0: any free port) or "shm:/path"
  bool posted_writes = false;
  unsigned batch = 64;          // posted writes sent together (1: each at once)
  sc_core::sc_time sync_period{10, sc_core::SC_US};
  unsigned irqs = 1;
  double accept_timeout_s = 10;  // waiting for the peer to connect
  uint32_t ring_size = 65536;    // shm: bytes per direction
  int spin_us = 50;              // shm: busy polling before sleeping (< 0: busy_poll, never sleep)
};

class SocketBridge : public platform::Component, public tlm::tlm_fw_transport_if<> {
 public:
  platform::TargetSocket socket{"socket"};
  std::vector<platform::IrqOut> irq;

  SC_HAS_PROCESS(SocketBridge);
  SocketBridge(const sc_core::sc_module_name& name, const SocketBridgeConfig& config);
  ~SocketBridge() override;

  // Where the peer should connect ("unix:/path", "tcp:127.0.0.1:PORT" or "shm:/path").
  const std::string& address() const { return address_; }
  bool connected() const { return transport_ != nullptr; }
  const BridgeTransport* transport() const { return transport_.get(); }
  uint64_t protocol_errors() const { return protocol_errors_; }
  uint64_t posted_errors() const { return posted_errors_; }
  const std::string& last_error() const { return last_error_; }
  // Blocks until the peer has connected (or the accept timeout passes).
  bool accept_peer();
  // Sends SYNC(now) and waits for the peer's acknowledgement.
  bool sync();

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  unsigned transport_dbg(tlm::tlm_generic_payload& gp) override;
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase&,
                                     sc_core::sc_time& delay) override;
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }

 private:
  tlm::tlm_response_status request(tlm::tlm_generic_payload& gp, bool debug, sc_core::sc_time& delay);
  // Receives messages until the answer to `id` of type `type` arrives; handles IRQ/ERROR.
  bool await(uint8_t type, uint32_t id, vp_rtl_header& out, uint8_t* data, uint32_t capacity);
  void fail(const std::string& what);
  void run();

  SocketBridgeConfig config_;
  std::string address_;
  std::string unix_path_;
  bool shm_ = false;
  int listen_fd_ = -1;
  std::unique_ptr<BridgeTransport> transport_;
  uint32_t next_id_ = 1;
  uint64_t protocol_errors_ = 0;
  uint64_t posted_errors_ = 0;
  std::string last_error_;
};

}  // namespace vp::rtl
