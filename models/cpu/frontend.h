#pragma once
// The front end shared by the pipeline backends: branch prediction (a
// direction predictor, the BTB and the return-address stack) and instruction
// fetch through the I-TLB and the I-cache, including fetch along the
// predicted (wrong) path until a misprediction is resolved. Pure C++.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "models/cpu/branch_predictor.h"
#include "models/cpu/btb.h"
#include "models/cpu/memory/memory_hierarchy.h"
#include "models/cpu/op_class.h"
#include "models/cpu/pipeline_config.h"
#include "models/cpu/return_stack.h"

namespace vp::cpu {

// How fetch handled a control-flow instruction.
enum class Redirect : uint8_t {
  kNone,     // fetch followed the right path
  kDecode,   // taken direct branch/jump without a BTB target: decode redirects fetch
  kResolve,  // mispredicted direction or indirect target: fixed when the branch executes
};

struct BranchResult {
  Redirect redirect = Redirect::kNone;
  uint64_t predicted = 0;  // where fetch went (the wrong path when redirect != kNone)
};

class BranchUnit {
 public:
  explicit BranchUnit(const BranchPredictorConfig& cfg);
  // The control-flow instruction at pc went to next_pc: what fetch predicted,
  // then train the predictor, BTB and RAS with the outcome.
  BranchResult resolve(const Insn& in, OpClass cls, uint64_t pc, uint64_t next_pc);
  // resolve() for a conditional branch (OpClass::kBranch), inline for the
  // backends' per-branch paths: one predictor call, and for a taken branch
  // predicted taken one BTB access that looks the target up and refreshes it.
  __attribute__((always_inline)) BranchResult resolve_branch(const Insn& in, uint64_t pc, uint64_t next_pc) {
    return resolve_branch(pc, pc + static_cast<uint64_t>(in.imm), pc + in.len, next_pc);
  }
  // The same for a branch at pc to target, falling through to fallthrough.
  __attribute__((always_inline)) BranchResult resolve_branch(uint64_t pc, uint64_t target, uint64_t fallthrough,
                                                             uint64_t next_pc) {
    BranchResult r;
    ++st_.bp_lookups;
    const bool taken = next_pc != fallthrough;
    const bool pred = bp_->predict_update(pc, target, taken);
    if (!taken) {
      if (pred) {
        ++st_.bp_mispredicts;
        r.redirect = Redirect::kResolve;
        r.predicted = target;
      } else {
        ++st_.bp_correct;
      }
      return r;
    }
    ++st_.bp_taken;
    if (!pred) {
      ++st_.bp_mispredicts;
      r.redirect = Redirect::kResolve;
      r.predicted = fallthrough;
      btb_.update(pc, target);
      return r;
    }
    ++st_.bp_correct;
    if (btb_.lookup_update(pc, target)) {
      ++st_.btb_hits;
    } else {
      ++st_.btb_misses;
      ++st_.decode_redirects;
      r.redirect = Redirect::kDecode;  // target computed in decode
      r.predicted = fallthrough;
    }
    return r;
  }

  struct Stats {
    uint64_t bp_lookups = 0, bp_correct = 0, bp_mispredicts = 0, bp_taken = 0, btb_hits = 0, btb_misses = 0,
             ras_pushes = 0, ras_correct = 0, ras_mispredicts = 0, indirect_mispredicts = 0, decode_redirects = 0;
  };
  const Stats& stats() const { return st_; }
  void for_each_counter(const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f);

