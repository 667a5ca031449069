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
  count_refill(t_redirect - base);
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
  const uint64_t src = src_ready(s);
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

// retire_any()'s control-flow case for an unstalled instruction (e = cycle_ + 1,
// fetch on the current line): retire_control() for a jump.
void InOrderBackend::retire_jump(const Insn& in, const OpSlots& s, uint64_t pc, uint64_t next_pc, uint64_t fetch_pa) {
  const uint64_t e = begin(s, next_pc);
  const BranchResult b = branch_.resolve(in, s.op->cls, pc, next_pc);
  if (b.redirect != Redirect::kNone) branch_redirect(b, pc, fetch_pa, e);
  finish(s, e + s.latency, false);
}

// Fetch went down the wrong path from the control-flow instruction at pc, in
// EX at e, fetched at f (fetch_cycle() before it): wrong-path fetch until the
// redirect.
void InOrderBackend::branch_redirect(const BranchResult& b, uint64_t pc, uint64_t fetch_pa, uint64_t e,
                                     uint64_t f) {
  // Resolved in EX (fetch restarts after the penalty), or redirected by decode
  // (the target computed there).
  const bool resolve = b.redirect == Redirect::kResolve;
  const uint64_t at = resolve ? e + cfg_.branch_resolve - 1 + cfg_.mispredict_penalty : e;
  fetch_.wrong_path_at(b.predicted, pc, fetch_pa, f + 1, resolve ? at + 1 : e, 4, 64);
  redirect(at, kCauseBranch);
  update_clear();  // otherwise only cycle_ moved
}

// The pipeline after a plan's step `st` of a block that started at cycle `c`
// at `block_pc`: the step's cumulative stalls, cycle, next pc and memory stage.
__attribute__((always_inline)) inline void InOrderBackend::end_at_step(const BlockPlan::Step& st, uint64_t c,
                                                                      uint64_t block_pc) {
  st_.stall_data += st.stall_data;
  st_.stall_load_use += st.stall_load_use;
  st_.stall_dcache += st.stall_dcache;
  cycle_ = c + st.e;
  expected_pc_ = block_pc + st.next_pc;
  if (st.mem_free != BlockPlan::kNoMem) mem_free_ = c + st.mem_free;
}

