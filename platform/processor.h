#pragma once
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "platform/trace_filter.h"

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
  // Functional warming (SMARTS): for this many instructions before each window
  // that starts at an instruction count, the caches, TLBs and branch predictors
  // are updated from the executed instructions without timing. 0 = none.
  uint64_t functional_warm = 0;
};

// What the runner (vp run, Python) needs of an instruction-set simulator,
// independent of its architecture. Components that execute code implement it
// next to Component; the runner finds them with dynamic_cast.
class ReservationMonitor;
class SymbolTable;

// One register as a debugger sees it (GDB target description terms).
struct DebugRegister {
  std::string name;     // "a0", "pc", "fa0", "mstatus", "priv"
  unsigned number = 0;  // the debugger's register number (RSP p/P packets)
  unsigned bits = 64;
  std::string feature;  // "org.gnu.gdb.riscv.cpu", ...
  std::string type;     // "int", "code_ptr", "data_ptr", or a type the feature defines
  std::string group;    // "general", "float", "system", ...
};

// What a debugger may ask a processor to watch (GDB's Z0-Z4).
enum class WatchKind { kSoftware, kHardware, kWrite, kRead, kAccess };

// Why a processor paused the simulation for a debugger.
struct DebugStop {
  enum class Kind { kNone, kBreakpoint, kWatchpoint, kStep, kStuck, kOther } kind = Kind::kNone;
  bool hardware = false;  // kBreakpoint: a trigger (Z1), not a software breakpoint (Z0)
  WatchKind watch = WatchKind::kWrite;
  uint64_t addr = 0;      // kWatchpoint: the watched address that was accessed
  std::string reason;     // for people ("breakpoint at 0x80000010")
};

// Semihosting services a processor offers its software (vp run --semihosting).
struct SemihostingOptions {
  bool enabled = false;
  std::string root;     // host directory for the guest's files; "" refuses file operations
  std::string cmdline;  // what the guest gets as its command line
  uint64_t heap_base = 0, heap_limit = 0, stack_base = 0, stack_limit = 0;
};

// What the runner (vp run, Python) and the GDB server need of an
// instruction-set simulator, independent of its architecture. Components that
// execute code implement it next to Component; the runner finds them with
// dynamic_cast.
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
  virtual void set_trace_filter(const TraceFilter& filter) { (void)filter; }
  // Symbols for traces and reports (not owned; outlives the run).
  virtual void set_symbols(const SymbolTable* symbols) { (void)symbols; }
  virtual void set_semihosting(const SemihostingOptions& options) { (void)options; }

  // The ELF files this processor runs: e_machine (EM_RISCV = 243, ...) and
  // class (32 or 64); 0 when it runs no ELF code. Loaders check files against them.
  virtual unsigned elf_machine() const { return 0; }
  virtual unsigned elf_class_bits() const { return 0; }

  virtual uint64_t instructions_retired() const = 0;
  // Instructions that trapped instead of retiring (a fault loop retires nothing).
  virtual uint64_t instructions_trapped() const { return 0; }
  virtual uint64_t pc() const = 0;
  // General-purpose register i (0..31 on RISC-V), for tests and debuggers.
  virtual uint64_t reg(unsigned i) const = 0;
  // One line for people: "cpu0: pc 0x80000010 <main+0x4>, M-mode, 12345 instructions".
  virtual std::string status_line() const { return {}; }

  // --- A guest that can make no progress. When a processor detects it stuck
  // (platform::guest_stuck applies the policy), stuck_report() says why, in
  // full; "" otherwise. parked(): asleep with nothing that can wake it.
  virtual std::string stuck_report() const { return {}; }
  virtual bool parked() const { return false; }

  // --- Debugger support (Python, GDB). The defaults say "not supported"; a
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

  // SimPoint basic-block vectors into `path`, a line per `interval` retired
  // instructions (docs/checkpoints.md); false if not supported. Throws
  // std::runtime_error if the file cannot be written.
  virtual bool set_bbv(const std::string& path, uint64_t interval) { (void)path, (void)interval; return false; }
  // False if the processor has no timing model to switch to.
  virtual bool set_detail_region(const DetailRegion& region) { (void)region; return false; }
  // The debugger's view: the architecture name (GDB's, "riscv:rv64"), every
  // register with its number, access by number.
  virtual std::string debug_architecture() const { return {}; }
  virtual std::vector<DebugRegister> debug_registers() const { return {}; }
  virtual bool read_register(unsigned number, uint64_t& value) { (void)number, (void)value; return false; }
  virtual bool write_register(unsigned number, uint64_t value) { (void)number, (void)value; return false; }
  // Memory as the processor sees it: virtual addresses go through its current
  // translation (no side effects), physical ones straight to its bus (debug
  // transport). Returns the bytes done, from the start.
  virtual size_t read_memory(uint64_t addr, void* data, size_t len, bool physical) {
    (void)addr, (void)data, (void)len, (void)physical;
    return 0;
  }
  virtual size_t write_memory(uint64_t addr, const void* data, size_t len, bool physical) {
    (void)addr, (void)data, (void)len, (void)physical;
    return 0;
  }
  // The physical address of a virtual one with the current translation; false if unmapped.
  virtual bool translate(uint64_t addr, uint64_t& paddr) {
    paddr = addr;
    return true;
  }
  // Physical memory at [addr, addr + len) changed behind the processor's back
  // (another processor's debugger write, Python): forget decoded code there.
  virtual void code_modified(uint64_t addr, uint64_t len) { (void)addr, (void)len; }
  // Debugger breakpoints and watchpoints (hardware ones on the processor's
  // triggers); false when not supported or when no trigger is left.
  virtual bool insert_watchpoint(WatchKind kind, uint64_t addr, uint64_t len) {
    (void)kind, (void)addr, (void)len;
    return false;
  }
  virtual bool remove_watchpoint(WatchKind kind, uint64_t addr, uint64_t len) {
    (void)kind, (void)addr, (void)len;
    return false;
  }
  virtual void remove_all_watchpoints() {}
  // A held processor executes nothing (a debugger stepping another one).
  virtual void set_debug_hold(bool held) { (void)held; }
  // Execute one instruction with interrupts masked, then pause (dcsr.step with stepie = 0).
  virtual void set_single_step(bool on) { (void)on; }
  // Why this processor paused the simulation last; cleared by the call.
  virtual DebugStop take_debug_stop() { return {}; }
};

}  // namespace vp::platform
