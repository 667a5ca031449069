// The hart's side of debugging (platform::Processor's debug interface):
// registers by number as GDB numbers them for RISC-V, memory through the
// MMU, breakpoints and watchpoints on the Sdtrig triggers, halts and steps,
// and the report of a stuck hart.
#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "models/cpu/hart.h"
#include "models/cpu/names.h"
#include "platform/simulation.h"
#include "platform/symbols.h"
#include "platform/terminal.h"

namespace vp::cpu {
namespace {

// GDB's RISC-V register numbers (gdb/riscv-tdep.h): x0-x31, pc, f0-f31, then
// CSR n at 65 + n, and the virtual "priv" register after the CSRs.
constexpr unsigned kPc = 32, kFirstFp = 33, kFirstCsr = 65, kPriv = kFirstCsr + 4096;
constexpr unsigned kTime = 0xc01;
const char* const kCpu = "org.gnu.gdb.riscv.cpu";
const char* const kFpu = "org.gnu.gdb.riscv.fpu";
const char* const kCsr = "org.gnu.gdb.riscv.csr";
const char* const kVirtual = "org.gnu.gdb.riscv.virtual";

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}
std::string hex16(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64, v);
  return buf;
}
const char* priv_name(Priv p) { return p == Priv::M ? "M" : p == Priv::S ? "S" : "U"; }

bool uses_fpu(const Insn& in) {
  if (in.op == Op::ILLEGAL || !in.info) return false;
  if (in.info->flags & (kRdIsFloat | kRs1IsFloat | kRs2IsFloat)) return true;
  const bool csr = in.info->fmt == Fmt::kCsr || in.info->fmt == Fmt::kCsrI;
  return csr && in.imm >= 1 && in.imm <= 3;  // fflags, frm, fcsr
}

}  // namespace

// Adapts the platform's symbol table to the core's trace labels.
class Hart::Symbols : public SymbolLookup {
 public:
  explicit Symbols(const platform::SymbolTable& t) : t_(t) {}
  bool lookup(uint64_t addr, std::string& name, uint64_t& start, uint64_t& end) const override {
    const auto* s = t_.containing(addr, &start, &end);
    if (!s) return false;
    name = s->name;
    return true;
  }

 private:
  const platform::SymbolTable& t_;
};

void Hart::set_symbols(const platform::SymbolTable* symbols) {
  symbols_ = symbols;
  symbol_lookup_ = symbols ? std::make_unique<Symbols>(*symbols) : nullptr;
  core_->set_symbols(symbol_lookup_.get());
}

std::vector<platform::DebugRegister> Hart::debug_registers() const {
  std::vector<platform::DebugRegister> r;
  for (unsigned i = 0; i < 32; ++i)
    r.push_back({xreg_name(i), i, 64, kCpu, i == 1 ? "code_ptr" : (i == 2 || i == 8) ? "data_ptr" : "int", "general"});
  r.push_back({"pc", kPc, 64, kCpu, "code_ptr", "general"});
  const uint32_t ext = core_->config().ext;
  const bool fp = ext & (kExtF | kExtD);
  if (fp) {
    for (unsigned i = 0; i < 32; ++i) r.push_back({freg_name(i), kFirstFp + i, 64, kFpu, "riscv_double", "float"});
    for (unsigned c = 1; c <= 3; ++c) r.push_back({csr_name(c), kFirstCsr + c, 64, kFpu, "int", "float"});
  }
  for (const CsrName& c : csr_names()) {
    if (c.number <= 3) continue;  // fflags, frm, fcsr: in the FPU feature
    const bool supervisor = (c.number >> 8 & 3) == 1 || c.number == 0x302 || c.number == 0x303;
    if (supervisor && !(ext & kExtS)) continue;
    r.push_back({c.name, kFirstCsr + c.number, 64, kCsr, "int", "csr"});
  }
  r.push_back({"priv", kPriv, 64, kVirtual, "int", "general"});
  return r;
}

bool Hart::read_register(unsigned n, uint64_t& v) {
  if (n < 32) {
    v = core_->reg(n);
  } else if (n == kPc) {
    v = core_->pc();
  } else if (n >= kFirstFp && n < kFirstFp + 32) {
    if (!(core_->config().ext & (kExtF | kExtD))) return false;
    v = core_->freg(n - kFirstFp);
  } else if (n == kPriv) {
    v = static_cast<uint64_t>(core_->priv());
  } else if (n >= kFirstCsr && n < kPriv) {
    const unsigned csr = n - kFirstCsr;
    if (csr == kTime) {
      // The time CSR without a bus access from outside the simulation: mtime by debug transport.
      if (cfg_.mtime) return debug_transport(false, *cfg_.mtime, &v, 8) == 8;
      v = static_cast<uint64_t>(sc_core::sc_time_stamp() / timebase_period_);
      return true;
    }
    return core_->peek_csr(csr, v);
  } else {
    return false;
  }
  return true;
}

