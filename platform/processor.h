#pragma once
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace vp::platform {

class ReservationMonitor;

// What the runner (vp run, Python) needs of an instruction-set simulator,
// independent of its architecture. Components that execute code implement it
// next to Component; the runner finds them with dynamic_cast.
class Processor {
 public:
  virtual ~Processor() = default;

  // Start address and argument registers applied at reset (a0/a1 on RISC-V).
  virtual void set_boot(uint64_t pc, uint64_t arg0, uint64_t arg1) = 0;
  // The platform's LR/SC reservation monitor, shared by all its processors
  // (platform/reservation_monitor.h); the builder calls this once, before the
  // simulation starts. A processor without atomics ignores it.
  virtual void set_reservation_monitor(ReservationMonitor& monitor) { (void)monitor; }
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
};

}  // namespace vp::platform
