#pragma once
// Cycle-approximate timing of a hart in pipeline mode, driven by the
// functional core's retired instruction stream (the core executes; timing
// never changes architectural results). A front end (branch prediction, fetch
// through the I-TLB and I-cache) and a memory hierarchy (non-blocking caches,
// prefetchers, DRAM, TLBs) are shared by two backends: in-order (scalar
// 5-stage, inorder.h) and out-of-order (o3/o3_backend.h), chosen by
// PipelineConfig::backend. Pure C++, no SystemC; all state is the model's own
// (no pointers into the core). docs/architecture.md describes the models.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "models/cpu/frontend.h"
#include "models/cpu/inorder.h"
#include "models/cpu/memory/memory_hierarchy.h"
#include "models/cpu/o3/o3_backend.h"
#include "models/cpu/op_class.h"
#include "models/cpu/pipeline_config.h"
#include "models/cpu/pipeline_observer.h"

namespace vp::cpu {

class Pipeline {
 public:
  explicit Pipeline(const PipelineConfig& cfg);
  ~Pipeline();

  // One instruction retired (see RetireInfo).
  void retire(const Insn& in, const RetireInfo& r) {
    if (__builtin_expect(warming_, 0)) return warm(in, r);
    if (o3_) o3_->retire(in, r);
    else inorder_->retire(in, r);
  }
  // The in-order backend when retire() of a plain instruction may go straight
  // to its retire_plain() with the block's OpSlots (no warming, no observer,
  // not o3); otherwise nullptr. A caller whose retire_plain() returns false
  // calls retire_any() itself, exactly what retire() would do.
  InOrderBackend* inorder_fast() const { return fast_; }
  // The in-order backend (nullptr: out of order), for its block schedules.
  InOrderBackend* inorder() const { return inorder_.get(); }
  // The block's OpSlots for its instructions (see OpSlots): the table's id
  // tells whether slots made earlier are still this pipeline's.
  uint64_t slots_id() const { return ops_.id(); }
  OpSlots slots(const Insn& in) { return ops_.slots(in); }
  // The I-cache line size fetch works in (for OpSlots::flags).
  unsigned fetch_line_bytes() const { return fetch_.line_bytes(); }
  // A synchronous exception: the faulting instruction did not retire; the pipeline is flushed.
  void trap() {
    if (o3_) o3_->trap();
    else inorder_->trap();
  }
  // The hart slept (WFI) for this many cycles.
  void idle(uint64_t cycles) {
    if (o3_) o3_->idle(cycles);
    else inorder_->idle(cycles);
  }

  // Functional warming (SMARTS): while on, retire() only updates the caches,
  // TLBs, branch predictor, BTB and RAS with the instruction's addresses and
  // outcome, and the clock advances one cycle per instruction (as in functional
  // mode); no timing, no pipeline state.
  void set_warming(bool on) {
    warming_ = on;
    update_fast();
  }
  bool warming() const { return warming_; }
  uint64_t warmed() const { return warmed_; }

  // Not owned; nullptr: none (the default, costs one branch per instruction).
  void set_observer(PipelineObserver* o) {
    observed_ = o != nullptr;
    if (o3_) o3_->set_observer(o);
    else inorder_->set_observer(o);
    update_fast();
  }

  // Wrong-path execution (o3 backend, pipeline.o3.wrong_path) reads registers
  // and RAM through this; nullptr (the default): the o3 wrong path only
  // fetches I-cache lines. Not owned. The in-order backend ignores it.
  void set_speculative_view(const SpeculativeView* v) {
    if (o3_) o3_->set_speculative_view(v);
  }

  // Cycles so far: the in-order EX cycle / the out-of-order commit cycle of the last instruction.
  uint64_t cycles() const { return o3_ ? o3_->cycles() : inorder_->cycles(); }
  uint64_t instructions() const {
    fold_counts();
    return counters_.instructions;
  }
  const PipelineConfig& config() const { return cfg_; }
  const MemoryHierarchy& memory() const { return mem_; }
  const BranchUnit::Stats& branch_stats() const { return branch_.stats(); }
  const RetireCounters& counters() const {
    fold_counts();
    return counters_;
  }
  // Brings the counters up to date (the in-order backend adds up the counts
  // of its block plans only when asked, the caches derive their accesses):
  // call before reading for_each_counter()'s storage.
  void fold_counts() const {
    if (inorder_) inorder_->fold_counts();
    mem_.fold_counts();
  }

  // Every counter as (name relative to the hart, description, storage; read
  // it after fold_counts()); ratios as (name, numerator, denominator, description).
  void for_each_counter(const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f);
  void for_each_ratio(const std::function<void(const std::string&, const std::string&, const std::string&,
                                               const std::string&)>& f) const;

 private:
  void warm(const Insn& in, const RetireInfo& r);
  void update_fast() {
    fast_ = warming_ || observed_ || o3_ ? nullptr : inorder_.get();
    if (inorder_) inorder_->sync();
  }
  bool warming_ = false;
  bool observed_ = false;
  InOrderBackend* fast_ = nullptr;
  uint64_t warmed_ = 0;  // instructions seen while warming
  PipelineConfig cfg_;
  MemoryHierarchy mem_;
  OpTable ops_;
  BranchUnit branch_;
  FetchUnit fetch_;
  RetireCounters counters_;
  std::unique_ptr<InOrderBackend> inorder_;
  std::unique_ptr<O3Backend> o3_;
};

}  // namespace vp::cpu