bool Hart::write_register(unsigned n, uint64_t v) {
  if (n < 32) {
    core_->set_reg(n, v);
  } else if (n == kPc) {
    core_->set_pc(v);
  } else if (n >= kFirstFp && n < kFirstFp + 32) {
    if (!(core_->config().ext & (kExtF | kExtD))) return false;
    core_->set_freg(n - kFirstFp, v);
  } else if (n == kPriv) {
    if (v != 0 && v != 1 && v != 3) return false;
    core_->set_priv(static_cast<Priv>(v));
  } else if (n >= kFirstCsr && n < kPriv) {
    return core_->poke_csr(n - kFirstCsr, v);
  } else {
    return false;
  }
  return true;
}

size_t Hart::debug_transport(bool write, uint64_t paddr, void* data, size_t len) {
  tlm::tlm_generic_payload gp;
  gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  gp.set_address(paddr);
  gp.set_data_ptr(static_cast<unsigned char*>(data));
  gp.set_data_length(static_cast<unsigned>(len));
  gp.set_streaming_width(static_cast<unsigned>(len));
  const size_t n = mem->transport_dbg(gp);
  if (write) time_invalidate();  // it may have written mtime
  return n;
}

// Page by page: each virtual page is translated on its own.
size_t Hart::read_memory(uint64_t addr, void* data, size_t len, bool physical) {
  size_t done = 0;
  auto* d = static_cast<uint8_t*>(data);
  while (done < len) {
    const uint64_t va = addr + done;
    const size_t n = std::min<size_t>(len - done, 4096 - (va & 0xfff));
    uint64_t pa = va;
    if (!physical && !core_->debug_translate(va, false, pa)) break;
    const size_t got = debug_transport(false, pa, d + done, n);
    done += got;
    if (got < n) break;
  }
  return done;
}

size_t Hart::write_memory(uint64_t addr, const void* data, size_t len, bool physical) {
  size_t done = 0;
  const auto* d = static_cast<const uint8_t*>(data);
  while (done < len) {
    const uint64_t va = addr + done;
    const size_t n = std::min<size_t>(len - done, 4096 - (va & 0xfff));
    uint64_t pa = va;
    if (!physical && !core_->debug_translate(va, false, pa)) break;
    const size_t put = debug_transport(true, pa, const_cast<uint8_t*>(d + done), n);
    core_->code_modified(pa, put);
    if (put) core_->foreign_store(pa, d + done, put);
    done += put;
    if (put < n) break;
  }
  return done;
}

namespace {
Triggers::Watch trigger_kind(platform::WatchKind k) {
  switch (k) {
    case platform::WatchKind::kWrite: return Triggers::Watch::kStore;
    case platform::WatchKind::kRead: return Triggers::Watch::kLoad;
    case platform::WatchKind::kAccess: return Triggers::Watch::kAccess;
    default: return Triggers::Watch::kExec;
  }
}
}  // namespace

bool Hart::insert_watchpoint(platform::WatchKind kind, uint64_t addr, uint64_t len) {
  if (kind == platform::WatchKind::kSoftware) {
    debugger_breakpoints_.push_back(addr);
    update_breakpoints();
    return true;
  }
  if (!core_->triggers().insert_debug(trigger_kind(kind), addr, kind == platform::WatchKind::kHardware ? 1 : len))
    return false;
  watches_.push_back({kind, addr, len});
  core_->triggers_changed();
  return true;
}

bool Hart::remove_watchpoint(platform::WatchKind kind, uint64_t addr, uint64_t len) {
  if (kind == platform::WatchKind::kSoftware) {
    auto it = std::find(debugger_breakpoints_.begin(), debugger_breakpoints_.end(), addr);
    if (it == debugger_breakpoints_.end()) return false;
    debugger_breakpoints_.erase(it);
    update_breakpoints();
    return true;
  }
  if (!core_->triggers().remove_debug(trigger_kind(kind), addr, kind == platform::WatchKind::kHardware ? 1 : len))
    return false;
  for (auto it = watches_.begin(); it != watches_.end(); ++it) {
    if (it->kind == kind && it->addr == addr && (kind == platform::WatchKind::kHardware || it->len == len)) {
      watches_.erase(it);
      break;
    }
  }
  core_->triggers_changed();
  return true;
}

