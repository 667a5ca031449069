#pragma once
// `rtl.dpi_target`: the platform side of a SystemVerilog testbench that hosts
// vp (models/rtl/vp_platform.h). Platform accesses to the window are handed to
// the testbench (its vp_sv_target_access export, through the handler the glue
// installs); the testbench may answer at once or later, from its own clocked
// RTL, with vp_platform_complete while the initiator waits. The testbench's
// bus functional model issues reads/writes into the platform through the
// `mem` initiator socket, and drives the `irq` lines.
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "platform/component.h"
#include "platform/dma.h"

namespace vp::rtl {

struct DpiTargetConfig {
  uint64_t size = 0x1000;
  unsigned irqs = 1;
  sc_core::sc_time latency{0, sc_core::SC_PS};  // added to every access
};

// How the window reaches the testbench: 0 done, 1 pending (vp_platform_complete
// follows), anything else an error response. Set once by the host.
using DpiTargetHandler = int (*)(void* user, const char* target, int is_write, uint64_t offset, int size,
                                 uint64_t* data);

class DpiTarget : public platform::Component,
                  public platform::DmaReporter,  // the bus functional model's stores into memory
                  public tlm::tlm_fw_transport_if<>,
                  public tlm::tlm_bw_transport_if<> {
 public:
  platform::TargetSocket socket{"socket"};
  platform::InitiatorSocket mem{"mem"};

  DpiTarget(const sc_core::sc_module_name& name, const DpiTargetConfig& config);

  static void set_handler(DpiTargetHandler handler, void* user);

  // The testbench's side (between vp_platform_advance calls, or inside one).
  // Completes the window access the testbench took as pending; false if none is.
  bool complete(uint64_t data, int status);
  // Interrupt line `line` to `level`, applied at the next delta cycle.
  bool set_irq(unsigned line, bool level);
  // The bus functional model: queues an access through `mem`, served in the
  // next advance; poll until it stops returning 1 (0 done, -1 error).
  int bus_start(bool is_write, uint64_t addr, unsigned size, uint64_t data);
  int bus_poll(uint64_t* data);
  void bus_cancel() { bus_ = Bus::Idle; }

  uint64_t window_accesses() const { return window_accesses_; }

  // tlm_fw_transport_if
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  unsigned transport_dbg(tlm::tlm_generic_payload& gp) override;
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase&, sc_core::sc_time& delay) override {
    b_transport(gp, delay);
    return tlm::TLM_COMPLETED;
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
  // tlm_bw_transport_if (the `mem` socket)
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_core::sc_time&) override {
    return tlm::TLM_COMPLETED;
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}

 private:
  enum class Bus { Idle, Queued, Done, Error };
  void apply_irqs();
  void serve_bus();

  DpiTargetConfig config_;
  std::vector<platform::IrqOut> irq_;
  std::vector<bool> irq_wanted_;
  sc_core::sc_event irq_changed_, completed_, window_free_, bus_queued_;
  // The window access the testbench holds (one at a time: initiators wait).
  bool window_busy_ = false, window_pending_ = false;
  uint64_t window_data_ = 0;
  int window_status_ = 0;
  uint64_t window_accesses_ = 0;
  // The bus functional model's access.
  Bus bus_ = Bus::Idle;
  bool bus_write_ = false;
  uint64_t bus_addr_ = 0, bus_data_ = 0;
  unsigned bus_size_ = 0;
};

}  // namespace vp::rtl
