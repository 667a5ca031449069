#pragma once
// The in-order backend: a scalar 5-stage pipeline (fetch, decode, execute,
// memory, writeback) driven by the functional core's retired instruction
// stream. For each instruction it computes the cycle it enters EX: one after
// its predecessor unless held back by the front end (I-TLB/I-cache, refill
// after a redirect), a busy memory stage or iterative unit, or operands (full
// forwarding; loads after MEM). Shares the front end and the memory hierarchy
// with the out-of-order backend. Pure C++, no SystemC.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>

#include "models/cpu/frontend.h"
#include "models/cpu/pipeline_config.h"
#include "models/cpu/pipeline_observer.h"

namespace vp::cpu {

class InOrderBackend {
 public:
  InOrderBackend(const PipelineConfig& cfg, MemoryHierarchy& mem, FetchUnit& fetch, BranchUnit& branch, OpTable& ops,
                 RetireCounters& counters);

  // Inline for the common case (a plain ALU/FP instruction on the predicted
  // path, no observer): the same computation as retire_any() without its
  // memory, control-flow and serializing cases.
  void retire(const Insn& in, const RetireInfo& r) {
    const OpSlots s = ops_.slots(in);
    if (__builtin_expect(observer_ != nullptr, 0) || !retire_plain(s, r.pc, r.next_pc, r.fetch_pa)) retire_any(in, r, s);
  }
  // The plain path on its own, for a caller that has the instruction's
  // OpSlots and has checked that there is no observer: retires a plain
  // instruction on the predicted path that stays in the fetch line and does
  // not stall before EX, and returns true; otherwise changes nothing and
  // returns false (the caller then calls retire_any(), which computes the
  // same as this would and also attributes stalls). No calls: a leaf.
  __attribute__((always_inline)) bool retire_plain(const OpSlots& s, uint64_t pc, uint64_t next_pc, uint64_t fetch_pa) {
    const OpInfo& o = *s.op;
    if (o.kind != Kind::kPlain || pc != expected_pc_ || !fetch_.same_line(fetch_pa)) return false;
    const uint64_t base = cycle_ + 1;
    const uint64_t f = std::max(cycle_ > 0 ? cycle_ - 1 : 0, redirect_);
    const uint64_t avail = std::max(f + 1, fetch_.line_ready());  // fetch_.fetch() on the same line
    const uint64_t t_redirect = std::max(base, redirect_ + 2);
    const uint64_t t_fetch = std::max(t_redirect, avail + 1);
    const uint64_t t_struct = std::max(t_fetch, std::max(mem_free_, ex_free_));
    const uint64_t src = std::max(ready_[s.src[0]], std::max(ready_[s.src[1]], ready_[s.src[2]]));
    const uint64_t e = std::max(t_struct, src);
    if (e > base) return false;
    ++c_.instructions;
    ++c_.mix[static_cast<unsigned>(o.mix)];
    expected_pc_ = next_pc;
    cycle_ = e;
    ready_[s.dst] = e + o.latency;
    from_load_[s.dst] = false;
    ready_[0] = 0;  // x0
    return true;
  }
  void retire_any(const Insn& in, const RetireInfo& r, const OpSlots& s);
  void trap();
  void idle(uint64_t cycles);
  uint64_t cycles() const { return cycle_; }
  const uint64_t* cycle_counter() const { return &cycle_; }
  void set_observer(PipelineObserver* o) { observer_ = o; }

  struct Stats {
    uint64_t stall_load_use = 0, stall_data = 0, stall_icache = 0, stall_dcache = 0, stall_structural = 0,
             stall_branch = 0, stall_serialize = 0, stall_trap = 0, dtlb_stall = 0;
  };
  const Stats& stats() const { return st_; }
  void for_each_counter(const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f);

 private:
  enum StallCause : uint8_t { kCauseBranch, kCauseSerialize, kCauseTrap };
  void redirect(uint64_t at, StallCause cause);
  uint64_t data_address(const RetireInfo& r, uint64_t t);
  void attribute(const OpSlots& s, uint64_t base, uint64_t t_redirect, uint64_t t_fetch,
                 uint64_t t_struct, uint64_t e);

  const PipelineConfig& cfg_;
  MemoryHierarchy& mem_;
  FetchUnit& fetch_;
  BranchUnit& branch_;
  OpTable& ops_;
  RetireCounters& c_;
  bool blocking_;
  unsigned dhit_;

  uint64_t cycle_ = 0;            // EX cycle of the last instruction
  uint64_t ready_[kRegSlots] = {};  // cycle a register's value can be forwarded to EX
  bool from_load_[kRegSlots] = {};
  uint64_t mem_free_ = 0;         // earliest EX cycle allowed by a busy MEM stage
  uint64_t ex_free_ = 0;          // earliest EX cycle allowed by a busy iterative unit
  uint64_t redirect_ = 0;         // fetch restarts at this cycle
  StallCause redirect_cause_ = kCauseBranch;
  uint64_t expected_pc_ = ~0ull;  // next pc of the last instruction (a different pc: interrupt)
  Stats st_;
  PipelineObserver* observer_ = nullptr;
  uint64_t last_retire_ = 0;      // in-order commit, for the observer
};

}  // namespace vp::cpu
