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

#include "models/cpu/core.h"
#include "models/cpu/pipeline.h"
#include "models/cpu/pipeline_trace.h"
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
  void set_instruction_limit(uint64_t limit) override { limit_ = limit; }
  void set_trace(std::ostream* out) override { core_->set_trace(out); }
  unsigned elf_machine() const override { return 243; }  // EM_RISCV
  unsigned elf_class_bits() const override { return 64; }
  uint64_t instructions_retired() const override { return core_->instret(); }
  uint64_t pc() const override { return core_->pc(); }
  uint64_t reg(unsigned i) const override { return core_->reg(i); }
  bool supports_debug() const override { return true; }
  void set_breakpoints(const std::vector<uint64_t>& pcs) override;
  void set_pause_after(uint64_t n) override { pause_at_ = n ? executed_ + n : 0; }
  void set_reg(unsigned i, uint64_t value) override { core_->set_reg(i, value); }
  void set_pc(uint64_t pc) override { core_->set_pc(pc); }
  bool set_detail_region(const platform::DetailRegion& region) override;

  // Checkpoints: the core's architectural state and the hart's counters. The
  // timing model (caches, predictors) is not state: a restored run may use
  // other settings, and warms them again.
  bool save_state(platform::StateWriter& out) const override;
  void restore_state(platform::StateReader& in) override;

  Core& core() { return *core_; }
  const HartConfig& config() const { return cfg_; }
  // Host seconds spent inside the run loop (for MIPS figures).
  double host_seconds() const { return host_seconds_; }
  // The timing model in pipeline mode, nullptr in functional mode.
  const Pipeline* pipeline() const { return pipeline_.get(); }

 private:
  class Bridge;
  void run_thread();
  void account();  // moves instructions executed so far into the quantum keeper
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);
  void irq_changed(unsigned bit, bool level);
  void debug_pause(const char* reason);  // no std::string: the thread may never resume (no leak)  // resumable pause from the run thread
  void register_statistics();
  // Fast-forward, then detail (platform::DetailRegion) and the guest's ROI markers.
  enum class Phase { kWhole, kFastForward, kWarmup, kMeasure, kDone };
  void region_boundaries(uint64_t& budget);  // switches phase at instruction counts; limits the budget
  void start_detail();
  void start_measure();
  void end_detail();
  void leave_detail();  // timing model off, the clock runs on
  void marker(unsigned m);

  HartConfig cfg_;
  std::unique_ptr<Bridge> bridge_;
  std::unique_ptr<Core> core_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<PipelineTrace> trace_;
  platform::DetailRegion region_;
  Phase phase_ = Phase::kWhole;
  uint64_t phase_end_ = 0;  // executed_ count that ends the warm-up or the measurement; 0 = none
  // Sampling: the current window's start and the CPI of the windows so far.
  uint64_t window_cycles0_ = 0, window_insns0_ = 0;
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
  std::vector<uint64_t> breakpoints_;  // sorted
  uint64_t pause_at_ = 0;              // executed_ count to pause at; 0 = none
  uint64_t resume_pc_ = ~0ull;         // pc of the last debug pause: not re-checked on resume
};

}  // namespace vp::cpu