// The block's plan; where an access does not go as planned (or the first
// line is not there in time), the rest of the batch one at a time (the state
// is then as if the instructions before it were timed one at a time).
__attribute__((always_inline)) inline void InOrderBackend::retire_plan(const Batch& b) {
  const BlockPlan& pl = *b.plan;
  uint64_t c = cycle_;  // plan_start() held here
  const uint64_t fpa0 = b.pstart + b.pc;
  if (!fetch_.same_line(fpa0)) {
    // As retire_any() fetches it (fetch_ahead() if no redirect is pending).
    // Then clear_ <= c1 + 1 must hold (redirect_ + 2 <= c1 + 1 does); it is
    // recomputed once at the end.
    // At f = fetch_cycle(), the line is there at max(f + 1, line_ready());
    // f + 1 = plan_cycle().
    const uint64_t f = fetch_cycle();
    const uint64_t c1 = f + 1;
    if (fetch_.fetch_line(b.pc, fpa0, b.fetch_levels, fpa0 >> fetch_.line_shift(), f) > c1 ||
        std::max(mem_free_, ex_free_) > c1 + 1) {
      update_clear();
      retire_batch_from(b, 0, b.pc);
      return;
    }
    if (c1 > c) {
      // The refill: retire_any()'s attribute() for the first instruction.
      count_refill(c1 - c);
      c = c1;
    }
  }
  // The accesses at their cycles, until one does not go as planned. A fetch
  // event's instruction is in another line than the one before it (which is
  // the current line): fetch() would start a new line.
  for (const BlockPlan::Event& ev : pl.events) {
    const unsigned i = ev.i;
    const uint64_t at = c + ev.at;
    const uint64_t vpc = b.pc + ev.pc;
    if (ev.what == BlockPlan::kFetch) {
      const uint64_t fpa = b.pstart + vpc;
      fetch_.fetch_line(vpc, fpa, b.fetch_levels, fpa >> fetch_.line_shift(), at);
      if (fetch_.line_ready() != at + fetch_.hit_latency()) return retire_plan_cut(b, c, i, true, 0, 0);
    } else {
      const uint64_t t = at + 1;
      const bool load = ev.what == BlockPlan::kLoad;
      const uint64_t x = b.data_levels ? mem_.dtlb(b.va[i], b.data_levels, t) : t;  // the address only if needed
      // An L1D hit without a D-TLB stall is as planned (done = x + dhit_).
      if (x == t && mem_.data_hit(b.pa[i], !load, t)) continue;
      const uint64_t done = load ? mem_.load(b.pa[i], vpc, x) : mem_.store(b.pa[i], vpc, x);
      if (x != t || ((load || blocking_) && done != x + dhit_))
        return retire_plan_cut(b, c, i, false, x, done);
    }
  }
  // All as planned.
  // The results ready by the cycle after the block's last EX cycle only if
  // some earlier one is not (see BlockPlan::late_writes): then any of these
  // registers is always ready to the next instruction, with or without them.
  const BlockPlan::Write* w = pl.writes.data();
  const BlockPlan::Write* const w_end = w + (ready_max_ > c + pl.e + 1 ? pl.writes.size() : pl.late_writes);
  for (; w != w_end; ++w) {
    ready_[w->slot] = c + w->ready;
    from_load_[w->slot] = w->load;
  }
  ready_max_ = std::max(ready_max_, c + pl.write_max);
  ++runs_[pl.counts];
  cycle_ = c + pl.e;
  expected_pc_ = b.end_pc;
  if (pl.mem_free != BlockPlan::kNoMem) mem_free_ = c + pl.mem_free;
  if (pl.control) {
    // The block's branch or jump at its planned EX cycle: retire_control(),
    // or retire_any() if it waited for an operand (fetched at fetch_cycle()
    // after its predecessor).
    const unsigned i = pl.count - 1;
    const uint64_t cpc = b.pc + pl.end_pc;
    const OpClass cls = pl.control_cls;
    const BranchResult r =
        cls == OpClass::kBranch
            ? branch_.resolve_branch(cpc, b.pc + static_cast<uint64_t>(int64_t{pl.control_target}),
                                     b.pc + pl.control_fallthrough, b.end_pc)
            : branch_.resolve(b.p[i], cls, cpc, b.end_pc);
    if (__builtin_expect(r.redirect != Redirect::kNone, 0))
      return branch_redirect(r, cpc, b.pstart + cpc, cycle_, fetch_cycle_at(c + pl.control_prev_e));  // and update_clear()
  }
  update_clear();
}

// retire_plan() from instruction n, whose access did not go as planned (at
// x, done: a load/store's D-TLB and L1D): the first n instructions as
// planned, then the load/store with its actual timing, then the rest one at a time.
void InOrderBackend::retire_plan_cut(const Batch& b, uint64_t c, unsigned n, bool fetch_missed, uint64_t x,
                                     uint64_t done) {
  const BlockPlan& pl = *b.plan;
  const OpSlots* s = b.s;
  for (unsigned i = 0; i < n; ++i) {
    const BlockPlan::Step& st = pl.steps[i];
    ready_[s[i].dst] = c + st.ready;
    from_load_[s[i].dst] = st.load;
    ready_max_ = std::max(ready_max_, c + st.ready);
    ++c_.mix[static_cast<unsigned>(s[i].mix)];
  }
  ready_[0] = 0;
  c_.instructions += n;
  if (n > 0) end_at_step(pl.steps[n - 1], c, b.pc);
  if (!fetch_missed) {
    // The load/store that did not go as planned: the rest of retire_mem() (or
    // retire_any(), if it waited for an operand: the same memory timing).
    const OpSlots& t = s[n];
    const BlockPlan::Step& st = pl.steps[n];
    const BlockPlan::Step* prev = n > 0 ? &pl.steps[n - 1] : nullptr;
    ++c_.instructions;
    ++c_.mix[static_cast<unsigned>(t.mix)];
    st_.stall_data += st.stall_data - (prev ? prev->stall_data : 0);
    st_.stall_load_use += st.stall_load_use - (prev ? prev->stall_load_use : 0);
    st_.stall_dcache += st.stall_dcache - (prev ? prev->stall_dcache : 0);
    const uint64_t e = c + st.e;
    cycle_ = e;
    expected_pc_ = b.pc + st.next_pc;
    st_.dtlb_stall += x - (e + 1);
    const bool load = t.mem == kLoadOnly;
    mem_free_ = blocking_ ? done - 1 : x + dhit_ - 1;
    finish(t, load ? done : e + t.latency, load);
    ++n;
  }
  update_clear();
  retire_batch_from(b, n, b.pc + (n > 0 ? pl.steps[n - 1].next_pc : 0));
}

