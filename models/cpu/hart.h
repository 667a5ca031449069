#pragma once
// riscv.hart: the SystemC wrapper around the pure C++ Core. An SC_THREAD runs
// the core in batches bounded by the temporal-decoupling quantum; MMIO goes
// through b_transport with the annotated local time, RAM/ROM through DMI.
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/cpu/bbv.h"
#include "models/cpu/core.h"
#include "models/cpu/core_speculative_view.h"
#include "models/cpu/lockstep.h"
#include "models/cpu/pipeline.h"
#include "models/cpu/pipeline_trace.h"
#include "models/cpu/semihosting.h"
#include "platform/activity.h"
#include "platform/component.h"
#include "platform/irq.h"
#include "platform/processor.h"

namespace vp::cpu {

struct HartConfig {
  uint64_t hartid = 0;
  std::string isa = "rv64imafdc";  // as written; normalized in isa_string
  uint32_t ext = 0;                // parsed extension bits
  uint64_t reset_pc = 0x1000;
  std::string mode = "functional";
  unsigned mmu = 48;  // 39 or 48: the largest satp mode accepted
  unsigned pmp_entries = 16;
  bool misaligned_emulate = true;
  uint64_t timebase_hz = 10'000'000;
  // Bus address of the mtime register the `time` CSR shadows (priv. spec 3.2.1);
  // unset: `time` counts timebase_hz ticks of simulation time on its own.
  std::optional<uint64_t> mtime;
  uint64_t clock_hz = 1'000'000'000;
  uint64_t quantum_ps = 0;  // 0: the platform's global quantum
  bool translate = true;    // translated code (functional mode, x86-64 hosts)
  bool lockstep = false;    // check translated code against the interpreter every block
  PipelineConfig pipeline;  // used when mode == "pipeline" (or from a detail region's start)
  PipelineTraceConfig pipeline_trace;  // instructions through the timing model, for a viewer
};

// Parses an ISA string ("rv64gc", "rv64imafdc_zba_zbb_zbs"); throws std::invalid_argument.
uint32_t parse_isa(const std::string& isa);
// Canonical device-tree form, e.g. "rv64imafdc_zicsr_zifencei_zba".
std::string isa_string(uint32_t ext);
std::vector<std::string> isa_extensions(uint32_t ext);

class Hart : public platform::Component, public platform::Processor {
 public:
  SC_HAS_PROCESS(Hart);
  Hart(const sc_core::sc_module_name& name, const HartConfig& cfg);
  ~Hart() override;

  tlm_utils::simple_initiator_socket<Hart> mem{"mem"};
  platform::IrqIn msip, mtip, meip, seip;

  void reset() override;

  // platform::Processor
  void set_boot(uint64_t pc, uint64_t arg0, uint64_t arg1) override;
  void set_htif(uint64_t tohost, uint64_t fromhost) override;
  void set_reservation_monitor(platform::ReservationMonitor& monitor) override {
    core_->set_reservation_monitor(monitor);
  }
  void set_instruction_limit(uint64_t limit) override { limit_ = limit; }
  void set_trace(std::ostream* out) override { core_->set_trace(out); }
  void set_trace_filter(const platform::TraceFilter& filter) override { core_->set_trace_filter(filter); }
  void set_symbols(const platform::SymbolTable* symbols) override;
  void set_semihosting(const platform::SemihostingOptions& options) override;
  unsigned elf_machine() const override { return 243; }  // EM_RISCV
  unsigned elf_class_bits() const override { return 64; }
  uint64_t instructions_retired() const override { return core_->instret(); }
  uint64_t instructions_trapped() const override;
  uint64_t pc() const override { return core_->pc(); }
  uint64_t reg(unsigned i) const override { return core_->reg(i); }
  std::string status_line() const override;
  std::string stuck_report() const override;
  bool parked() const override { return parked_; }
  bool supports_debug() const override { return true; }
  void set_breakpoints(const std::vector<uint64_t>& pcs) override;
  void set_pause_after(uint64_t n) override { pause_at_ = n ? executed_ + n : 0; }
  void set_reg(unsigned i, uint64_t value) override { core_->set_reg(i, value); }
  void set_pc(uint64_t pc) override { core_->set_pc(pc); }
  bool set_detail_region(const platform::DetailRegion& region) override;
  bool set_bbv(const std::string& path, uint64_t interval) override;

  // Checkpoints: the core's architectural state and the hart's counters. The
  // timing model (caches, predictors) is not state: a restored run may use
  // other settings, and warms them again.
  bool save_state(platform::StateWriter& out) const override;
  void restore_state(platform::StateReader& in) override;
  // Debugger interface (hart_debug.cpp).
  std::string debug_architecture() const override { return "riscv:rv64"; }
  std::vector<platform::DebugRegister> debug_registers() const override;
  bool read_register(unsigned number, uint64_t& value) override;
  bool write_register(unsigned number, uint64_t value) override;
  size_t read_memory(uint64_t addr, void* data, size_t len, bool physical) override;
  size_t write_memory(uint64_t addr, const void* data, size_t len, bool physical) override;
  void code_modified(uint64_t addr, uint64_t len) override { core_->code_modified(addr, len); }
  bool translate(uint64_t addr, uint64_t& paddr) override { return core_->debug_translate(addr, false, paddr); }
  bool insert_watchpoint(platform::WatchKind kind, uint64_t addr, uint64_t len) override;
  bool remove_watchpoint(platform::WatchKind kind, uint64_t addr, uint64_t len) override;
  void remove_all_watchpoints() override;
  void set_debug_hold(bool held) override { held_ = held; }
  void set_single_step(bool on) override;
  platform::DebugStop take_debug_stop() override;

