#pragma once
// RtlBridge: a loosely-timed TLM target that owns a Verilator-compiled model
// and forwards each transaction to it through a bus transactor (APB or
// AXI4-Lite, see verilated_model.h).
//
// Timing (catch-up clock): the bridge remembers up to which time the RTL has
// been clocked. An access at local time t first clocks the RTL idle up to t,
// then runs the bus cycles; those cycles are added to the annotated delay. A
// SystemC thread clocks the RTL in the background while its `busy` output is
// high (or always with free_running), so RTL masters and timers make progress
// without bus traffic, and serves the RTL's queued DPI-C accesses.
#include <cstdint>
#include <memory>
#include <string>

#include <systemc>
#include <tlm>

#include "models/rtl/dpi.h"
#include "models/rtl/rtl_model.h"
#include "platform/component.h"

namespace vp::rtl {

struct RtlBridgeConfig {
  uint64_t size = 0x1000;                                  // address window
  sc_core::sc_time period{10, sc_core::SC_NS};             // RTL clock period
  unsigned reset_cycles = 4;
  std::string trace;                                       // waveform file (.vcd/.fst), "" = none
  bool free_running = false;                               // clock the RTL even when idle
  sc_core::sc_time sync_period{1, sc_core::SC_US};         // background clocking step
  uint64_t timeout_cycles = 100000;                        // a bus access taking longer fails
  uint64_t max_catch_up = 10'000'000;                      // idle cycles run at most per catch-up
  bool debug_access = false;                               // transport_dbg drives the bus
  bool master = false;                                     // initiator `mem` for DPI-C accesses
};

class RtlBridge : public platform::Component,
                  public platform::DmaReporter,  // the RTL's DPI-C stores into memory
                  public tlm::tlm_fw_transport_if<>,
                  public tlm::tlm_bw_transport_if<> {
 public:
  platform::TargetSocket socket{"socket"};
  platform::IrqOut irq;  // the RTL's `irq` output

  SC_HAS_PROCESS(RtlBridge);
  RtlBridge(const sc_core::sc_module_name& name, std::unique_ptr<RtlModel> model,
            const RtlBridgeConfig& config);
  ~RtlBridge() override;

  RtlModel& model() { return *model_; }
  const RtlBridgeConfig& config() const { return config_; }
  uint64_t cycles() const { return cycles_; }        // clock cycles run so far
  uint64_t transactions() const { return transactions_; }
  const DpiMaster& dpi() const { return dpi_; }
  // Time up to which the RTL has been clocked.
  sc_core::sc_time rtl_time() const { return sc_core::sc_time::from_value(rtl_time_); }

  // tlm_fw_transport_if
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  unsigned transport_dbg(tlm::tlm_generic_payload& gp) override;
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase&,
                                     sc_core::sc_time& delay) override;
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
  // tlm_bw_transport_if (the DPI master socket)
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&,
                                     sc_core::sc_time&) override {
    return tlm::TLM_COMPLETED;
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) override;

 private:
  void run();
  void catch_up(uint64_t until);
  void tick(uint64_t count);
  // Runs the bus beats of one access; returns the TLM status, adds the cycles.
  tlm::tlm_response_status access(tlm::tlm_generic_payload& gp, uint64_t& cycles);
  void after_access();

  std::unique_ptr<platform::InitiatorSocket> mem_;
  std::unique_ptr<RtlModel> model_;
  RtlBridgeConfig config_;
  DpiMaster dpi_;
  uint64_t period_ = 1;      // in sc_time resolution units
  uint64_t rtl_time_ = 0;    // ditto
  uint64_t cycles_ = 0;
  uint64_t transactions_ = 0;
  sc_core::sc_event activity_;
};

}  // namespace vp::rtl
