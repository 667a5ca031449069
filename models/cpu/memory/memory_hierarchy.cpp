#include "models/cpu/memory/memory_hierarchy.h"

namespace vp::cpu {

MemoryHierarchy::MemoryHierarchy(const MemoryConfig& cfg) : cfg_(cfg), itlb_(cfg.itlb), dtlb_(cfg.dtlb) {
  if (cfg_.dram.enabled)
    memory_ = std::make_unique<Dram>(cfg_.dram);
  else
    memory_ = std::make_unique<FixedLatencyMemory>(cfg_.memory_latency);
  MemLevel* below = memory_.get();
  if (cfg_.l3.enabled) {
    l3_ = std::make_unique<Cache>(cfg_.l3, below);
    below = l3_.get();
  }
  if (cfg_.l2.enabled) {
    l2_ = std::make_unique<Cache>(cfg_.l2, below);
    below = l2_.get();
  }
  below_l1_ = below;
  if (cfg_.l1i.enabled) l1i_ = std::make_unique<Cache>(cfg_.l1i, below);
  if (cfg_.l1d.enabled) l1d_ = std::make_unique<Cache>(cfg_.l1d, below);
}

MemoryHierarchy::~MemoryHierarchy() = default;

void MemoryHierarchy::for_each_counter(
    const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f) const {
  f("uncached_accesses", "data accesses that bypass the caches (MMIO)", &uncached_);
  auto cache = [&](const std::string& n, const Cache* c) {
    if (c) c->for_each_counter([&](const std::string& k, const std::string& d, const uint64_t* v) { f(n + "." + k, d, v); });
  };
  cache("l1i", l1i_.get());
  cache("l1d", l1d_.get());
  cache("l2", l2_.get());
  cache("l3", l3_.get());
  if (cfg_.dram.enabled)
    static_cast<const Dram*>(memory_.get())->for_each_counter(
        [&](const std::string& k, const std::string& d, const uint64_t* v) { f("dram." + k, d, v); });
  if (itlb_.enabled())
    itlb_.for_each_counter([&](const std::string& k, const std::string& d, const uint64_t* v) { f("itlb." + k, d, v); });
  if (dtlb_.enabled())
    dtlb_.for_each_counter([&](const std::string& k, const std::string& d, const uint64_t* v) { f("dtlb." + k, d, v); });
}

void MemoryHierarchy::for_each_ratio(const std::function<void(const std::string&, const std::string&,
                                                              const std::string&, const std::string&)>& f) const {
  auto cache = [&](const std::string& n, const Cache* c) {
    if (c)
      c->for_each_ratio([&](const std::string& k, const std::string& num, const std::string& den,
                            const std::string& d) { f(n + "." + k, n + "." + num, n + "." + den, d); });
  };
  cache("l1i", l1i_.get());
  cache("l1d", l1d_.get());
  cache("l2", l2_.get());
  cache("l3", l3_.get());
  if (cfg_.dram.enabled)
    static_cast<const Dram*>(memory_.get())
        ->for_each_ratio([&](const std::string& k, const std::string& num, const std::string& den,
                             const std::string& d) { f("dram." + k, "dram." + num, "dram." + den, d); });
  if (itlb_.enabled()) f("itlb.miss_rate", "itlb.misses", "itlb.accesses", "");
  if (dtlb_.enabled()) f("dtlb.miss_rate", "dtlb.misses", "dtlb.accesses", "");
}

}  // namespace vp::cpu
