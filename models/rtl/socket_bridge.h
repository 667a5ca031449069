#pragma once
// SocketBridge ("rtl.socket"): a TLM target whose accesses are served by an
// RTL simulator in another process, over the protocol of vp_rtl_peer.h.
// vp listens (Unix socket, or TCP bound to 127.0.0.1 by default); the peer
// connects. Reads and non-posted writes wait for the peer's response (its
// completion time becomes TLM delay); posted writes return at once. A thread
// sends SYNC every sync period so the peer's time follows vp's, and the peer
// reports interrupt changes (IRQ messages) which drive `irq[N]`. A malformed
// or oversized message fails the access and drops the connection.
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "platform/component.h"

struct vp_rtl_header;

namespace vp::rtl {

struct SocketBridgeConfig {
  uint64_t size = 0x1000;
  std::string address;          // "unix:/path" or "tcp:HOST:PORT" (PORT 0: any free port)
  bool posted_writes = false;
  sc_core::sc_time sync_period{10, sc_core::SC_US};
  unsigned irqs = 1;
  double accept_timeout_s = 10;  // waiting for the peer to connect
};

class SocketBridge : public platform::Component, public tlm::tlm_fw_transport_if<> {
 public:
  platform::TargetSocket socket{"socket"};
  std::vector<platform::IrqOut> irq;

  SC_HAS_PROCESS(SocketBridge);
  SocketBridge(const sc_core::sc_module_name& name, const SocketBridgeConfig& config);
  ~SocketBridge() override;

  // Where the peer should connect ("unix:/path" or "tcp:127.0.0.1:PORT").
  const std::string& address() const { return address_; }
  bool connected() const { return fd_ >= 0; }
  uint64_t protocol_errors() const { return protocol_errors_; }
  uint64_t posted_errors() const { return posted_errors_; }
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
  int listen_fd_ = -1;
  int fd_ = -1;
  uint32_t next_id_ = 1;
  uint64_t protocol_errors_ = 0;
  uint64_t posted_errors_ = 0;
};

}  // namespace vp::rtl
