#pragma once
// vhost-style mailbox (`dev.mailbox`): the guest (firmware on a hart, or an
// RTL master) writes a request block into guest memory, writes its address to
// REQUEST and rings DOORBELL; the platform serves the request at once (EXIT,
// PRINT, MEMMOVE, MEMSET, MEMCMP, CALL, file services; models/rtl/
// mailbox_engine.h) through the component's own initiator socket `mem` (debug
// transport, bound to the bus) and writes the status and result back into the
// block. Its stores into memory are reported (platform/dma.h). Layout and
// codes: docs/rtl.md.
#include <cstdint>
#include <memory>
#include <string>

#include "models/devices/mmio_target.h"
#include "models/rtl/mailbox_engine.h"
#include "platform/dma.h"

namespace vp::rtl {

struct MailboxConfig {
  sc_core::sc_time latency{10, sc_core::SC_NS};
  uint64_t max_length = 64ull << 20;  // MEMMOVE/MEMSET/MEMCMP/PRINT
  unsigned max_call_args = 16;
  FILE* output = stdout;              // PRINT
  std::string fs_root;                // file services ("" = off)
};

class Mailbox : public dev::MmioTarget, public platform::DmaReporter, public tlm::tlm_bw_transport_if<> {
 public:
  platform::InitiatorSocket mem{"mem"};

  Mailbox(const sc_core::sc_module_name& name, const MailboxConfig& config = {});
  ~Mailbox() override;

  uint64_t requests() const { return count_; }
  uint32_t last_status() const { return status_; }
  uint64_t last_result() const { return result_; }
  // Serves the request block at `block` (what a DOORBELL write does).
  void serve(uint64_t block);

  // Checkpoints ("mailbox/1"): the registers and the file services' open
  // handles (MailboxEngine::save_state). A request is served entirely inside
  // the DOORBELL write, so none is ever in flight; CALL callbacks are the
  // host's and are not saved.
  bool save_state(platform::StateWriter& out) const override;
  void restore_state(platform::StateReader& in) override;

  // tlm_bw_transport_if (the `mem` socket)
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_core::sc_time&) override {
    return tlm::TLM_COMPLETED;
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}

 protected:
  bool read(uint64_t offset, uint8_t* data, unsigned len, bool debug, const sc_core::sc_time& now) override;
  bool write(uint64_t offset, const uint8_t* data, unsigned len, bool debug, const sc_core::sc_time& now) override;

 private:
  class BusMemory;

  MailboxConfig config_;
  std::unique_ptr<BusMemory> bus_;
  MailboxEngine engine_;
  uint64_t request_ = 0;
  uint32_t status_ = 0;
  uint64_t result_ = 0;
  uint64_t count_ = 0;
};

}  // namespace vp::rtl