void Hart::remove_all_watchpoints() {
  debugger_breakpoints_.clear();
  update_breakpoints();
  watches_.clear();
  core_->triggers().remove_all_debug();
  core_->triggers_changed();
}

void Hart::set_single_step(bool on) {
  single_step_ = on;
  core_->set_irq_mask(on);  // Debug spec 4.9.1 dcsr.stepie = 0: no interrupts while stepping
}

platform::DebugStop Hart::take_debug_stop() {
  platform::DebugStop s = debug_stop_;
  debug_stop_ = {};
  return s;
}

// The core halted for a debugger: say why, in the debugger's terms, and pause.
void Hart::on_halt() {
  const DebugHalt& h = core_->debug_halt();
  platform::DebugStop s;
  if (h.kind == DebugHalt::Kind::kBreakpoint) {
    s.kind = platform::DebugStop::Kind::kBreakpoint;
    s.reason = "breakpoint at " + hex(h.pc);
  } else if (h.len == 0) {  // an execute trigger
    s.kind = platform::DebugStop::Kind::kBreakpoint;
    s.hardware = true;
    s.reason = "breakpoint at " + hex(h.pc) + " (trigger " + std::to_string(h.trigger) + ")";
  } else {
    s.kind = platform::DebugStop::Kind::kWatchpoint;
    s.addr = h.addr;
    s.watch = h.store ? platform::WatchKind::kWrite : platform::WatchKind::kRead;
    // Report the watched range the access touched, as the watch was set.
    for (const Watch& w : watches_) {
      if (w.kind == platform::WatchKind::kHardware || h.addr >= w.addr + w.len || w.addr >= h.addr + h.len) continue;
      s.watch = w.kind;
      s.addr = std::max(h.addr, w.addr);
      break;
    }
    s.reason = std::string(h.store ? "store to " : "load from ") + hex(h.addr) + " (watchpoint, trigger " +
               std::to_string(h.trigger) + ")";
  }
  if (single_step_) set_single_step(false);
  debug_stop_ = std::move(s);  // no local string alive across the pause
  debug_pause(debug_stop_.reason.c_str());
}

// --- stuck reports --------------------------------------------------------------

std::string Hart::status_line() const {
  std::string where = hex(core_->pc());
  if (symbols_) {
    const std::string sym = symbols_->describe(core_->pc());
    if (!sym.empty()) where += " <" + sym + ">";
  }
  char buf[160];
  std::snprintf(buf, sizeof buf, ", %s-mode, %" PRIu64 " instructions", priv_name(core_->priv()), core_->instret());
  std::string line = std::string(name()) + ": pc " + where + buf;
  if (const uint64_t t = instructions_trapped()) line += " (" + std::to_string(t) + " more trapped)";
  if (parked_) line += ", asleep in wfi with every interrupt disabled";
  return line;
}

std::string Hart::report_header(const std::string& why, uint64_t pc, Priv priv) const {
  auto csr = [this](unsigned n) {
    uint64_t v = 0;
    core_->peek_csr(n, v);
    return hex(v);
  };
  std::string out = "vp: " + std::string(name()) + " is stuck: " + why + "\n";
  std::string sym = symbols_ ? symbols_->describe(pc) : "";
  out += "  hart " + std::to_string(cfg_.hartid) + " (" + name() + "), " + priv_name(priv) + "-mode, pc " +
         hex16(pc) + (sym.empty() ? "" : " <" + sym + ">") + "\n";
  uint32_t raw = 0;
  auto* self = const_cast<Hart*>(this);
  if (self->read_memory(pc, &raw, 2, false) == 2) {
    const bool wide = (raw & 3) == 3;
    if (wide && self->read_memory(pc + 2, reinterpret_cast<uint8_t*>(&raw) + 2, 2, false) != 2) raw &= 0xffff;
    const Insn in = decode(wide ? raw : raw & 0xffff, core_->config().ext);
    char buf[96];
    std::snprintf(buf, sizeof buf, "0x%0*x  %s", wide ? 8 : 4, wide ? raw : raw & 0xffff, disassemble(in, pc).c_str());
    out += "  instruction: " + std::string(buf) + "\n";
  } else {
    out += "  instruction: none (nothing readable at " + hex(pc) + ")\n";
  }
  out += "  mcause " + csr(0x342) + "  mepc " + csr(0x341) + "  mtval " + csr(0x343) + "  mtvec " + csr(0x305) +
         "  mstatus " + csr(0x300) + "\n";
  if (core_->config().ext & kExtS)
    out += "  scause " + csr(0x142) + "  sepc " + csr(0x141) + "  stval " + csr(0x143) + "  stvec " + csr(0x105) +
           "  satp " + csr(0x180) + "\n";
  out += "  mie " + csr(0x304) + "  mip " + csr(0x344) + "\n";
  return out;
}

