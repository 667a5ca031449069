#pragma once
// The store queue of the out-of-order backend: every store from rename until
// it has drained into the L1D after commit (entries are freed in order). A
// load searches it, youngest first, for an older store to the same bytes:
// such a store forwards its data, makes the load wait (partial overlap), or,
// if it had not executed when the load accessed memory, reveals a
// memory-order violation. Pure C++.
#include <algorithm>
#include <cstdint>
#include <vector>

namespace vp::cpu {

class StoreQueue {
 public:
  explicit StoreQueue(unsigned entries) : e_(std::max(1u, entries)) {}

  struct Entry {
    uint64_t pa = 0, pc = 0, seq = 0;
    uint64_t exec = 0;  // address and data known
    uint64_t free = 0;  // drained into the cache and deallocated
    uint8_t size = 0;
    bool cached = true;
  };
  unsigned size() const { return static_cast<unsigned>(e_.size()); }
  uint64_t count() const { return n_; }
  // The entry of the store `size()` stores before the next one (what a new store must wait for).
  const Entry* oldest_to_reuse() const { return n_ >= e_.size() ? &e_[n_ % e_.size()] : nullptr; }
  Entry& push() { return e_[n_++ % e_.size()]; }
  const Entry& at(uint64_t k) const { return e_[k % e_.size()]; }

  // Youngest older store still in the queue at cycle t that overlaps [pa, pa+size); -1 if none.
  int64_t find(uint64_t pa, unsigned size, uint64_t t) const {
    const uint64_t stop = n_ > e_.size() ? n_ - e_.size() : 0;
    for (uint64_t k = n_; k-- > stop;) {
      const Entry& s = e_[k % e_.size()];
      if (s.free <= t) break;  // drained: so are all older ones
      if (s.pa < pa + size && pa < s.pa + s.size) return static_cast<int64_t>(k);
    }
    return -1;
  }
  // Stores in the queue at cycle t (from the oldest not yet freed).
  unsigned occupancy(uint64_t t) {
    if (n_ - head_ > e_.size()) head_ = n_ - e_.size();
    while (head_ < n_ && e_[head_ % e_.size()].free <= t) ++head_;
    return static_cast<unsigned>(n_ - head_);
  }

 private:
  std::vector<Entry> e_;
  uint64_t n_ = 0, head_ = 0;
};

}  // namespace vp::cpu