 private:
  std::unique_ptr<BranchPredictor> bp_;
  Btb btb_;
  ReturnStack ras_;
  Stats st_;
};

class FetchUnit {
 public:
  explicit FetchUnit(MemoryHierarchy& mem);
  // The cycle the instruction's bytes are available when fetch reaches it at
  // cycle t: a new line is an I-TLB lookup (new page) and an I-cache access.
  __attribute__((always_inline)) uint64_t fetch(const RetireInfo& r, uint64_t t) {
    const uint64_t line = r.fetch_pa >> line_shift_;
    if (line == line_) return std::max(t + 1, line_ready_);
    return fetch_line(r.pc, r.fetch_pa, r.fetch_levels, line, t);
  }
  // A new line: the common case (no I-TLB walk, an I-cache hit) inline.
  __attribute__((always_inline)) uint64_t fetch_line(uint64_t pc, uint64_t fetch_pa, uint8_t levels, uint64_t line,
                                                     uint64_t t) {
    const uint64_t xl = mem_.itlb(pc, levels, t);
    uint64_t ready = xl == t ? mem_.fetch_hit(fetch_pa, t) : 0;
    if (__builtin_expect(ready == 0, 0)) ready = fetch_slow(fetch_pa, t, xl);
    ++st_.lines;
    line_ = line;
    line_ready_ = ready;
    return std::max(t + 1, ready);
  }
  bool same_line(uint64_t fetch_pa) const { return (fetch_pa >> line_shift_) == line_; }
  // When the current line's bytes are there (fetch() on the same line: max(t + 1, line_ready())).
  uint64_t line_ready() const { return line_ready_; }
  // After a redirect the next fetch starts a new access.
  void restart() { line_ = ~0ull; }
  // Fetch along the predicted path from va during cycles [from, until) at
  // bytes_per_cycle, at most max_bytes, within the branch's page (whose
  // translation is known): I-cache (and L2, prefetcher) traffic only.
  void wrong_path(uint64_t va, const RetireInfo& branch, uint64_t from, uint64_t until, unsigned bytes_per_cycle,
                  unsigned max_bytes);
  // wrong_path() for the branch at pc (fetch address fetch_pa), the first
  // line inline.
  __attribute__((always_inline)) void wrong_path_at(uint64_t va, uint64_t pc, uint64_t fetch_pa, uint64_t from,
                                                    uint64_t until, unsigned bytes_per_cycle, unsigned max_bytes) {
    restart();
    if (until <= from || (va >> 12) != (pc >> 12)) return;
    const uint64_t bytes = std::min<uint64_t>((until - from) * bytes_per_cycle, max_bytes);
    if (!bytes) return;
    const uint64_t page_pa = fetch_pa & ~0xfffull;
    const uint64_t end_va = std::min(va + bytes - 1, va | 0xfff);
    const uint64_t l = (page_pa | (va & 0xfff)) >> line_shift_;
    const uint64_t last = (page_pa | (end_va & 0xfff)) >> line_shift_;
    // The first line at `from` (before `until`); a further one every line_bytes() /
    // bytes_per_cycle cycles while that is before `until`.
    mem_.fetch(l << line_shift_, from);
    ++st_.wrong_path_lines;
    if (l != last) wrong_path_lines(l, last, from, until, bytes_per_cycle);
  }
  unsigned line_bytes() const { return 1u << line_shift_; }
  unsigned line_shift() const { return line_shift_; }
  // The I-cache hit latency: a line fetched at t that hits is ready at t + this.
  unsigned hit_latency() const { return hit_latency_; }
  // One I-cache line access of wrong-path fetch that decodes the instructions
  // (the o3 backend's wrong-path execution); returns when the line is there.
  uint64_t wrong_path_line(uint64_t pa, uint64_t t) {
    ++st_.wrong_path_lines;
    return mem_.fetch(pa, t);
  }

  struct Stats { uint64_t lines = 0, wrong_path_lines = 0, itlb_stall_cycles = 0, icache_stall_cycles = 0; };
  const Stats& stats() const { return st_; }
  void for_each_counter(const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f) const;

 private:
  // fetch_line()'s I-cache access after the I-TLB lookup (done at xl) when it is not a
  // plain hit at t: the cycle the line is ready, with the stall cycles counted.
  uint64_t fetch_slow(uint64_t fetch_pa, uint64_t t, uint64_t xl);
  // wrong_path_at() after line l, up to line last.
  void wrong_path_lines(uint64_t l, uint64_t last, uint64_t from, uint64_t until, unsigned bytes_per_cycle);
  MemoryHierarchy& mem_;
  unsigned line_shift_;
  unsigned hit_latency_;
  uint64_t line_ = ~0ull, line_ready_ = 0;
  Stats st_;
};

}  // namespace vp::cpu