void InOrderBackend::retire_batch(const Batch& b) {
  if (b.plan) retire_plan(b);
  else retire_batch_from(b, 0, b.pc);
}

// Instructions [i, k) of a batch one at a time, as exec_block's loop would.
void InOrderBackend::retire_batch_from(const Batch& b, unsigned i, uint64_t pc) {
  for (; i < b.k; ++i) {
    const OpSlots& t = b.s[i];
    const uint64_t next = i + 1 < b.k ? pc + b.p[i].len : b.end_pc;
    const uint64_t fpa = b.pstart + pc;
    const bool fast = (i > 0 && (t.flags & kSameLine))
                          ? unstalled_in_line(t)
                          : unstalled(t, pc, fpa) || (fetch_ahead(pc, fpa, b.fetch_levels) && unstalled(t, pc, fpa));
    if (fast && t.kind == Kind::kPlain) {
      retire_plain(t, next);
    } else if (fast && t.kind == Kind::kMemory) {
      retire_mem(t, pc, next, b.va[i], b.pa[i], true, b.data_levels);
    } else if (fast && t.kind == Kind::kControl) {
      retire_control(b.p[i], t, pc, next, fpa);
    } else {
      RetireInfo r{pc, fpa, next, 0, 0, false, b.fetch_levels, 0};
      if (t.mem) r = RetireInfo{pc, fpa, next, b.va[i], b.pa[i], true, b.fetch_levels, b.data_levels};
      retire_any(b.p[i], r, t);
    }
    pc += b.p[i].len;
  }
}

