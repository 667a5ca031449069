// Instruction trace: one line per instruction with what it did (register
// written, memory address, CSR written), symbol labels where the code enters
// another function, trap and interrupt lines; filtered by a window (start/stop
// pc or instruction count), pc ranges, privilege levels, or traps only.
#include <cinttypes>
#include <cstdio>

#include "models/cpu/core_internal.h"
#include "models/cpu/names.h"
#include "models/cpu/pipeline.h"

namespace vp::cpu {

void Core::set_trace_filter(const platform::TraceFilter& f) {
  filter_ = f;
  trace_window_ = !f.windowed();
  trace_done_ = false;
  trace_sym_.clear();
  trace_sym_start_ = 1;
  trace_sym_end_ = 0;
  update_debug();
}

bool Core::trace_selected(uint64_t pc, Priv p) const {
  if (!((filter_.priv_mask >> static_cast<unsigned>(p)) & 1)) return false;
  if (filter_.ranges.empty()) return true;
  for (const auto& [lo, hi] : filter_.ranges)
    if (pc >= lo && pc < hi) return true;
  return false;
}

// Opens the window at its start condition, closes it for good at its stop
// condition (checked from the instruction after the one that opened it).
void Core::trace_window_update() {
  using platform::TraceFilter;
  const uint64_t n = instret();
  if (trace_window_) {
    if ((filter_.stop_pc != TraceFilter::kNone && pc_ == filter_.stop_pc) ||
        (filter_.stop_count && n >= filter_.stop_count)) {
      trace_window_ = false;
      trace_done_ = true;
      update_debug();
    }
    return;
  }
  if ((filter_.start_pc != TraceFilter::kNone && pc_ == filter_.start_pc) ||
      (filter_.start_count && n >= filter_.start_count)) {
    trace_window_ = true;
    update_debug();
  }
}

void Core::trace_label(uint64_t pc) {
  if (!symbols_ || (pc >= trace_sym_start_ && pc < trace_sym_end_)) return;
  std::string name;
  uint64_t start, end;
  if (!symbols_->lookup(pc, name, start, end)) {
    trace_sym_.clear();
    trace_sym_start_ = 1;
    trace_sym_end_ = 0;
    return;
  }
  trace_sym_start_ = start;
  trace_sym_end_ = end;
  if (name == trace_sym_) return;
  trace_sym_ = name;
  *trace_ << "core " << cfg_.hartid << ": <" << name << ">\n";
}

// Executes the first instruction of b and prints its line.
void Core::exec_traced(Block* b) {
  const uint64_t pc = pc_;
  const Priv p = priv_;
  const Insn in = b->insns[0];
  bool mem = false;
  uint64_t ea = 0;
  switch (in.info ? in.info->fmt : Fmt::kNone) {
    case Fmt::kLoad: case Fmt::kStore: case Fmt::kFLoad: case Fmt::kFStore:
      ea = x_[in.rs1 & 31] + static_cast<uint64_t>(in.imm);  // before rd is written
      mem = true;
      break;
    case Fmt::kAmo: case Fmt::kLr:
      ea = x_[in.rs1 & 31];
      mem = true;
      break;
    default:
      break;
  }
  const uint64_t before = instret_;
  if (timing_)
    exec_block<true>(b, 1);
  else
    exec_block<false>(b, 1);
  trace_label(pc);
  char buf[384];
  const std::string dis = disassemble(in, pc);
  int n = std::snprintf(buf, sizeof buf, "core %" PRIu64 ": %d 0x%016" PRIx64 " (0x%0*x) %-32s", cfg_.hartid,
                        static_cast<int>(p), pc, in.len == 2 ? 4 : 8, in.raw, dis.c_str());
  auto add = [&](const char* fmt, auto... args) {
    if (n > 0 && static_cast<size_t>(n) < sizeof buf) n += std::snprintf(buf + n, sizeof buf - n, fmt, args...);
  };
  if (instret_ == before) {
    add(" exception %" PRIu64 ", tval 0x%" PRIx64, (priv_ == Priv::S ? scause_ : mcause_) & 63,
        priv_ == Priv::S ? stval_ : mtval_);
  } else {
    if (writes_rd(in) && (in.info->flags & kRdIsFloat))
      add(" %s 0x%016" PRIx64, freg_name(in.rd), f_[in.rd]);
    else if (writes_rd(in) && in.rd != 0 && in.rd != 32)
      add(" %s 0x%016" PRIx64, xreg_name(in.rd), x_[in.rd]);
    if (mem) add(" mem 0x%016" PRIx64, ea);
    const bool csr_write = in.op == Op::CSRRW || in.op == Op::CSRRWI ||
                           ((in.op == Op::CSRRS || in.op == Op::CSRRC || in.op == Op::CSRRSI ||
                             in.op == Op::CSRRCI) && in.rs1 != 0);
    if (csr_write) {
      const auto csr = static_cast<unsigned>(in.imm);
      uint64_t v = 0;
      const char* name = csr_name(csr);
      if (csr != 0xc01 && csr_read(csr, v))  // `time` is read-only: never written
        name ? add(" csr %s 0x%016" PRIx64, name, v) : add(" csr 0x%03x 0x%016" PRIx64, csr, v);
    }
  }
  *trace_ << buf << '\n';
}

void Core::trace_fetch_fault(uint64_t pc, const Trap& t) {
  if (!trace_selected(pc, priv_)) return;
  char buf[128];
  std::snprintf(buf, sizeof buf, "core %" PRIu64 ": 0x%016" PRIx64 " exception %" PRIu64 " (fetch), tval 0x%016" PRIx64
                "\n", cfg_.hartid, pc, t.cause, t.tval);
  *trace_ << buf;
}

// Interrupts always get a line inside the window; exceptions only with
// traps_only (the instruction line shows them otherwise).
void Core::trace_trap(uint64_t cause, bool interrupt, uint64_t tval) {
  if (!trace_window_ || trace_done_ || !(interrupt || filter_.traps_only) || !trace_selected(pc_, priv_)) return;
  trace_label(pc_);
  char buf[192];
  const std::string what = cause_name(cause, interrupt);
  if (interrupt)
    std::snprintf(buf, sizeof buf, "core %" PRIu64 ": interrupt %" PRIu64 " (%s) at 0x%016" PRIx64 "\n", cfg_.hartid,
                  cause, what.c_str(), pc_);
  else
    std::snprintf(buf, sizeof buf, "core %" PRIu64 ": %d 0x%016" PRIx64 " exception %" PRIu64 " (%s), tval 0x%" PRIx64
                  "\n", cfg_.hartid, static_cast<int>(priv_), pc_, cause, what.c_str(), tval);
  *trace_ << buf;
}

}  // namespace vp::cpu