  Core& core() { return *core_; }
  const HartConfig& config() const { return cfg_; }
  // Host seconds spent inside the run loop (for MIPS figures).
  double host_seconds() const { return host_seconds_; }
  // The timing model in pipeline mode, nullptr in functional mode.
  const Pipeline* pipeline() const { return pipeline_.get(); }

 private:
  class Bridge;
  class Symbols;
  void run_thread();
  void on_halt();   // the core returned RunExit::kDebug
  void on_stuck();  // the core detected a fault loop
  std::string trap_loop_report() const;
  std::string wfi_report() const;
  void check_spin();  // after a full batch: parked in a jump to itself?
  // `pc` and `priv`: where the hart is stuck (a trap loop's faulting instruction,
  // not its handler).
  std::string report_header(const std::string& why, uint64_t pc, Priv priv) const;
  size_t debug_transport(bool write, uint64_t paddr, void* data, size_t len);
  void update_breakpoints();
  void account();  // moves instructions executed so far into the quantum keeper
  // Simulated time may no longer be a function of the core's run progress alone (a bus
  // access, a new batch, a checkpoint): drops what time_now derived from it.
  void time_invalidate();
  bool sync_needed(const sc_core::sc_time& quantum) const;
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);
  void irq_changed(unsigned bit, bool level);
  void debug_pause(const char* reason);  // resumable pause; no std::string: the thread may never resume (no leak)
  void register_statistics();
  // Fast-forward, then detail (platform::DetailRegion) and the guest's ROI markers.
  enum class Phase { kWhole, kFastForward, kFunctionalWarm, kWarmup, kMeasure, kDone };
  void region_boundaries(uint64_t& budget);  // switches phase at instruction counts; limits the budget
  void start_detail();
  void start_functional_warm();
  void use_pipeline();  // creates the timing model, continues its clock from the functional count
  void start_measure();
  void end_detail();
  void leave_detail();  // timing model off, the clock runs on
  void marker(unsigned m);

  HartConfig cfg_;
  std::unique_ptr<Bridge> bridge_;
  std::unique_ptr<Core> own_core_;
  std::unique_ptr<Lockstep> lockstep_;  // lockstep: true; it owns the core then
  Core* core_ = nullptr;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<CoreSpeculativeView> spec_view_;  // the o3 backend's wrong-path execution reads through it
  std::unique_ptr<PipelineTrace> trace_;
  std::unique_ptr<BbvWriter> bbv_;  // SimPoint basic-block vectors (--bbv)
  platform::DetailRegion region_;
  Phase phase_ = Phase::kWhole;
  uint64_t phase_end_ = 0;  // executed_ count that ends the warm-up or the measurement; 0 = none
  // Sampling: the current window's start and the CPI of the windows so far.
  uint64_t window_cycles0_ = 0, window_insns0_ = 0;
  // Each window starts at a pseudo-random offset in its period (stratified
  // sampling: a loop whose length divides the period does not bias the
  // estimate); a fixed seed keeps runs reproducible.
  uint64_t period_base_ = 0;
  uint64_t sample_rng_ = 0x9e3779b97f4a7c15ull;
  double samples_ = 0, cpi_sum_ = 0, cpi_sumsq_ = 0;
  uint64_t cycles_accounted_ = 0;  // pipeline cycles already turned into local time
  tlm_utils::tlm_quantumkeeper qk_;
  sc_core::sc_time period_;
  sc_core::sc_time timebase_period_;
  sc_core::sc_event irq_event_;
  uint64_t accounted_ = 0;  // of the current run() batch
  uint64_t executed_ = 0;   // all instructions executed (retired or trapped)
  uint64_t limit_ = 0;
  bool stopped_ = false;
  bool boot_set_ = false;
  uint64_t boot_pc_ = 0, boot_a0_ = 0, boot_a1_ = 0;
  uint64_t tohost_ = 0, fromhost_ = 0;
  double host_seconds_ = 0;
  std::vector<uint64_t> user_breakpoints_;      // set_breakpoints (Python)
  std::vector<uint64_t> debugger_breakpoints_;  // Z0, one entry per insertion
  struct Watch {
    platform::WatchKind kind;
    uint64_t addr, len;
  };
  std::vector<Watch> watches_;  // hardware breakpoints and watchpoints on triggers
  uint64_t pause_at_ = 0;       // executed_ count to pause at; 0 = none
  bool held_ = false;
  bool single_step_ = false;
  platform::DebugStop debug_stop_;
  const platform::SymbolTable* symbols_ = nullptr;
  std::unique_ptr<SymbolLookup> symbol_lookup_;
  std::unique_ptr<Semihosting> semihosting_;
  bool parked_ = false;         // asleep in WFI with mie = 0, or spinning (below)
  platform::Activity activity_;  // asleep in WFI or ended (an idle platform, vp run --idle)
  bool spinning_ = false;       // in a jump to itself that no interrupt can leave
  uint64_t spin_pc_ = ~0ull;    // the pc at the end of the last batch
  std::string stuck_report_;    // the last trap-loop report
  bool stuck_printed_ = false;  // --on-stuck=continue prints one report
};

}  // namespace vp::cpu
