#pragma once
// The in-order backend: a scalar 5-stage pipeline (fetch, decode, execute,
// memory, writeback) driven by the functional core's retired instruction
// stream. For each instruction it computes the cycle it enters EX: one after
// its predecessor unless held back by the front end (I-TLB/I-cache, refill
// after a redirect), a busy memory stage or iterative unit, or operands (full
// forwarding; loads after MEM). Shares the front end and the memory hierarchy
// with the out-of-order backend. Pure C++, no SystemC.
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

  void retire(const Insn& in, const RetireInfo& r);
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
  void attribute(const Insn& in, const OpInfo& o, uint64_t base, uint64_t t_redirect, uint64_t t_fetch,
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