// Hints for the traps of a fault loop, in the order they happened.
std::string Hart::trap_loop_report() const {
  const StuckDetector& d = const_cast<Hart*>(this)->core_->stuck_detector();
  const auto& hist = d.history();
  const auto& last = hist.back();
  char why[200];
  std::snprintf(why, sizeof why, "the same trap repeats with no progress: %s at %s, %" PRIu64 " times in a row",
                cause_name(last.cause, false).c_str(), hex(last.epc).c_str(), d.streak());
  std::string out = report_header(why, last.epc, static_cast<Priv>(last.priv));
  if (core_->pc() != last.epc) {
    const std::string sym = symbols_ ? symbols_->describe(core_->pc()) : "";
    out += "  trap handler: pc " + hex16(core_->pc()) + (sym.empty() ? "" : " <" + sym + ">") + ", " +
           priv_name(core_->priv()) + "-mode\n";
  }
  out += "  last traps, oldest first:\n";
  for (const auto& r : hist) {
    const std::string sym = symbols_ ? symbols_->describe(r.epc) : "";
    char line[256];
    std::snprintf(line, sizeof line, "    %s %-24s %s, tval %s, from %s-mode%s\n", hex16(r.epc).c_str(),
                  sym.empty() ? "" : ("<" + sym + ">").c_str(), cause_name(r.cause, false).c_str(),
                  hex(r.tval).c_str(), priv_name(static_cast<Priv>(r.priv)),
                  r.count > 1 ? (" (x" + std::to_string(r.count) + ")").c_str() : "");
    out += line;
  }
  // What probably went wrong, from each distinct trap.
  std::vector<std::string> hints;
  auto hint = [&hints](const std::string& h) {
    if (std::find(hints.begin(), hints.end(), h) == hints.end()) hints.push_back(h);
  };
  auto* self = const_cast<Hart*>(this);
  for (const auto& r : hist) {
    uint8_t probe;
    switch (r.cause) {
      case kInsnAccessFault:
        if (self->read_memory(r.tval, &probe, 1, true) != 1)
          hint("execution reached " + hex(r.tval) + ", where nothing is mapped (no memory or device there)");
        else
          hint("fetching at " + hex(r.tval) + " is refused (PMP or the device)");
        break;
      case kIllegalInsn: {
        uint32_t raw = static_cast<uint32_t>(r.tval);
        if (raw == 0) {
          hint(hex(r.epc) + " holds zeros: no software was loaded there (give --kernel or --bios), or the program "
                            "jumped into empty memory");
          break;
        }
        const Insn in = decode(raw, core_->config().ext);
        uint64_t mstatus = 0;
        self->core_->peek_csr(0x300, mstatus);
        if (uses_fpu(in) && ((mstatus >> 13) & 3) == 0)
          hint("a floating-point instruction at " + hex(r.epc) + " while the FPU is off (mstatus.FS = 0): set "
               "mstatus.FS (csrs mstatus, with 0x2000) before using floating point");
        else
          hint("the instruction at " + hex(r.epc) + " (" + hex(raw) + ") is illegal here");
        break;
      }
      case kBreakpoint: {
        uint32_t before = 0, after = 0;
        if (self->read_memory(r.epc - 4, &before, 4, false) == 4 && self->read_memory(r.epc + 4, &after, 4, false) == 4 &&
            before == Semihosting::kEntry && after == Semihosting::kExitNop)
          hint("the ebreak at " + hex(r.epc) + " is a semihosting call: run with --semihosting");
        else
          hint("an ebreak at " + hex(r.epc) + " with no debugger attached and no handler that skips it");
        break;
      }
      case kLoadAccessFault: case kStoreAccessFault:
        if (self->read_memory(r.tval, &probe, 1, true) != 1)
          hint(std::string(r.cause == kLoadAccessFault ? "a load from " : "a store to ") + hex(r.tval) +
               ": nothing is mapped there (no device at that address on this platform)");
        else
          hint(std::string(r.cause == kLoadAccessFault ? "a load from " : "a store to ") + hex(r.tval) +
               " is refused (PMP, or the device does not accept that access)");
        break;
      case kInsnPageFault: case kLoadPageFault: case kStorePageFault:
        hint("a page fault at " + hex(r.tval) + ": the page tables do not map it with that permission");
        break;
      case kInsnMisaligned: case kLoadMisaligned: case kStoreMisaligned:
        hint("a misaligned address " + hex(r.tval));
        break;
      default:
        break;
    }
  }
  uint64_t mtvec = 0;
  self->core_->peek_csr(0x305, mtvec);
  if (mtvec == 0) hint("mtvec is 0: no trap handler was installed, so every trap jumps to address 0");
  for (const auto& h : hints) out += "  likely cause: " + h + "\n";
  char tail[160];
  std::snprintf(tail, sizeof tail, "  %" PRIu64 " instructions retired, %" PRIu64 " trapped; host time %.3f s\n",
                core_->instret(), instructions_trapped(), host_seconds_);
  return out + tail;
}

