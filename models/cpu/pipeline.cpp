#include "models/cpu/pipeline.h"

#include <algorithm>

namespace vp::cpu {

static PipelineConfig normalized(PipelineConfig c) {
  c.branch_resolve = std::clamp(c.branch_resolve, 1u, 3u);
  return c;
}

Pipeline::Pipeline(const PipelineConfig& cfg)
    : cfg_(normalized(cfg)), mem_(cfg_.memory()), ops_(cfg_), branch_(cfg_.bp), fetch_(mem_) {
  if (cfg_.backend == Backend::kO3)
    o3_ = std::make_unique<O3Backend>(cfg_, mem_, fetch_, branch_, ops_, counters_);
  else
    inorder_ = std::make_unique<InOrderBackend>(cfg_, mem_, fetch_, branch_, ops_, counters_);
  update_fast();
}

Pipeline::~Pipeline() = default;

void Pipeline::for_each_counter(
    const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f) {
  if (o3_)
    f("cycles", "simulated cycles (commit cycle of the last instruction, including idle)", o3_->cycle_counter());
  else
    f("cycles", "simulated cycles (EX cycle of the last instruction, including idle)", inorder_->cycle_counter());
  f("pipeline.instructions", "instructions through the timing model", &counters_.instructions);
  f("idle_cycles", "cycles asleep in WFI", &counters_.idle_cycles);
  f("traps", "exceptions taken (pipeline flushes)", &counters_.traps);
  f("interrupts", "interrupts taken (pipeline flushes)", &counters_.interrupts);
  for (unsigned m = 0; m < kMixCount; ++m)
    f(std::string("mix.") + mix_name(static_cast<Mix>(m)), "retired instructions of this kind", &counters_.mix[m]);
  branch_.for_each_counter(f);
  fetch_.for_each_counter(f);
  mem_.for_each_counter(f);
  if (o3_) o3_->for_each_counter(f);
  else inorder_->for_each_counter(f);
}

void Pipeline::for_each_ratio(const std::function<void(const std::string&, const std::string&, const std::string&,
                                                       const std::string&)>& f) const {
  f("cpi", "cycles", "instructions", "cycles per instruction");
  f("bp.accuracy", "bp.correct", "bp.lookups", "conditional branch prediction accuracy");
  f("bp.mispredict_rate", "bp.mispredicts", "bp.lookups", "");
  mem_.for_each_ratio(f);
  if (o3_) o3_->for_each_ratio(f);
}

void Pipeline::warm(const Insn& in, const RetireInfo& r) {
  ++warmed_;
  idle(1);  // the clock runs on as in functional mode
  const uint64_t t = cycles();
  const OpInfo& o = ops_.get(in);
  fetch_.fetch(r, t);
  if (o.kind == Kind::kMemory) {
    if (r.cached) {
      mem_.dtlb(r.mem_va, r.data_levels, t);
      if (o.load) mem_.load(r.mem_pa, r.pc, t);
      if (o.store) mem_.store(r.mem_pa, r.pc, t);
    }
  } else if (o.kind == Kind::kControl) {
    branch_.resolve(in, o.cls, r.pc, r.next_pc);
  } else if (o.kind == Kind::kOther && o.serialize) {
    if (o.cls == OpClass::kFenceI) mem_.flush_icache();
    else if (o.cls == OpClass::kSfence) mem_.flush_tlbs();
  }
}

}  // namespace vp::cpu
