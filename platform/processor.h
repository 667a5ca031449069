#pragma once
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace vp::platform {

// Fast-forward, then detail (architecture studies): run functionally until
// `start`, then through the processor's timing model; time `warmup` more
// instructions before the statistics are reset (caches and predictors warm),
// and end the region (statistics held, functional again) after `count`
// measured instructions or at the guest's ROI-end marker (docs/architecture.md).
struct DetailRegion {
  enum class Start { kReset, kInstructions, kPc, kMarker };
  Start start = Start::kReset;
  uint64_t at = 0;      // instructions executed (kInstructions) or the pc (kPc)
  uint64_t warmup = 0;  // instructions
  uint64_t count = 0;   // measured instructions; 0 = until the ROI-end marker or the end of the run
  // Sampling (SMARTS): with count, a new window (warm-up, measure) starts every
  // `period` executed instructions; the processor estimates CPI and its
  // confidence interval from the windows, the statistics are not reset. 0 = one region.
  uint64_t period = 0;
};

// What the runner (vp run, Python) needs of an instruction-set simulator,
// independent of its architecture. Components that execute code implement it
// next to Component; the runner finds them with dynamic_cast.
class Processor {
 public:
  virtual ~Processor() = default;

  // Start address and argument registers applied at reset (a0/a1 on RISC-V).
  virtual void set_boot(uint64_t pc, uint64_t arg0, uint64_t arg1) = 0;
  // Spike-style host-target interface; 0 disables it.
  virtual void set_htif(uint64_t tohost, uint64_t fromhost) = 0;
  // Stop the simulation (exit code 124) after this many instructions; 0 = no limit.
  virtual void set_instruction_limit(uint64_t limit) = 0;
  // Instruction trace to this stream; nullptr turns it off.
  virtual void set_trace(std::ostream* out) = 0;

  // The ELF files this processor runs: e_machine (EM_RISCV = 243, ...) and
  // class (32 or 64); 0 when it runs no ELF code. Loaders check files against them.
  virtual unsigned elf_machine() const { return 0; }
  virtual unsigned elf_class_bits() const { return 0; }

  virtual uint64_t instructions_retired() const = 0;
  virtual uint64_t pc() const = 0;
  // General-purpose register i (0..31 on RISC-V), for tests and debuggers.
  virtual uint64_t reg(unsigned i) const = 0;

  // Debugger support (Python, GDB). The defaults say "not supported"; a
  // processor that implements them returns true from supports_debug().
  // Breakpoints and the step limit pause the simulation (platform::request_pause,
  // resumable) instead of stopping it.
  virtual bool supports_debug() const { return false; }
  // Pause before executing an instruction at one of these addresses. After the
  // pause, the next run executes the instruction at the current pc without
  // pausing on it again.
  virtual void set_breakpoints(const std::vector<uint64_t>& pcs) { (void)pcs; }
  // Pause after this many more instructions (0 = no such pause); resumable,
  // unlike set_instruction_limit.
  virtual void set_pause_after(uint64_t instructions) { (void)instructions; }
  virtual void set_reg(unsigned i, uint64_t value) { (void)i, (void)value; }
  virtual void set_pc(uint64_t pc) { (void)pc; }

  // False if the processor has no timing model to switch to.
  virtual bool set_detail_region(const DetailRegion& region) { (void)region; return false; }
};

}  // namespace vp::platform
