// The core's debugging support: the debug run loop (breakpoints, Sdtrig
// triggers, tracing, single steps), debugger access to state and memory, and
// the semihosting call site.
#include <algorithm>

#include "models/cpu/core_internal.h"
#include "models/cpu/pipeline.h"
#include "models/cpu/semihosting.h"

#define VP_UNLIKELY(x) __builtin_expect(!!(x), 0)

namespace vp::cpu {

void Core::set_breakpoints(std::vector<uint64_t> pcs) {
  std::sort(pcs.begin(), pcs.end());
  pcs.erase(std::unique(pcs.begin(), pcs.end()), pcs.end());
  breakpoints_ = std::move(pcs);
  update_debug();
}

// Recomputes what the debug loop must watch for. Data triggers keep loads and
// stores off the TLB fast path, so that every access reaches the trigger check.
void Core::update_debug() {
  stop_pcs_ = breakpoints_;
  if (trace_ && !trace_done_) {
    if (!trace_window_ && filter_.start_pc != platform::TraceFilter::kNone) stop_pcs_.push_back(filter_.start_pc);
    if (filter_.stop_pc != platform::TraceFilter::kNone) stop_pcs_.push_back(filter_.stop_pc);
  }
  std::sort(stop_pcs_.begin(), stop_pcs_.end());
  debug_active_ = !stop_pcs_.empty() || triggers_.any_armed() || (trace_ && !trace_done_) || irq_mask_;
  if (debug_active_) run_.irq_check = true;  // the fast loop notices at its next block and returns
  const bool watch = triggers_.data_armed();
  if (watch != watch_data_) {
    watch_data_ = watch;
    flush_tlb();
  }
}

bool Core::stop_point(uint64_t pc) const {
  if (!stop_pcs_.empty() && std::binary_search(stop_pcs_.begin(), stop_pcs_.end(), pc)) return true;
  return triggers_.exec_armed() && triggers_.may_match_exec(pc, static_cast<unsigned>(priv_));
}

// How many instructions of b (starting at pc_) run before the next stop point:
// a breakpoint, an execute trigger, a trace window edge. A block is straight-line
// code, so instruction i is at pc_ plus the lengths before it.
unsigned Core::runnable(const Block* b) {
  const unsigned n = static_cast<unsigned>(b->insns.size());
  if (triggers_.debug_data_armed()) return 1;  // halt right after the access
  unsigned limit = n;
  if (trace_ && !trace_done_) {
    const uint64_t now = instret();
    const uint64_t edge = !trace_window_ ? filter_.start_count : filter_.stop_count;
    if (edge && edge > now && edge - now < limit) limit = static_cast<unsigned>(edge - now);
  }
  if (stop_pcs_.empty() && !triggers_.exec_armed()) return limit;
  uint64_t pc = pc_;
  for (unsigned i = 1; i < limit; ++i) {
    pc += b->insns[i - 1].len;
    if (stop_point(pc)) return i;
  }
  return limit;
}

// The run loop while debugging: one block (or the part of it before a stop
// point) at a time, one instruction at a time while tracing.
RunExit Core::run_debug(uint64_t budget, uint64_t& executed) {
  run_done_ = 0;
  blk_i_ = 0;
  run_.wfi = false;
  halt_ = {};
  RunExit why = RunExit::kBudget;
  while (run_done_ < budget) {
    if (VP_UNLIKELY(run_.stop)) {
      why = RunExit::kStop;
      break;
    }
    if (VP_UNLIKELY(pc_ == stop_pc_)) {
      why = RunExit::kStopPc;
      break;
    }
    if (!graveyard_.empty()) reap_blocks();
    if (run_.irq_check && !irq_mask_) check_interrupts();
    if (trace_ && !trace_done_) trace_window_update();
    if (pc_ != skip_pc_) {
      if (!breakpoints_.empty() && std::binary_search(breakpoints_.begin(), breakpoints_.end(), pc_)) {
        halt_ = {DebugHalt::Kind::kBreakpoint, pc_, 0, 0, false, 0};
        why = RunExit::kDebug;
        break;
      }
      if (triggers_.exec_armed()) {
        const Triggers::Hit hit = triggers_.match_exec(pc_, static_cast<unsigned>(priv_));
        if (hit.fired && hit.debug) {
          halt_ = {DebugHalt::Kind::kTrigger, pc_, pc_, 0, false, hit.index};
          why = RunExit::kDebug;
          break;
        }
        if (hit.fired) {  // action 0: breakpoint exception before the instruction (priv. spec 3.1.15)
          ++run_done_;
          take_trap(kBreakpoint, pc_, false);
          if (timing_) timing_->trap();
          continue;
        }
      }
    }
    Block* b;
    const uint64_t pc = pc_;
    try {
      b = lookup_block();
    } catch (const Trap& t) {
      ++run_done_;
      if (trace_ && trace_window_ && !filter_.traps_only) trace_fetch_fault(pc, t);
      take_trap(t.cause, t.tval, false);
      if (timing_) timing_->trap();
      skip_pc_ = ~0ull;
      continue;
    }
    if (trace_ && trace_window_ && !filter_.traps_only && trace_selected(pc_, priv_)) {
      exec_traced(b);
    } else {
      uint64_t n = runnable(b);
      n = std::min<uint64_t>(n, budget - run_done_);
      if (timing_)
        exec_block<true>(b, static_cast<unsigned>(n));
      else
        exec_block<false>(b, static_cast<unsigned>(n));
    }
    if (!b->cacheable) bury(b);
    skip_pc_ = ~0ull;
    if (halt_.kind != DebugHalt::Kind::kNone) {
      halt_.pc = pc_;
      why = RunExit::kDebug;
      break;
    }
    if (run_.wfi) {
      why = RunExit::kWfi;
      break;
    }
    if (VP_UNLIKELY(run_.marker != 0)) {
      why = RunExit::kMarker;
      break;
    }
  }
  if (why == RunExit::kDebug) skip_pc_ = pc_;
  executed = run_done_;
  executed_ += run_done_;
  run_done_ = 0;
  return why;
}

// Load/store triggers (Debug spec 5.5): action 0 raises a breakpoint exception
// before the access; action 1 lets the instruction complete, then halts (GDB
// expects a write watchpoint to stop after the store).
void Core::check_data_trigger(uint64_t va, unsigned len, bool store, uint64_t value) {
  const Triggers::Hit hit = triggers_.match_data(va, len, store, value, static_cast<unsigned>(data_priv()));
  if (!hit.fired) return;
  if (!hit.debug) throw Trap{kBreakpoint, va};
  if (halt_.kind == DebugHalt::Kind::kNone) halt_ = {DebugHalt::Kind::kTrigger, 0, va, len, store, hit.index};
}

// A hash of the state a trap handler would see: registers, pc, privilege.
uint64_t Core::state_hash() const {
  uint64_t h = pc_ ^ static_cast<uint64_t>(priv_) << 56;
  for (unsigned i = 1; i < 32; ++i) h = (h ^ x_[i]) * 0x100000001b3ull;
  return h;
}

// RISC-V semihosting 2.1: the call site is the three-instruction sequence,
// all uncompressed, read through the instruction fetch translation.
bool Core::semihost_call() {
  uint32_t before = 0, after = 0;
  uint64_t pa;
  if (!debug_translate(pc_ - 4, true, pa) || !phys_read(pa, &before, 4)) return false;
  if (!debug_translate(pc_ + 4, true, pa) || !phys_read(pa, &after, 4)) return false;
  if (before != Semihosting::kEntry || after != Semihosting::kExitNop) return false;
  semihost_->call(*this);
  return true;
}

// Sv39/Sv48 walk for a debugger: no permission checks, no A/D updates, no TLB fill.
bool Core::debug_walk(uint64_t va, uint64_t& pa) {
  const unsigned mode = static_cast<unsigned>(satp_ >> 60);
  const int levels = mode == 9 ? 4 : 3;
  const int vabits = 12 + 9 * levels;
  if ((static_cast<int64_t>(va << (64 - vabits)) >> (64 - vabits)) != static_cast<int64_t>(va)) return false;
  uint64_t a = (satp_ & ((1ull << 44) - 1)) << 12;
  for (int i = levels - 1; i >= 0; --i) {
    const uint64_t pte_addr = a + ((va >> (12 + 9 * i)) & 0x1ff) * 8;
    uint64_t pte;
    if (uint8_t* h = host_ptr(pte_addr, 8, Access::kRead))
      std::memcpy(&pte, h, 8);
    else if (!host_.debug_read(pte_addr, &pte, 8))
      return false;
    if (!(pte & 1) || (!(pte & 2) && (pte & 4))) return false;  // V; R=0 W=1 is reserved
    const uint64_t ppn = (pte >> 10) & ((1ull << 44) - 1);
    if (!(pte & 0xa)) {  // neither R nor X: next level
      a = ppn << 12;
      continue;
    }
    const uint64_t off_mask = (1ull << (12 + 9 * i)) - 1;
    pa = ((ppn << 12) & ~off_mask) | (va & off_mask);
    return true;
  }
  return false;
}

bool Core::debug_translate(uint64_t va, bool exec, uint64_t& pa) {
  const Priv p = exec ? priv_ : data_priv();
  if (p == Priv::M || (satp_ >> 60) == 0) {
    pa = va;
    return true;
  }
  return debug_walk(va, pa);
}

bool Core::read_virtual(uint64_t va, void* data, size_t len) {
  auto* d = static_cast<uint8_t*>(data);
  while (len > 0) {
    const size_t n = std::min<size_t>(len, 4096 - (va & 0xfff));
    uint64_t pa;
    if (!debug_translate(va, false, pa) || !phys_read(pa, d, static_cast<unsigned>(n))) return false;
    va += n;
    d += n;
    len -= n;
  }
  return true;
}

bool Core::write_virtual(uint64_t va, const void* data, size_t len) {
  const auto* d = static_cast<const uint8_t*>(data);
  while (len > 0) {
    const size_t n = std::min<size_t>(len, 4096 - (va & 0xfff));
    uint64_t pa;
    if (!debug_translate(va, false, pa) || !phys_write(pa, d, static_cast<unsigned>(n))) return false;
    va += n;
    d += n;
    len -= n;
  }
  return true;
}

void Core::code_modified(uint64_t pa, uint64_t len) {
  if (len == 0 || code_pages_.empty()) return;
  for (uint64_t page = pa >> 12; page <= (pa + len - 1) >> 12; ++page) {
    if (!is_code_page(page)) continue;
    const uint64_t lo = std::max(pa, page << 12), hi = std::min(pa + len, (page + 1) << 12);
    notify_code_write(lo, static_cast<unsigned>(hi - lo));
  }
}

bool Core::poke_csr(unsigned csr, uint64_t value) {
  if (triggers_.is_csr(csr)) {
    triggers_.write(csr, value, /*debugger=*/true);
    update_debug();
    return true;
  }
  if (!csr_write(csr, value)) return false;
  update_xlate_ctx();
  run_.irq_check = true;
  return true;
}

void Core::set_priv(Priv p) {
  if (p == Priv::S && !(cfg_.ext & kExtS)) p = Priv::M;
  priv_ = p;
  update_xlate_ctx();
  run_.irq_check = true;
}

}  // namespace vp::cpu
