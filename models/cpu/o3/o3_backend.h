#pragma once
// The out-of-order backend, after gem5's O3CPU: fetch (fetch_width per cycle
// from one I-cache line, a taken branch ends the group), decode, rename
// (ROB, IQ, LQ/SQ and physical-register allocation; serializing instructions
// wait here), dispatch into the issue queue, oldest-first issue to pipelined
// or iterative functional units, execute, in-order commit, and stores
// draining into the L1D after commit. Driven by the functional core's retired
// instruction stream: each instruction's cycle at every stage is computed in
// program order from its producers and from the resources older instructions
// hold (a one-pass schedule; it is exact for oldest-first select). Wrong-path
// effects: the front end fetches along the predicted path until the branch
// resolves, then refetches. With o3.wrong_path (wrong_path.cpp) the
// wrong-path instructions are decoded from memory, renamed, issued and
// executed until the squash (their loads access the D-cache); without it only
// their I-cache lines are fetched. Loads forward from the store queue; a load that accessed
// memory before an older store to the same bytes executed is a memory-order
// violation (squash and refetch from the load), learnt by the store-set
// predictor. LR/SC, AMOs, CSRs and uncached accesses execute at the ROB head.
// Pure C++, no SystemC.
#include <cstdint>
#include <functional>
#include <queue>
#include <string>
#include <vector>

#include "models/cpu/frontend.h"
#include "models/cpu/histogram.h"
#include "models/cpu/o3/issue_schedule.h"
#include "models/cpu/o3/store_queue.h"
#include "models/cpu/o3/store_set.h"
#include "models/cpu/pipeline_config.h"
#include "models/cpu/pipeline_observer.h"
#include "models/cpu/speculative_view.h"

namespace vp::cpu {

class O3Backend {
 public:
  O3Backend(const PipelineConfig& cfg, MemoryHierarchy& mem, FetchUnit& fetch, BranchUnit& branch, OpTable& ops,
            RetireCounters& counters);

  void retire(const Insn& in, const RetireInfo& r);
  void trap();
  void idle(uint64_t cycles);
  // The commit cycle of the last instruction.
  uint64_t cycles() const { return last_commit_; }
  const uint64_t* cycle_counter() const { return &last_commit_; }
  void set_observer(PipelineObserver* o) { observer_ = o; }
  // Registers and RAM for wrong-path execution (nullptr: I-cache lines only).
  void set_speculative_view(const SpeculativeView* v) { view_ = v; }

  void for_each_counter(const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f);
  void for_each_ratio(const std::function<void(const std::string&, const std::string&, const std::string&,
                                               const std::string&)>& f) const;

  enum Squash : uint8_t { kSquashBranch, kSquashMemoryOrder, kSquashSerialize, kSquashTrap, kSquashInterrupt,
                          kSquashCount };
  enum RenameStall : uint8_t { kRob, kIq, kLq, kSq, kIntRegs, kFpRegs, kSerialize, kRenameStallCount };
  enum CommitStall : uint8_t { kCommitFrontend, kCommitLoad, kCommitStore, kCommitLong, kCommitNonspec,
                               kCommitOther, kCommitStallCount };

 private:
  // Ring of the last n values, indexed by sequence number.
  struct Ring {
    std::vector<uint64_t> v;
    void init(unsigned n) { v.assign(std::max(1u, n), 0); }
    uint64_t& operator[](uint64_t k) { return v[k % v.size()]; }
    unsigned size() const { return static_cast<unsigned>(v.size()); }
  };
  void redirect(uint64_t at, Squash cause);
  // Wrong-path execution (wrong_path.cpp) from pc after the branch `br`
  // (sequence number bseq, its bytes available at bavail) until the squash:
  // fetch and decode only before a decode redirect (dispatch false), all
  // stages before an execute-time squash.
  void wrong_path(uint64_t pc, const RetireInfo& br, uint64_t bseq, uint64_t bavail, uint64_t squash, bool dispatch);

  PipelineObserver* observer_ = nullptr;
  const SpeculativeView* view_ = nullptr;

  const PipelineConfig& cfg_;
  const O3Config& o_;
  MemoryHierarchy& mem_;
  FetchUnit& fetch_;
  BranchUnit& branch_;
  OpTable& ops_;
  RetireCounters& c_;
  IssueSchedule sched_;
  StoreQueue sq_;
  StoreSet ssets_;
  unsigned fwd_latency_, l1i_hit_;

  uint64_t seq_ = 0;              // instructions processed
  uint64_t nloads_ = 0, nint_ = 0, nfp_ = 0;
  // Stage state: the cycle of the current group and how many it holds.
  uint64_t fetch_cycle_ = 0, decode_cycle_ = 0, rename_cycle_ = 0, last_commit_ = 0;
  unsigned fetch_count_ = 0, decode_count_ = 0, rename_count_ = 0, commit_count_ = 0;
  bool group_ended_ = false;      // a taken branch ended the fetch group
  uint64_t redirect_ = 0;         // fetch restarts here
  Squash redirect_cause_ = kSquashBranch;
  uint64_t serial_barrier_ = 0;   // younger instructions rename from here (serialize-after)
  uint64_t mem_barrier_ = 0;      // younger memory accesses issue from here (fences, atomics)
  uint64_t last_load_done_ = 0;   // latest data return of the loads so far
  uint64_t last_drain_start_ = 0; // store-buffer drain: one store starts per cycle
  uint64_t expected_pc_ = ~0ull;
  uint64_t reg_ready_[kRegSlots] = {};  // cycle a register's value can be used by an issuing consumer
  Ring rob_commit_, fq_rename_, lq_commit_, int_commit_, fp_commit_;
  uint64_t rob_head_ = 0, lq_head_ = 0;
  std::priority_queue<uint64_t, std::vector<uint64_t>, std::greater<uint64_t>> iq_;  // issue cycles

  struct Stats {
    uint64_t fetch_redirect[kSquashCount] = {}, fetch_queue_full = 0, decode_redirect_cycles = 0;
    uint64_t rename_stall[kRenameStallCount] = {};
    uint64_t wait_operands = 0, wait_memdep = 0, wait_nonspec = 0, wait_barrier = 0, wait_fu = 0;
    uint64_t commit_stall[kCommitStallCount] = {};
    uint64_t squashes[kSquashCount] = {}, decode_squashes = 0;
    uint64_t issued[kFuCount] = {};
    uint64_t forwarded = 0, partial_forwards = 0, violations = 0, memdep_waits = 0, serializing = 0;
  } st_;
  Histogram rob_occ_, iq_occ_, lq_occ_, sq_occ_;
  struct WrongPathStats {
    uint64_t fetched = 0, decoded = 0, dispatched = 0, issued = 0, loads = 0, load_l1d_misses = 0,
             loads_dropped = 0, squashed_branch = 0, squashed_decode = 0;
  } wp_;
  std::vector<uint64_t> wp_rename_;  // rename cycles of the wrong path so far
  // Decoded wrong-path instructions by encoding.
  struct DecodedEntry {
    uint32_t raw = 0;
    bool valid = false;
    Insn in;
  };
  static constexpr unsigned kDecodedEntries = 1024;
  std::vector<DecodedEntry> wp_decoded_ = std::vector<DecodedEntry>(kDecodedEntries);
  std::priority_queue<uint64_t, std::vector<uint64_t>, std::greater<uint64_t>> wp_iq_;
};

}  // namespace vp::cpu