void InOrderBackend::plan(const Insn* p, const OpSlots* s, unsigned n, BlockPlan& out) const {
  out = BlockPlan{};
  const unsigned m = n;
  if (m == 0 || m > 255) return;
  // Plain instructions and loads/stores, and a last branch or jump.
  out.control = s[m - 1].kind == Kind::kControl;
  if (out.control) out.control_cls = s[m - 1].op->cls;
  for (unsigned i = 0; i + out.control < m; ++i)
    if (!(s[i].flags & kBatch) || s[i].kind == Kind::kControl) return;
  const uint64_t ihit = fetch_.hit_latency();
  uint64_t ready[kRegSlots] = {};
  bool load[kRegSlots] = {}, written[kRegSlots] = {}, read[kRegSlots] = {};
  uint64_t e = 0, mem_free = 0, stall_data = 0, stall_load_use = 0, stall_dcache = 0;
  bool mem = false;
  uint32_t pc = 0;
  auto event = [&out](unsigned i, BlockPlan::What what, uint64_t at, uint32_t pc) {
    out.events.push_back({static_cast<uint8_t>(i), what, static_cast<uint16_t>(at), pc});
  };
  for (unsigned i = 0; i < m; ++i) {
    const OpSlots& t = s[i];
    const uint64_t base = e + 1;
    if (i + 1 == m && out.control) {
      out.control_prev_e = static_cast<uint16_t>(e);
      out.end_pc = pc;
      out.control_target = static_cast<int32_t>(pc + p[i].imm);
      out.control_fallthrough = pc + p[i].len;
    }
    if (i > 0 && !(t.flags & kSameLine)) {
      // fetch_ahead() at fetch_cycle() = C + e - 1 (redirect_ <= C - 1 at the
      // start); the line must be there for EX at base.
      if (e - 1 + ihit + 1 > base) return;
      event(i, BlockPlan::kFetch, e - 1, pc);
    }
    // The memory stage busy with an earlier access of the block: retire_any()'s
    // t_struct, attributed to stalls.dcache (mem_free_ >= ex_free_: the plan
    // starts with ex_free_ <= C + 1 < C + base).
    const uint64_t t_struct = mem ? std::max(base, mem_free) : base;
    stall_dcache += t_struct - base;
    uint64_t src = 0;
    for (unsigned k = 0; k < 3; ++k) {
      const unsigned r = t.src[k];
      if (r == 0) continue;  // x0: always ready
      if (written[r]) {
        src = std::max(src, ready[r]);
      } else if (!read[r]) {
        read[r] = true;
        // Ready by t_struct: then it neither delays EX nor is its last operand.
        out.guards.push_back({static_cast<uint8_t>(r), static_cast<uint16_t>(t_struct)});
        out.guard_min = std::min(out.guard_min, static_cast<uint16_t>(t_struct));
      }
    }
    const uint64_t ex = std::max(t_struct, src);
    if (ex > t_struct) {
      // attribute(): sources from before the block are ready by t_struct < ex.
      bool from_load = false;
      for (unsigned k = 0; k < 3; ++k) {
        const unsigned r = t.src[k];
        if (r != 0 && written[r] && ready[r] == ex) from_load = from_load || load[r];
      }
      (from_load ? stall_load_use : stall_data) += ex - t_struct;
    }
    e = ex;
    uint64_t rd = e + t.latency;
    bool ld = false;
    if (t.kind == Kind::kMemory) {
      // The memory stage at e + 1, no D-TLB stall, an L1D hit.
      ld = t.mem == kLoadOnly;
      if (ld) rd = e + 1 + dhit_;
      mem_free = e + dhit_;  // blocking: done - 1; otherwise x + dhit_ - 1
      mem = true;
      event(i, ld ? BlockPlan::kLoad : BlockPlan::kStore, e, pc);
    }
    if (t.dst != 0) {
      ready[t.dst] = rd;
      load[t.dst] = ld;
      written[t.dst] = true;
    }
    pc += p[i].len;
    if (rd > 0xfff0) return;
    out.steps.push_back({static_cast<uint16_t>(e), static_cast<uint16_t>(rd),
                         mem ? static_cast<uint16_t>(mem_free) : BlockPlan::kNoMem, ld,
                         static_cast<uint32_t>(stall_data), static_cast<uint32_t>(stall_load_use),
                         static_cast<uint32_t>(stall_dcache), pc});
  }
  // The destination slot 64 (none) is never read: not written. Late results first.
  for (int late = 1; late >= 0; --late)
    for (unsigned r = 1; r < kRegSlots - 1; ++r)
      if (written[r] && (ready[r] > e + 1) == (late == 1)) {
        out.writes.push_back({static_cast<uint8_t>(r), load[r], static_cast<uint16_t>(ready[r])});
        out.write_max = std::max(out.write_max, static_cast<uint16_t>(ready[r]));
        out.late_writes += late;
      }
  const BlockPlan::Step& last = out.steps.back();
  Counts k{};
  k[0] = m;
  k[1] = last.stall_data;
  k[2] = last.stall_load_use;
  k[3] = last.stall_dcache;
  for (unsigned i = 0; i < m; ++i) ++k[4 + static_cast<unsigned>(s[i].mix)];
  const auto it = counts_index_.emplace(k, static_cast<uint32_t>(counts_.size())).first;
  if (it->second == counts_.size()) {
    counts_.push_back(k);
    runs_.push_back(0);
  }
  out.counts = it->second;
  out.e = last.e;
  out.mem_free = last.mem_free;
  if (!out.control) out.end_pc = last.next_pc;
  out.count = static_cast<uint8_t>(m);
  out.ok = true;
}

void InOrderBackend::fold_counts() {
  for (size_t j = 0; j < runs_.size(); ++j) {
    const uint64_t n = runs_[j];
    if (!n) continue;
    runs_[j] = 0;
    const Counts& k = counts_[j];
    c_.instructions += n * k[0];
    st_.stall_data += n * k[1];
    st_.stall_load_use += n * k[2];
    st_.stall_dcache += n * k[3];
    for (unsigned x = 0; x < kMixCount; ++x) c_.mix[x] += n * k[4 + x];
  }
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
