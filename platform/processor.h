#pragma once
#include <cstdint>
#include <ostream>
#include <string>

namespace vp::platform {

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

  virtual uint64_t instructions_retired() const = 0;
  virtual uint64_t pc() const = 0;
  // General-purpose register i (0..31 on RISC-V), for tests and debuggers.
  virtual uint64_t reg(unsigned i) const = 0;
};

}  // namespace vp::platform
