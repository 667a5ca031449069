#include "models/cpu/o3/o3_backend.h"

#include <algorithm>

namespace vp::cpu {

O3Backend::O3Backend(const PipelineConfig& cfg, MemoryHierarchy& mem, FetchUnit& fetch, BranchUnit& branch,
                     OpTable& ops, RetireCounters& counters)
    : cfg_(cfg), o_(cfg.o3), mem_(mem), fetch_(fetch), branch_(branch), ops_(ops), c_(counters),
      sched_(cfg.o3.issue_width, cfg.o3.units), sq_(cfg.o3.sq),
      ssets_(cfg.o3.ssit_entries, cfg.o3.lfst_entries, cfg.o3.store_set_clear) {
  fwd_latency_ = o_.forward_latency ? o_.forward_latency : mem.l1d_hit_latency();
  l1i_hit_ = cfg.l1i.enabled ? cfg.l1i.hit_latency : 1;
  rob_commit_.init(o_.rob);
  fq_rename_.init(o_.fetch_queue);
  lq_commit_.init(o_.lq);
  int_commit_.init(o_.int_regs > 32 ? o_.int_regs - 32 : 1);
  fp_commit_.init(o_.fp_regs > 32 ? o_.fp_regs - 32 : 1);
  rob_occ_.init(o_.rob);
  iq_occ_.init(o_.iq);
  lq_occ_.init(o_.lq);
  sq_occ_.init(o_.sq);
}

void O3Backend::redirect(uint64_t at, Squash cause) {
  if (at >= redirect_) {
    redirect_ = at;
    redirect_cause_ = cause;
  }
  fetch_.restart();
}

void O3Backend::retire(const Insn& in, const RetireInfo& r) {
  const OpInfo& o = ops_.get(in);
  ++c_.instructions;
  ++c_.mix[static_cast<unsigned>(o.mix)];
  if (__builtin_expect(r.pc != expected_pc_, 0) && expected_pc_ != ~0ull) {
    // Control went elsewhere without a control-flow instruction: an interrupt,
    // taken at the commit of the last instruction.
    ++c_.interrupts;
    ++st_.squashes[kSquashInterrupt];
    redirect(last_commit_ + 1 + cfg_.trap_penalty, kSquashInterrupt);
  }
  expected_pc_ = r.next_pc;
  const uint64_t seq = seq_++;
  const bool mem_op = o.load || o.store;
  const bool nonspec = (o.serialize & kNonSpeculative) || (mem_op && !r.cached);
  const bool int_dst = o.rd && !o.rdf && (in.rd & 31) != 0;  // x0 writes allocate no register
  const bool fp_dst = o.rd && o.rdf;
  const uint64_t sq_drained = sq_.count() ? sq_.at(sq_.count() - 1).free : 0;  // all older stores in the cache

  // State a memory-order violation rolls back (the load is refetched).
  const uint64_t s_fetch = fetch_cycle_, s_decode = decode_cycle_, s_rename = rename_cycle_;
  const unsigned s_fcount = fetch_count_, s_dcount = decode_count_, s_rcount = rename_count_;
  const bool s_ended = group_ended_;

  uint64_t f, d, rn, issue, access = 0, complete, result, avail;
  uint64_t f_redirect = 0, f_queue = 0, r_stall = 0, w_ops = 0, w_memdep = 0, w_barrier = 0, w_nonspec = 0, w_fu = 0;
  Squash f_cause = kSquashBranch;
  RenameStall r_why = kRenameStallCount;
  for (int attempt = 0;; ++attempt) {
    // ---- Fetch: fetch_width per cycle from one line; a taken branch ends the group.
    const bool same_group =
        seq > 0 && fetch_count_ < o_.fetch_width && !group_ended_ && fetch_.same_line(r.fetch_pa);
    f = same_group ? fetch_cycle_ : fetch_cycle_ + 1;
    f_redirect = f_queue = 0;
    if (redirect_ > f) {
      f_redirect = redirect_ - f;
      f_cause = redirect_cause_;
      f = redirect_;
    }
    if (seq >= o_.fetch_queue && fq_rename_[seq] > f) {  // the queue entry frees when its instruction renames
      f_queue = fq_rename_[seq] - f;
      f = fq_rename_[seq];
    }
    if (f != fetch_cycle_ || !same_group) {
      fetch_cycle_ = f;
      fetch_count_ = 0;
      group_ended_ = false;
    }
    ++fetch_count_;
    avail = fetch_.fetch(r, f);
    if (avail > f + l1i_hit_) fetch_cycle_ = std::max(fetch_cycle_, avail - l1i_hit_);  // fetch waited for the line

    // ---- Decode
    d = std::max(avail + o_.fetch_to_decode - 1, decode_cycle_);
    if (d == decode_cycle_ && decode_count_ >= o_.decode_width) ++d;
    if (d != decode_cycle_) {
      decode_cycle_ = d;
      decode_count_ = 0;
    }
    ++decode_count_;

    // ---- Rename: ROB, LQ/SQ, physical register and IQ entries.
    uint64_t r0 = std::max(d + o_.decode_to_rename, rename_cycle_);
    if (r0 == rename_cycle_ && rename_count_ >= o_.rename_width) ++r0;
    rn = r0;
    r_why = kRenameStallCount;
    auto need = [&](uint64_t t, RenameStall why) {
      if (t > rn) {
        rn = t;
        r_why = why;
      }
    };
    need(serial_barrier_, kSerialize);
    if (seq >= o_.rob) need(rob_commit_[seq] + 1, kRob);
    if (o.load && nloads_ >= lq_commit_.size()) need(lq_commit_[nloads_] + 1, kLq);
    if (o.store)
      if (const StoreQueue::Entry* e = sq_.oldest_to_reuse()) need(e->free + 1, kSq);
    if (int_dst && nint_ >= int_commit_.size()) need(int_commit_[nint_] + 1, kIntRegs);
    if (fp_dst && nfp_ >= fp_commit_.size()) need(fp_commit_[nfp_] + 1, kFpRegs);
    uint64_t disp = rn + 1;  // dispatch into the IQ
    while (!iq_.empty() && iq_.top() <= disp) iq_.pop();
    while (iq_.size() >= o_.iq) {
      disp = iq_.top();
      while (!iq_.empty() && iq_.top() <= disp) iq_.pop();
    }
    need(disp - 1, kIq);
    r_stall = rn - r0;
    if (rn != rename_cycle_) {
      rename_cycle_ = rn;
      rename_count_ = 0;
    }
    ++rename_count_;

    // ---- Issue: operands, predicted memory dependences, ordering, a free unit.
    uint64_t t = rn + o_.rename_to_issue;
    const uint64_t ready = std::max(reg_ready_[o.src(0, in.rs1)],
                                    std::max(reg_ready_[o.src(1, in.rs2)], reg_ready_[o.src(2, in.rs3)]));
    w_ops = ready > t ? ready - t : 0;
    t = std::max(t, ready);
    w_memdep = w_barrier = w_nonspec = 0;
    if (mem_op && !nonspec && o_.store_sets) {
      const uint32_t set = ssets_.set_of(r.pc);
      uint64_t sseq, sexec;
      if (set != StoreSet::kNone && ssets_.last_store(set, sseq, sexec) && sexec > t) {
        w_memdep = sexec - t;
        t = sexec;
      }
    }
    if (mem_op && mem_barrier_ > t) {
      w_barrier = mem_barrier_ - t;
      t = mem_barrier_;
    }
    if (nonspec || (o.serialize & kMemBarrier)) {
      // At the ROB head; atomics, fences and uncached accesses also after older stores drained.
      uint64_t head = nonspec ? last_commit_ + 1 : 0;
      if (o.serialize & kMemBarrier) head = std::max({head, sq_drained, last_load_done_});
      if (head > t) {
        w_nonspec = head - t;
        t = head;
      }
    }
    issue = sched_.issue(t, o.fu, o.busy, o.latency);
    w_fu = issue - t;
    complete = result = issue + o.latency;

    // ---- Execute.
    if (o.cls == OpClass::kLoad || o.cls == OpClass::kFpLoad) {
      if (!r.cached) {
        complete = mem_.uncached(issue + 1);
      } else {
        access = mem_.dtlb(r.mem_va, r.data_levels, issue + 1);
        const int64_t k = sq_.find(r.mem_pa, o.size, access);
        if (k >= 0) {
          const StoreQueue::Entry& s = sq_.at(static_cast<uint64_t>(k));
          if (s.exec > access && attempt == 0) {
            // The store executes after the load read memory: squash from the
            // load when the store executes, refetch it, learn the dependence.
            ++st_.violations;
            ++st_.squashes[kSquashMemoryOrder];
            ssets_.violation(r.pc, s.pc);
            fetch_cycle_ = s_fetch;
            decode_cycle_ = s_decode;
            rename_cycle_ = s_rename;
            fetch_count_ = s_fcount;
            decode_count_ = s_dcount;
            rename_count_ = s_rcount;
            group_ended_ = s_ended;
            redirect(s.exec + cfg_.mispredict_penalty, kSquashMemoryOrder);
            continue;
          }
          access = std::max(access, s.exec);
          if (s.pa <= r.mem_pa && r.mem_pa + o.size <= s.pa + s.size) {
            ++st_.forwarded;  // store-to-load forwarding: no cache access
            complete = access + fwd_latency_;
          } else {
            ++st_.partial_forwards;  // partial overlap: wait until the store is in the cache
            complete = mem_.load(r.mem_pa, r.pc, std::max(access, s.free));
          }
        } else {
          complete = mem_.load(r.mem_pa, r.pc, access);
        }
      }
      last_load_done_ = std::max(last_load_done_, complete);
      result = complete;
    } else if (o.cls == OpClass::kStore || o.cls == OpClass::kFpStore) {
      access = r.cached ? mem_.dtlb(r.mem_va, r.data_levels, issue + 1) : issue + 1;
      complete = access;  // address and data known: the store executed
    } else if (o.cls == OpClass::kLr || o.cls == OpClass::kSc || o.cls == OpClass::kAmo) {
      access = r.cached ? mem_.dtlb(r.mem_va, r.data_levels, issue + 1) : issue + 1;
      if (!r.cached) {
        complete = mem_.uncached(access);
        if (o.cls == OpClass::kAmo) complete = mem_.uncached(complete);
      } else if (o.cls == OpClass::kLr) {
        complete = mem_.load(r.mem_pa, r.pc, access);
      } else if (o.cls == OpClass::kSc) {
        complete = mem_.store(r.mem_pa, r.pc, access);
      } else {
        complete = mem_.store(r.mem_pa, r.pc, mem_.load(r.mem_pa, r.pc, access));
      }
      if (o.load) last_load_done_ = std::max(last_load_done_, complete);
      result = complete;
    } else if (o.cls == OpClass::kFence) {
      complete = result = std::max(issue + 1, std::max(sq_drained, last_load_done_));
    }
    break;
  }

  // ---- Control flow: predicted in fetch, resolved when the branch executes.
  if (o.cls == OpClass::kBranch || o.cls == OpClass::kJal || o.cls == OpClass::kJalr) {
    const BranchResult b = branch_.resolve(in, o.cls, r.pc, r.next_pc);
    const unsigned bytes = o_.fetch_width * 4, window = (o_.fetch_queue + o_.rob) * 4;
    if (b.redirect == Redirect::kResolve) {
      const uint64_t at = issue + 1 + cfg_.mispredict_penalty;
      ++st_.squashes[kSquashBranch];
      if (view_ && o_.wrong_path) wrong_path(b.predicted, r, seq, avail, issue + 1, true);
      else fetch_.wrong_path(b.predicted, r, f + 1, at, bytes, window);
      redirect(at, kSquashBranch);
    } else if (b.redirect == Redirect::kDecode) {
      ++st_.decode_squashes;
      if (view_ && o_.wrong_path) wrong_path(b.predicted, r, seq, avail, d + 1, false);
      else fetch_.wrong_path(b.predicted, r, f + 1, d + 1, bytes, window);
      redirect(d + 1, kSquashBranch);
    }
    if (r.next_pc != r.pc + in.len) group_ended_ = true;
  } else if (o.cls == OpClass::kFenceI) {
    mem_.flush_icache();
  } else if (o.cls == OpClass::kSfence) {
    mem_.flush_tlbs();
  }

  // ---- Commit: in order, commit_width per cycle.
  uint64_t c = std::max(complete + 1, last_commit_);
  if (c == last_commit_ && commit_count_ >= o_.commit_width) ++c;
  if (c > last_commit_ + 1 && seq > 0) {
    CommitStall why = kCommitOther;
    if (rn >= last_commit_) why = kCommitFrontend;  // the ROB had drained: the front end was behind
    else if (nonspec) why = kCommitNonspec;
    else if (o.load) why = kCommitLoad;
    else if (o.store) why = kCommitStore;
    else if (o.latency > 1) why = kCommitLong;
    st_.commit_stall[why] += c - last_commit_ - 1;
  }
  if (c != last_commit_) commit_count_ = 0;
  ++commit_count_;

  // Occupancy seen by this instruction at rename (before it takes its entries).
  if (seq >= o_.rob) rob_head_ = std::max(rob_head_, seq - o_.rob + 1);
  while (rob_head_ < seq && rob_commit_[rob_head_] <= rn) ++rob_head_;
  rob_occ_.sample(static_cast<unsigned>(seq - rob_head_));
  iq_occ_.sample(static_cast<unsigned>(iq_.size()));
  if (nloads_ >= lq_commit_.size()) lq_head_ = std::max(lq_head_, nloads_ - lq_commit_.size());
  while (lq_head_ < nloads_ && lq_commit_[lq_head_] <= rn) ++lq_head_;
  lq_occ_.sample(static_cast<unsigned>(nloads_ - lq_head_));
  sq_occ_.sample(sq_.occupancy(rn));

  last_commit_ = c;
  rob_commit_[seq] = c;
  fq_rename_[seq] = rn;
  iq_.push(issue);
  if (o.load) lq_commit_[nloads_++] = c;
  if (int_dst) {
    int_commit_[nint_++] = c;
    reg_ready_[in.rd & 31] = result;
  } else if (fp_dst) {
    fp_commit_[nfp_++] = c;
    reg_ready_[32 + (in.rd & 31)] = result;
  }
  if (o.store) {
    // Plain stores drain into the L1D after commit, one starting per cycle;
    // SC and AMOs wrote at execute. Entries free in order.
    StoreQueue::Entry& e = sq_.push();
    uint64_t fin = complete;
    if (o.cls == OpClass::kStore || o.cls == OpClass::kFpStore) {
      const uint64_t start = std::max(c + 1, last_drain_start_ + 1);
      last_drain_start_ = start;
      fin = r.cached ? mem_.store(r.mem_pa, r.pc, start) : mem_.uncached(start);
    }
    e = StoreQueue::Entry{r.mem_pa, r.pc, seq, complete, std::max(fin, sq_drained), o.size, r.cached};
    if (o_.store_sets) {
      const uint32_t set = ssets_.set_of(r.pc);
      if (set != StoreSet::kNone) ssets_.set_last_store(set, sq_.count() - 1, complete);
    }
  }
  if (mem_op) ssets_.tick();
  if (o.serialize & kMemBarrier) mem_barrier_ = std::max(mem_barrier_, complete);
  if (o.serialize & kSerializeAfter) {
    ++st_.serializing;
    serial_barrier_ = c + 1;
  }
  if (o.serialize & kSquashAfter) {
    ++st_.squashes[kSquashSerialize];
    redirect(c + 1 + cfg_.mispredict_penalty, kSquashSerialize);
  }

  // Statistics of the final schedule.
  if (f_redirect) st_.fetch_redirect[f_cause] += f_redirect;
  st_.fetch_queue_full += f_queue;
  if (r_why != kRenameStallCount) st_.rename_stall[r_why] += r_stall;
  st_.wait_operands += w_ops;
  st_.wait_memdep += w_memdep;
  if (w_memdep) ++st_.memdep_waits;
  st_.wait_barrier += w_barrier;
  st_.wait_nonspec += w_nonspec;
  st_.wait_fu += w_fu;
  ++st_.issued[static_cast<unsigned>(o.fu)];
  if (observer_) {
    const uint64_t ex = std::max(issue, d);
    const uint64_t wb = std::max(complete, ex + 1);
    const uint64_t m = std::min(std::max(access, ex + 1), wb);
    observer_->retired(in, r.pc, StageTimes{std::min(f, d), d, ex, m, wb, std::max(c, wb + 1)});
  }
}

void O3Backend::trap() {
  ++c_.traps;
  ++st_.squashes[kSquashTrap];
  expected_pc_ = ~0ull;
  // The faulting instruction reaches the ROB head after the last commit; the
  // handler is fetched after the trap penalty.
  redirect(last_commit_ + 1 + cfg_.trap_penalty, kSquashTrap);
}

void O3Backend::idle(uint64_t cycles) {
  c_.idle_cycles += cycles;
  last_commit_ += cycles;
  redirect_ = std::max(redirect_, last_commit_);
}

void O3Backend::for_each_counter(
    const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f) {
  static const char* const squash[] = {"branch", "memory_order", "serialize", "trap", "interrupt"};
  static const char* const rename[] = {"rob_full", "iq_full", "lq_full", "sq_full", "int_regs", "fp_regs",
                                       "serialize"};
  static const char* const commit[] = {"frontend", "load", "store", "long_latency", "nonspeculative", "other"};
  for (unsigned i = 0; i < kSquashCount; ++i)
    f(std::string("o3.fetch.redirect_cycles.") + squash[i], "fetch cycles lost waiting for a redirect after a squash",
      &st_.fetch_redirect[i]);
  f("o3.fetch.queue_full_cycles", "fetch cycles lost to a full fetch queue (rename stalled)", &st_.fetch_queue_full);
  for (unsigned i = 0; i < kRenameStallCount; ++i)
    f(std::string("o3.rename.stall_cycles.") + rename[i], "rename cycles lost for want of this resource",
      &st_.rename_stall[i]);
  f("o3.issue.wait.operands", "instruction-cycles in the IQ waiting for operands", &st_.wait_operands);
  f("o3.issue.wait.memory_dependence", "instruction-cycles waiting for a store predicted by the store sets",
    &st_.wait_memdep);
  f("o3.issue.wait.barrier", "instruction-cycles of memory accesses waiting behind fences and atomics",
    &st_.wait_barrier);
  f("o3.issue.wait.nonspeculative", "instruction-cycles waiting to reach the ROB head (CSR, atomics, MMIO)",
    &st_.wait_nonspec);
  f("o3.issue.wait.fu_busy", "instruction-cycles ready but without an issue slot or free unit", &st_.wait_fu);
  for (unsigned i = 0; i < kFuCount; ++i)
    f(std::string("o3.issued.") + fu_name(static_cast<Fu>(i)), "instructions issued to this unit", &st_.issued[i]);
  for (unsigned i = 0; i < kCommitStallCount; ++i)
    f(std::string("o3.commit.stall_cycles.") + commit[i], "cycles nothing committed, by the ROB head's kind",
      &st_.commit_stall[i]);
  for (unsigned i = 0; i < kSquashCount; ++i)
    f(std::string("o3.squashes.") + squash[i], "pipeline squashes by cause", &st_.squashes[i]);
  f("o3.squashes.decode", "fetch redirects from decode (taken direct branches without a BTB target)",
    &st_.decode_squashes);
  f("o3.serializing", "serialize-after instructions (CSR, fence.i, sfence.vma, xRET, WFI)", &st_.serializing);
  f("o3.lsq.forwarded_loads", "loads served by store-to-load forwarding (no cache access)", &st_.forwarded);
  f("o3.lsq.partial_forwards", "loads partially overlapping an older store (waited for it to drain)",
    &st_.partial_forwards);
  f("o3.lsq.memory_order_violations", "loads that read memory before an older store to the same bytes executed",
    &st_.violations);
  f("o3.store_set.predicted_waits", "loads and stores held back for a predicted dependence", &st_.memdep_waits);
  f("o3.store_set.trainings", "store-set updates after violations", &ssets_.trainings);
  f("o3.store_set.clears", "periodic clears of the store-set tables", &ssets_.clears);
  f("o3.wrong_path.fetched", "wrong-path instructions fetched after mispredicts (until the squash)", &wp_.fetched);
  f("o3.wrong_path.decoded", "wrong-path instructions decoded", &wp_.decoded);
  f("o3.wrong_path.dispatched", "wrong-path instructions renamed and dispatched into the ROB/IQ/LSQ",
    &wp_.dispatched);
  f("o3.wrong_path.issued", "wrong-path instructions issued to a functional unit", &wp_.issued);
  f("o3.wrong_path.loads", "wrong-path loads that accessed the D-TLB and D-cache (or were forwarded)", &wp_.loads);
  f("o3.wrong_path.load_l1d_misses", "L1D read misses of wrong-path loads (included in the L1D's read_misses)",
    &wp_.load_l1d_misses);
  f("o3.wrong_path.loads_dropped",
    "wrong-path loads not performed (address unknown, not RAM, no translation, or issued too late)",
    &wp_.loads_dropped);
  f("o3.squashed_insns.branch", "wrong-path instructions squashed when a mispredicted branch resolved",
    &wp_.squashed_branch);
  f("o3.squashed_insns.decode", "wrong-path instructions squashed by a redirect from decode", &wp_.squashed_decode);
  rob_occ_.for_each_counter("o3.rob.occupancy", "ROB entries in use at rename", f);
  iq_occ_.for_each_counter("o3.iq.occupancy", "IQ entries in use at dispatch", f);
  lq_occ_.for_each_counter("o3.lq.occupancy", "LQ entries in use at rename", f);
  sq_occ_.for_each_counter("o3.sq.occupancy", "SQ entries in use at rename", f);
}

void O3Backend::for_each_ratio(const std::function<void(const std::string&, const std::string&,
                                                        const std::string&, const std::string&)>& f) const {
  for (const char* q : {"rob", "iq", "lq", "sq"})
    f(std::string("o3.") + q + ".occupancy_mean", std::string("o3.") + q + ".occupancy_sum",
      std::string("o3.") + q + ".occupancy_samples", "mean entries in use");
}

}  // namespace vp::cpu
