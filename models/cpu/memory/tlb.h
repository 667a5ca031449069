#pragma once
// Timing-only TLB for the pipeline models: set-associative, LRU, 4 KiB pages
// keyed by virtual page number. A miss costs a page walk of `walk_latency`
// cycles per page-table level (the hart passes 3 for Sv39, 4 for Sv48).
// Superpages are tracked as 4 KiB pages (more misses than a real TLB with
// superpage entries). Pure C++.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vp::cpu {

struct TlbConfig {
  bool enabled = false;     // false: translation costs nothing
  unsigned entries = 32;
  unsigned assoc = 0;       // 0: fully associative
  unsigned walk_latency = 20;  // cycles per page-table level
};

class Tlb {
 public:
  explicit Tlb(const TlbConfig& cfg);
  // Cycle the translation of va is available when looked up at cycle t.
  uint64_t lookup(uint64_t va, unsigned levels, uint64_t t) {
    const uint64_t vpn = va >> 12;
    if (vpn == last_vpn_) return t;
    return lookup_slow(vpn, levels, t);
  }
  void flush();
  bool enabled() const { return cfg_.enabled; }

  struct Stats { uint64_t accesses = 0, misses = 0, walk_cycles = 0; };
  const Stats& stats() const { return st_; }
  void for_each_counter(const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f) const;

 private:
  uint64_t lookup_slow(uint64_t vpn, unsigned levels, uint64_t t);
  struct Entry { uint64_t vpn = ~0ull, stamp = 0; };
  TlbConfig cfg_;
  unsigned sets_ = 1, assoc_ = 1;
  std::vector<Entry> e_;
  // Where a page was last seen, by its low bits: a hint checked against the
  // entry (a hit found through it is the hit the scan would find), so hits
  // cost no scan of a fully associative TLB.
  std::vector<uint32_t> hint_;
  uint64_t hint_mask_ = 0;
  uint64_t clock_ = 0, last_vpn_ = ~0ull, walk_done_ = 0;
  Stats st_;
};

}  // namespace vp::cpu
