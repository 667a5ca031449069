#include "models/cpu/inorder.h"

#include <algorithm>

namespace vp::cpu {

InOrderBackend::InOrderBackend(const PipelineConfig& cfg, MemoryHierarchy& mem, FetchUnit& fetch, BranchUnit& branch,
                               OpTable& ops, RetireCounters& counters)
    : cfg_(cfg), mem_(mem), fetch_(fetch), branch_(branch), ops_(ops), c_(counters),
      blocking_(mem.l1d_blocking()), dhit_(mem.l1d_hit_latency()) {}

void InOrderBackend::redirect(uint64_t at, StallCause cause) {
  if (at >= redirect_) {
    redirect_ = at;
    redirect_cause_ = cause;
  }
  fetch_.restart();
}

// The D-TLB lookup at the memory stage; returns when the physical address is known.
uint64_t InOrderBackend::data_address(const RetireInfo& r, uint64_t t) {
  const uint64_t x = mem_.dtlb(r.mem_va, r.data_levels, t);
  st_.dtlb_stall += x - t;
  return x;
}

// Cycles lost before EX, by cause, in the order the constraints apply.
void InOrderBackend::attribute(const OpSlots& s, uint64_t base, uint64_t t_redirect, uint64_t t_fetch,
                               uint64_t t_struct, uint64_t e) {
  const uint64_t rd = t_redirect - base;
  if (redirect_cause_ == kCauseBranch) st_.stall_branch += rd;
  else if (redirect_cause_ == kCauseSerialize) st_.stall_serialize += rd;
  else st_.stall_trap += rd;
  st_.stall_icache += t_fetch - t_redirect;
  if (t_struct > t_fetch) (mem_free_ >= ex_free_ ? st_.stall_dcache : st_.stall_structural) += t_struct - t_fetch;
  if (e > t_struct) {
    // The operand that arrived last: a load result (load-use) or a multi-cycle one.
    bool load = false;
    for (unsigned k = 0; k < 3; ++k)
      if (ready_[s.src[k]] == e) load = load || from_load_[s.src[k]];
    (load ? st_.stall_load_use : st_.stall_data) += e - t_struct;
  }
}

void InOrderBackend::retire_any(const Insn& in, const RetireInfo& r, const OpSlots& s) {
  const OpInfo& o = *s.op;
  ++c_.instructions;
  ++c_.mix[static_cast<unsigned>(o.mix)];
  if (__builtin_expect(r.pc != expected_pc_, 0) && expected_pc_ != ~0ull) {
    // Control went elsewhere without a control-flow instruction: an interrupt was taken.
    ++c_.interrupts;
    redirect(cycle_ + 1 + cfg_.trap_penalty, kCauseTrap);
  }
  expected_pc_ = r.next_pc;
  const uint64_t base = cycle_ + 1;

  const uint64_t f = fetch_cycle();
  const uint64_t avail = fetch_.fetch(r, f);
  const uint64_t t_redirect = std::max(base, redirect_ + 2);
  const uint64_t t_fetch = std::max(t_redirect, avail + 1);
  const uint64_t t_struct = std::max(t_fetch, std::max(mem_free_, ex_free_));
  // Operands (forwarding network: ready_ is the first EX cycle that can use them).
  const uint64_t src = std::max(ready_[s.src[0]], std::max(ready_[s.src[1]], ready_[s.src[2]]));
  const uint64_t e = std::max(t_struct, src);
  if (e > base) attribute(s, base, t_redirect, t_fetch, t_struct, e);
  cycle_ = e;

  // Execute; `ready` is the first EX cycle a consumer may use the result in.
  uint64_t ready = e + o.latency;
  bool load = false;
  if (o.kind == Kind::kMemory) {
    const uint64_t t = e + 1;  // the memory stage
    if (o.load) {
      load = true;
      uint64_t done;
      if (!r.cached) {
        done = mem_.uncached(t);
        if (o.store) done = mem_.uncached(done);  // AMO: read, then write
        mem_free_ = done - 1;
      } else {
        const uint64_t x = data_address(r, t);
        if (o.store) {  // AMO
          done = mem_.store(r.mem_pa, r.pc, mem_.load(r.mem_pa, r.pc, x));
          mem_free_ = done - 1;
        } else {
          done = mem_.load(r.mem_pa, r.pc, x);
          mem_free_ = blocking_ ? done - 1 : x + dhit_ - 1;
        }
      }
      ready = done;
    } else if (!r.cached) {
      mem_free_ = mem_.uncached(t) - 1;
      ready = mem_free_ + 1;  // SC's result
    } else {
      const uint64_t x = data_address(r, t);
      const uint64_t done = mem_.store(r.mem_pa, r.pc, x);
      const bool sc = o.cls == OpClass::kSc;
      mem_free_ = blocking_ || sc ? done - 1 : x + dhit_ - 1;
      if (sc) {
        ready = done;
        load = true;
      }
    }
  } else if (o.kind == Kind::kControl) {
    const BranchResult b = branch_.resolve(in, o.cls, r.pc, r.next_pc);
    if (b.redirect == Redirect::kResolve) {
      const uint64_t at = e + cfg_.branch_resolve - 1 + cfg_.mispredict_penalty;
      fetch_.wrong_path(b.predicted, r, f + 1, at + 1, 4, 64);
      redirect(at, kCauseBranch);
    } else if (b.redirect == Redirect::kDecode) {
      fetch_.wrong_path(b.predicted, r, f + 1, e, 4, 64);
      redirect(e, kCauseBranch);  // target computed in decode
    }
  } else if (o.kind == Kind::kOther) {
    if (o.busy) ex_free_ = e + o.latency;
    if (o.serialize) {
      if (o.cls == OpClass::kFenceI) mem_.flush_icache();
      else if (o.cls == OpClass::kSfence) mem_.flush_tlbs();
      redirect(e + 1, kCauseSerialize);
    }
  }
  finish(s, ready, load);
  update_clear();
  if (observer_) {
    // Decode waits for the fetched line; MEM lasts until the access is done.
    const uint64_t m = e + (o.kind == Kind::kMemory ? 1 : std::max<uint64_t>(1, o.latency));
    uint64_t wb = m + 1;
    if (o.kind == Kind::kMemory) wb = std::max(wb, std::max(ready, mem_free_ + 1));
    StageTimes t{std::min(f, t_fetch - 1), t_fetch - 1, e, m, wb, 0};
    t.retire = last_retire_ = std::max(last_retire_, wb + 1);
    observer_->retired(in, r.pc, t);
  }
}

void InOrderBackend::fetch_new_line(uint64_t pc, uint64_t fetch_pa, uint8_t fetch_levels) {
  const uint64_t f = fetch_cycle();
  fetch_.fetch(RetireInfo{pc, fetch_pa, 0, 0, 0, false, fetch_levels, 0}, f);
  update_clear();
}

// retire_any()'s control-flow case for an unstalled instruction (e = cycle_ + 1,
// fetch on the current line).
void InOrderBackend::retire_control(const Insn& in, const OpSlots& s, uint64_t pc, uint64_t next_pc,
                                    uint64_t fetch_pa) {
  const uint64_t f = fetch_cycle();
  const uint64_t e = begin(s, next_pc);
  const BranchResult b = branch_.resolve(in, s.op->cls, pc, next_pc);
  if (b.redirect != Redirect::kNone) {
    const RetireInfo r{pc, fetch_pa, next_pc, 0, 0, false, 0, 0};  // wrong_path() reads the pcs only
    if (b.redirect == Redirect::kResolve) {
      const uint64_t at = e + cfg_.branch_resolve - 1 + cfg_.mispredict_penalty;
      fetch_.wrong_path(b.predicted, r, f + 1, at + 1, 4, 64);
      redirect(at, kCauseBranch);
    } else {
      fetch_.wrong_path(b.predicted, r, f + 1, e, 4, 64);
      redirect(e, kCauseBranch);
    }
    update_clear();  // otherwise only cycle_ moved
  }
  finish(s, e + s.latency, false);
}

void InOrderBackend::trap() {
  ++c_.traps;
  expected_pc_ = ~0ull;
  redirect(cycle_ + 1 + cfg_.trap_penalty, kCauseTrap);
  update_clear();
}

void InOrderBackend::idle(uint64_t cycles) {
  c_.idle_cycles += cycles;
  cycle_ += cycles;
  redirect_ = std::max(redirect_, cycle_);
  update_clear();
}

void InOrderBackend::for_each_counter(
    const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f) {
  f("stalls.load_use", "cycles waiting for a load result", &st_.stall_load_use);
  f("stalls.data", "cycles waiting for a multi-cycle result (mul, div, FP)", &st_.stall_data);
  f("stalls.icache", "fetch stall cycles (I-TLB, I-cache misses)", &st_.stall_icache);
  f("stalls.dcache", "memory-stage stall cycles (D-TLB, D-cache misses, uncached accesses)", &st_.stall_dcache);
  f("stalls.structural", "cycles waiting for an iterative unit (div, fdiv, fsqrt)", &st_.stall_structural);
  f("stalls.branch", "refill cycles after mispredictions and decode redirects", &st_.stall_branch);
  f("stalls.serialize", "refill cycles after CSR, fence and system instructions", &st_.stall_serialize);
  f("stalls.trap", "refill cycles after traps and interrupts", &st_.stall_trap);
  f("stalls.dtlb", "memory-stage cycles waiting for D-TLB page walks", &st_.dtlb_stall);
}

}  // namespace vp::cpu
