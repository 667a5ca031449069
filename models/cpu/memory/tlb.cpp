#include "models/cpu/memory/tlb.h"

#include <algorithm>
#include <stdexcept>

namespace vp::cpu {

Tlb::Tlb(const TlbConfig& cfg) : cfg_(cfg) {
  if (!cfg.enabled) return;
  if (cfg.entries < 1 || cfg.entries > 65536) throw std::invalid_argument("tlb: entries must be between 1 and 65536");
  assoc_ = cfg.assoc ? cfg.assoc : cfg.entries;
  sets_ = cfg.entries / assoc_;
  if (sets_ == 0 || (sets_ & (sets_ - 1)) || sets_ * assoc_ != cfg.entries)
    throw std::invalid_argument("tlb: entries / assoc must be a power of two");
  e_.resize(cfg.entries);
  size_t h = 1;
  while (h < 2 * size_t{cfg.entries}) h <<= 1;
  hint_.assign(h, 0);
  hint_mask_ = h - 1;
}

void Tlb::flush() {
  for (Entry& e : e_) e = Entry{};
  last_vpn_ = ~0ull;
}

// One walker: walks do not overlap (a second miss waits for the first).
uint64_t Tlb::lookup_slow(uint64_t vpn, unsigned levels, uint64_t t) {
  ++st_.accesses;
  uint32_t& hint = hint_[vpn & hint_mask_];
  Entry* s = &e_[(vpn & (sets_ - 1)) * assoc_];
  Entry* found = e_[hint].vpn == vpn ? &e_[hint] : nullptr;
  Entry* v = s;  // the set's LRU entry, the victim of a miss
  for (unsigned w = 0; !found && w < assoc_; ++w) {
    if (s[w].vpn == vpn) found = &s[w];
    else if (s[w].stamp < v->stamp) v = &s[w];
  }
  if (found) {
    found->stamp = ++clock_;
    hint = static_cast<uint32_t>(found - e_.data());
    last_vpn_ = vpn;
    return t;
  }
  ++st_.misses;
  const uint64_t start = std::max(t, walk_done_);
  walk_done_ = start + uint64_t{levels} * cfg_.walk_latency;
  st_.walk_cycles += walk_done_ - t;
  *v = Entry{vpn, ++clock_};
  hint = static_cast<uint32_t>(v - e_.data());
  last_vpn_ = vpn;
  return walk_done_;
}

void Tlb::for_each_counter(
    const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f) const {
  f("accesses", "lookups of a page other than the last one", &st_.accesses);
  f("misses", "page walks", &st_.misses);
  f("walk_cycles", "cycles lookups waited for page walks", &st_.walk_cycles);
}

}  // namespace vp::cpu
