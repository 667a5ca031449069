#include "models/cpu/o3/store_set.h"

#include <algorithm>
#include <stdexcept>

namespace vp::cpu {

StoreSet::StoreSet(unsigned ssit_entries, unsigned lfst_entries, unsigned clear_period)
    : ssit_(ssit_entries), lfst_(lfst_entries), period_(clear_period) {
  auto pow2 = [](unsigned v) { return v && !(v & (v - 1)); };
  if (!pow2(ssit_entries) || !pow2(lfst_entries))
    throw std::invalid_argument("store sets: ssit and lfst sizes must be powers of two");
}

void StoreSet::clear() {
  std::fill(ssit_.begin(), ssit_.end(), Ssit{});
  std::fill(lfst_.begin(), lfst_.end(), Lfst{});
  count_ = 0;
  ++clears;
}

void StoreSet::violation(uint64_t load_pc, uint64_t store_pc) {
  ++trainings;
  Ssit& l = ssit_[index(load_pc)];
  Ssit& s = ssit_[index(store_pc)];
  if (!l.valid && !s.valid) {
    const uint32_t id = next_id_++ % static_cast<uint32_t>(lfst_.size());
    l = s = {true, id};
  } else if (!l.valid) {
    l = s;
  } else if (!s.valid) {
    s = l;
  } else if (l.id != s.id) {
    const uint32_t id = std::min(l.id, s.id);
    l.id = s.id = id;
  }
}

}  // namespace vp::cpu
