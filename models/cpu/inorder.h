#pragma once
// The in-order backend: a scalar 5-stage pipeline (fetch, decode, execute,
// memory, writeback) driven by the functional core's retired instruction
// stream. For each instruction it computes the cycle it enters EX: one after
// its predecessor unless held back by the front end (I-TLB/I-cache, refill
// after a redirect), a busy memory stage or iterative unit, or operands (full
// forwarding; loads after MEM). Shares the front end and the memory hierarchy
// with the out-of-order backend. Pure C++, no SystemC.
#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

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
    if (__builtin_expect(observer_ != nullptr, 0) || s.kind != Kind::kPlain || !unstalled(s, r.pc, r.fetch_pa))
      retire_any(in, r, s);
    else
      retire_plain(s, r.next_pc);
  }

  // The fast paths below are for a caller that has the instruction's OpSlots
  // and has checked that there is no observer. Each computes exactly what
  // retire_any() would for an instruction for which unstalled() is true.
  //
  // True if the instruction is on the predicted path, stays in the current
  // fetch line and enters EX the cycle after its predecessor: no redirect
  // refill, fetch, structural or operand stall (clear_ sums up the first
  // three). retire_any() then attributes no stall and fetch() is a no-op.
  __attribute__((always_inline)) bool unstalled(const OpSlots& s, uint64_t pc, uint64_t fetch_pa) const {
    const uint64_t src = src_ready(s);
    return pc == expected_pc_ && fetch_.same_line(fetch_pa) && std::max(clear_, src) <= cycle_ + 1;
  }
  // unstalled() for an instruction with OpSlots::flags kSameLine retired
  // right after its predecessor in the block (pc and fetch line as expected).
  __attribute__((always_inline)) bool unstalled_in_line(const OpSlots& s) const {
    const uint64_t src = src_ready(s);
    return std::max(clear_, src) <= cycle_ + 1;
  }
  // The instruction at pc (on the predicted path, no redirect refill pending)
  // starts a new fetch line: fetches it now, at the cycle retire_any() would,
  // whose fetch() then finds the line current; true if it did (then
  // unstalled() may now hold).
  __attribute__((always_inline)) bool fetch_ahead(uint64_t pc, uint64_t fetch_pa, uint8_t fetch_levels) {
    if (pc != expected_pc_ || redirect_ + 2 > cycle_ + 1 || fetch_.same_line(fetch_pa)) return false;
    fetch_new_line(pc, fetch_pa, fetch_levels);
    return true;
  }
  // A plain (Kind::kPlain) unstalled instruction.
  __attribute__((always_inline)) void retire_plain(const OpSlots& s, uint64_t next_pc) {
    const uint64_t e = begin(s, next_pc);
    finish(s, e + s.latency, false);
  }
  // An unstalled load or store (kLoadOnly, kStoreOnly) to a cached page; false
  // (nothing changed) for any other memory access.
  __attribute__((always_inline)) bool retire_mem(const OpSlots& s, uint64_t pc, uint64_t next_pc, uint64_t mem_va,
                                                 uint64_t mem_pa, bool cached, uint8_t data_levels) {
    if (!cached || s.mem < kLoadOnly) return false;
    const bool load = s.mem == kLoadOnly;
    const uint64_t e = begin(s, next_pc);
    const uint64_t t = e + 1;  // the memory stage
    const uint64_t x = mem_.dtlb(mem_va, data_levels, t);
    st_.dtlb_stall += x - t;
    const uint64_t done = load ? mem_.load(mem_pa, pc, x) : mem_.store(mem_pa, pc, x);
    mem_free_ = blocking_ ? done - 1 : x + dhit_ - 1;
    finish(s, load ? done : e + s.latency, load);
    // Only mem_free_ changed, to at least e (done > x > e), and clear_ <= e: update_clear() in one step.
    clear_ = std::max(clear_, mem_free_);
    return true;
  }
  // An unstalled control-flow instruction (Kind::kControl): a conditional
  // branch inline, its redirect (misprediction, decode redirect) and jumps
  // out of line.
  __attribute__((always_inline)) void retire_control(const Insn& in, const OpSlots& s, uint64_t pc, uint64_t next_pc,
                                                     uint64_t fetch_pa) {
    if (s.op->cls != OpClass::kBranch) return retire_jump(in, s, pc, next_pc, fetch_pa);
    const uint64_t e = begin(s, next_pc);
    const BranchResult b = branch_.resolve_branch(in, pc, next_pc);
    if (__builtin_expect(b.redirect != Redirect::kNone, 0)) branch_redirect(b, pc, fetch_pa, e);
    finish(s, e + s.latency, false);
  }
  void retire_any(const Insn& in, const RetireInfo& r, const OpSlots& s);

  // A batch: the core ran a block's instructions [0, k) (OpSlots::flags
  // kBatch, loads/stores to RAM, and the block's ending branch or jump), then
  // has them timed here, each exactly as one at a time. With the block's plan (plan_start() held), its static
  // schedule is applied, with the I-cache and L1D accesses made at their
  // cycles; from the first access that does not hit as planned, the rest is
  // timed one at a time.
  struct Batch {
    const Insn* p;
    const OpSlots* s;
    const BlockPlan* plan;  // the block's, if plan_start() held and all of the plan's instructions ran; else nullptr
    unsigned k;
    uint64_t pc;            // the block's virtual pc
    uint64_t pstart;        // its physical minus virtual pc
    uint64_t end_pc;        // the pc after instruction k - 1
    const uint64_t* va;     // data addresses of the loads/stores, by index
    const uint64_t* pa;
    uint8_t fetch_levels, data_levels;  // page-table levels of a fetch / data TLB miss
  };
  void retire_batch(const Batch& b);
  // Whether the block starting at pc may be timed with its plan: the state its
  // schedule assumes at the start (then nothing else may be timed before the
  // batch). Changes nothing.
  bool plan_start(const BlockPlan& pl, uint64_t pc, uint64_t fetch_pa) const {
    // The entry as the first instruction's unstalled() sees it; a new first line
    // is fetched by retire_plan() (not before the block ran: its first
    // instruction may trap), and must then be there in time. A new line after
    // a redirect: the block starts when fetch restarts (plan_cycle()).
    if (pc != expected_pc_) return false;
    uint64_t c = cycle_;
    if (fetch_.same_line(fetch_pa)) {
      if (clear_ > c + 1) return false;
    } else {
      c = plan_cycle();
    }
    // No register is ready later than ready_max_: then every guard holds.
    if (ready_max_ > c + pl.guard_min)
      for (const BlockPlan::Guard& g : pl.guards)
        if (ready_[g.slot] > c + g.base) return false;
    return true;
  }
  // The static schedule of a block (BlockPlan) for this backend's configuration.
  // (Const: only adds the plan's counts to the table of counts if new.)
  void plan(const Insn* p, const OpSlots* s, unsigned n, BlockPlan& out) const;
  // Adds the counts of the plans run in full since the last call to the
  // statistics (RetireCounters::instructions and mix, stalls.data, load_use
  // and dcache): call before reading them.
  void fold_counts();
  // Recomputes the fast-path state after the front end changed outside this
  // backend (functional warming fetches).
  void sync() { update_clear(); }
  void trap();
  void idle(uint64_t cycles);
  uint64_t cycles() const { return cycle_; }
  const uint64_t* cycle_counter() const { return &cycle_; }
  void set_observer(PipelineObserver* o) { observer_ = o; }

  struct Stats {
    uint64_t stall_load_use = 0, stall_data = 0, stall_icache = 0, stall_dcache = 0, stall_structural = 0,
             stall_branch = 0, stall_serialize = 0, stall_trap = 0, dtlb_stall = 0;
  };
  const Stats& stats() {
    fold_counts();
    return st_;
  }
  void for_each_counter(const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f);

 private:
  enum StallCause : uint8_t { kCauseBranch, kCauseSerialize, kCauseTrap };
  // Counts the instruction and enters EX the cycle after its predecessor; returns that cycle.
  __attribute__((always_inline)) uint64_t begin(const OpSlots& s, uint64_t next_pc) {
    ++c_.instructions;
    ++c_.mix[static_cast<unsigned>(s.mix)];
    expected_pc_ = next_pc;
    return ++cycle_;
  }
  __attribute__((always_inline)) void finish(const OpSlots& s, uint64_t ready, bool load) {
    ready_[s.dst] = ready;
    from_load_[s.dst] = load;
    ready_[0] = 0;  // x0
    ready_max_ = std::max(ready_max_, ready);
  }
  // Front end: fetch runs two stages ahead of EX, and not before a redirect.
  uint64_t fetch_cycle() const { return fetch_cycle_at(cycle_); }
  uint64_t fetch_cycle_at(uint64_t cycle) const { return std::max(cycle > 0 ? cycle - 1 : 0, redirect_); }
  __attribute__((always_inline)) void fetch_new_line(uint64_t pc, uint64_t fetch_pa, uint8_t fetch_levels) {
    fetch_.fetch_line(pc, fetch_pa, fetch_levels, fetch_pa >> fetch_.line_shift(), fetch_cycle());
    update_clear();
  }
  void retire_jump(const Insn& in, const OpSlots& s, uint64_t pc, uint64_t next_pc, uint64_t fetch_pa);
  void branch_redirect(const BranchResult& b, uint64_t pc, uint64_t fetch_pa, uint64_t e) {
    branch_redirect(b, pc, fetch_pa, e, fetch_cycle_at(e - 1));  // before the instruction, cycle_ was e - 1
  }
  void branch_redirect(const BranchResult& b, uint64_t pc, uint64_t fetch_pa, uint64_t e, uint64_t f);
  // The cycle C of a plan for a block that starts a new fetch line: the
  // first instruction enters EX at C + 1, after the refill of a pending
  // redirect (redirect_ + 2) if any.
  uint64_t plan_cycle() const { return std::max(cycle_, redirect_ + 1); }
  void retire_plan(const Batch& b);
  void retire_plan_cut(const Batch& b, uint64_t c, unsigned n, bool fetch_missed, uint64_t x, uint64_t done);
  void end_at_step(const BlockPlan::Step& st, uint64_t c, uint64_t block_pc);
  void retire_batch_from(const Batch& b, unsigned i, uint64_t pc);
  uint64_t src_ready(const OpSlots& s) const {
    const uint64_t a = ready_[s.src[0]], b = ready_[s.src[1]], c = ready_[s.src[2]];
    const uint64_t ab = a > b ? a : b;
    return ab > c ? ab : c;
  }
  // clear_: the first EX cycle that neither a redirect refill, the current fetch
  // line nor a busy memory stage or iterative unit holds back.
  void update_clear() {
    // By value (see src_ready()).
    const uint64_t r = redirect_ + 2, f = fetch_.line_ready() + 1, m = mem_free_, x = ex_free_;
    const uint64_t rf = r > f ? r : f, mx = m > x ? m : x;
    clear_ = rf > mx ? rf : mx;
  }
  void redirect(uint64_t at, StallCause cause);
  // Refill cycles after the pending redirect, by its cause.
  void count_refill(uint64_t cycles) {
    if (redirect_cause_ == kCauseBranch) st_.stall_branch += cycles;
    else if (redirect_cause_ == kCauseSerialize) st_.stall_serialize += cycles;
    else st_.stall_trap += cycles;
  }
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
  uint64_t ready_max_ = 0;          // no ready_ entry is later (plan_start()'s shortcut)
  bool from_load_[kRegSlots] = {};
  uint64_t mem_free_ = 0;         // earliest EX cycle allowed by a busy MEM stage
  uint64_t ex_free_ = 0;          // earliest EX cycle allowed by a busy iterative unit
  uint64_t redirect_ = 0;         // fetch restarts at this cycle
  uint64_t clear_ = 2;            // see update_clear()
  StallCause redirect_cause_ = kCauseBranch;
  uint64_t expected_pc_ = ~0ull;  // next pc of the last instruction (a different pc: interrupt)
  Stats st_;
  PipelineObserver* observer_ = nullptr;
  uint64_t last_retire_ = 0;      // in-order commit, for the observer
  // The counts of the plans (BlockPlan::counts): instructions, stalls.data,
  // stalls.load_use, stalls.dcache, then the mix; the runs of each not yet added up. A plan
  // run in full costs one increment instead of a dozen counter updates.
  using Counts = std::array<uint32_t, 4 + kMixCount>;
  mutable std::vector<Counts> counts_;
  mutable std::vector<uint64_t> runs_;
  mutable std::map<Counts, uint32_t> counts_index_;
};

}  // namespace vp::cpu
