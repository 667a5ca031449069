#pragma once
// The memory side shared by the pipeline backends: L1I and L1D, optional L2
// and L3, DRAM (or a fixed memory latency), I-TLB and D-TLB. Every call takes
// the cycle the request is made and returns the cycle it completes. A level
// that is disabled passes requests to the one below. Pure C++, no SystemC.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>

#include "models/cpu/memory/cache.h"
#include "models/cpu/memory/dram.h"
#include "models/cpu/memory/tlb.h"

namespace vp::cpu {

struct MemoryConfig {
  CacheConfig l1i, l1d, l2, l3;  // disabled: accesses go to the next level
  unsigned memory_latency = 100; // without a DRAM model: cycles below the last cache
  DramConfig dram;
  TlbConfig itlb, dtlb;
  unsigned load_latency = 1;     // data access with no L1D and no L2
  unsigned uncached_latency = 1; // MMIO access
};

class MemoryHierarchy {
 public:
  explicit MemoryHierarchy(const MemoryConfig& cfg);
  ~MemoryHierarchy();

  // Instruction fetch of the line holding pa.
  __attribute__((always_inline)) uint64_t fetch(uint64_t pa, uint64_t t) {
    return l1i_ ? l1i_->access(pa, MemOp::kRead, t, 0) : below_l1_->access(pa, MemOp::kRead, t, 0);
  }
  // fetch() if it is an L1I hit (Cache::hit()); else 0, nothing changed.
  __attribute__((always_inline)) uint64_t fetch_hit(uint64_t pa, uint64_t t) {
    return l1i_ ? l1i_->hit(pa, MemOp::kRead, t) : 0;
  }
  // load()/store() if it is an L1D hit (Cache::hit(): done at t + l1d_hit_latency());
  // else false, nothing changed.
  __attribute__((always_inline)) bool data_hit(uint64_t pa, bool store, uint64_t t) {
    return l1d_ && l1d_->plain_hit(pa, store ? MemOp::kWrite : MemOp::kRead, t);
  }
  __attribute__((always_inline)) uint64_t load(uint64_t pa, uint64_t pc, uint64_t t) { return data(pa, MemOp::kRead, pc, t); }
  __attribute__((always_inline)) uint64_t store(uint64_t pa, uint64_t pc, uint64_t t) { return data(pa, MemOp::kWrite, pc, t); }
  uint64_t uncached(uint64_t t) {
    ++uncached_;
    return t + cfg_.uncached_latency;
  }
  // Translation: levels = 0 when translation is off (no TLB access).
  uint64_t itlb(uint64_t va, unsigned levels, uint64_t t) { return levels && itlb_.enabled() ? itlb_.lookup(va, levels, t) : t; }
  uint64_t dtlb(uint64_t va, unsigned levels, uint64_t t) { return levels && dtlb_.enabled() ? dtlb_.lookup(va, levels, t) : t; }

  void flush_icache() { if (l1i_) l1i_->invalidate_all(); }
  void flush_tlbs() { itlb_.flush(); dtlb_.flush(); }

  const MemoryConfig& config() const { return cfg_; }
  unsigned l1i_line() const { return cfg_.l1i.enabled ? cfg_.l1i.line : 64; }
  unsigned l1d_hit_latency() const { return cfg_.l1d.enabled ? cfg_.l1d.hit_latency : cfg_.load_latency; }
  // A blocking L1D: the in-order memory stage waits out its misses.
  bool l1d_blocking() const { return !l1d_ || cfg_.l1d.mshrs == 0; }
  const Cache* l1i() const { return l1i_.get(); }
  const Cache* l1d() const { return l1d_.get(); }

  // Brings derived counters up to date (Cache::fold_counts()): call before
  // reading for_each_counter()'s storage.
  void fold_counts() const {
    for (const Cache* c : {l1i_.get(), l1d_.get(), l2_.get(), l3_.get()})
      if (c) c->fold_counts();
  }
  void for_each_counter(const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f) const;
  void for_each_ratio(const std::function<void(const std::string&, const std::string&, const std::string&,
                                               const std::string&)>& f) const;

 private:
  __attribute__((always_inline)) uint64_t data(uint64_t pa, MemOp op, uint64_t pc, uint64_t t) {
    if (l1d_) return l1d_->access(pa, op, t, pc);
    if (below_l1_ != memory_.get()) return below_l1_->access(pa, op, t, pc);
    return t + (op == MemOp::kWrite ? 1 : cfg_.load_latency);
  }

  MemoryConfig cfg_;
  std::unique_ptr<MemLevel> memory_;  // DRAM or fixed latency
  std::unique_ptr<Cache> l3_, l2_, l1i_, l1d_;
  MemLevel* below_l1_ = nullptr;      // L2, L3 or memory
  Tlb itlb_, dtlb_;
  uint64_t uncached_ = 0;
};

}  // namespace vp::cpu