std::string Hart::wfi_report() const {
  std::string out = report_header("it waits for an interrupt (wfi) with every interrupt disabled (mie = 0), so "
                                  "nothing can wake it", core_->pc(), core_->priv());
  char tail[160];
  std::snprintf(tail, sizeof tail, "  %" PRIu64 " instructions retired; host time %.3f s\n", core_->instret(),
                host_seconds_);
  return out + tail;
}

// Once per batch, never per instruction: a batch that ends where the last one
// ended, on `j .` (jal x0, 0 or c.j 0), with no interrupt able to be taken
// (M-mode with mstatus.MIE = 0, or mie = 0), can never leave. Like wfi with
// every interrupt off, the hart is parked; when every hart is, the run is stuck.
void Hart::check_spin() {
  const uint64_t pc = core_->pc();
  const bool again = pc == spin_pc_;
  spin_pc_ = pc;
  if (!again) {
    if (spinning_) parked_ = spinning_ = false;
    return;
  }
  if (spinning_) return;
  uint32_t raw = 0;
  if (read_memory(pc, &raw, 4, false) < 2) return;
  const bool self_jump = raw == 0x0000006f || (raw & 0xffff) == 0xa001;
  uint64_t mstatus = 0;
  core_->peek_csr(0x300, mstatus);
  const bool no_interrupt = core_->mie() == 0 || (core_->priv() == Priv::M && !(mstatus & 0x8));
  if (self_jump && no_interrupt) parked_ = spinning_ = true;
}

std::string Hart::stuck_report() const {
  if (spinning_) {
    uint64_t mstatus = 0;
    core_->peek_csr(0x300, mstatus);
    std::string out = report_header("it spins in a jump to itself with every interrupt disabled (" +
                                        std::string(core_->mie() == 0 ? "mie = 0" : "mstatus.MIE = 0") +
                                        "), so nothing can get it out",
                                    core_->pc(), core_->priv());
    if (symbols_ && symbols_->describe(core_->pc()).rfind("_cstart", 0) == 0)
      out += "  likely cause: main returned and the C start-up code parks the hart; call exit() instead\n";
    char tail[160];
    std::snprintf(tail, sizeof tail, "  %" PRIu64 " instructions retired; host time %.3f s\n", core_->instret(),
                  host_seconds_);
    return out + tail;
  }
  if (parked_) return wfi_report();
  return stuck_report_;
}

void Hart::on_stuck() {
  stuck_report_ = trap_loop_report();
  const auto& last = core_->stuck_detector().history().back();
  const std::string summary = std::string(name()) + " is stuck: " + cause_name(last.cause, false) + " at " +
                              hex(last.epc) + " repeats with no progress";
  switch (platform::stuck_policy()) {
    case platform::StuckPolicy::kStop:
      stopped_ = true;
      platform::request_stop(platform::kStuckExitCode, summary);
      break;
    case platform::StuckPolicy::kContinue:
      if (!stuck_printed_) platform::message(stuck_report_ + "  (--on-stuck=continue: the run goes on)");
      stuck_printed_ = true;
      core_->clear_stuck();
      break;
    case platform::StuckPolicy::kPause:
      core_->clear_stuck();
      debug_stop_ = {platform::DebugStop::Kind::kStuck, false, platform::WatchKind::kWrite, 0, summary};
      platform::message(stuck_report_);
      debug_pause(summary.c_str());
      break;
  }
}

}  // namespace vp::cpu
