#pragma once
// An open-addressed hash table from a 64-bit key (a physical pc or page number) to a
// non-null pointer: linear probing, multiplicative hashing, power-of-two capacity,
// erase by backward shift (no tombstones, so lookups never slow down with churn).
// The core's block cache and code-page index use it in place of std::unordered_map:
// one cache line per lookup in the common case, no allocation per entry.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace vp::cpu {

template <class V>
class PcTable {
 public:
  explicit PcTable(unsigned log2_capacity = 10) { allocate(log2_capacity); }

  V* find(uint64_t key) const {
    for (size_t i = index(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.value == nullptr) return nullptr;
      if (s.key == key) return s.value;
    }
  }
  // Sets key's value (v != nullptr), replacing any.
  void insert(uint64_t key, V* v) {
    if ((count_ + 1) * 2 > capacity()) grow();  // load <= 1/2: short probe runs
    place(key, v);
  }
  // Removes key; returns its value (nullptr if absent).
  V* erase(uint64_t key) {
    size_t i = index(key);
    for (;; i = (i + 1) & mask_) {
      if (slots_[i].value == nullptr) return nullptr;
      if (slots_[i].key == key) break;
    }
    V* const old = slots_[i].value;
    --count_;
    // Backward shift: move later entries of the probe run into the hole when their
    // home slot does not lie (cyclically) in (hole, j].
    for (size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      Slot& s = slots_[j];
      if (s.value == nullptr) break;
      const size_t home = index(s.key);
      if (((j - home) & mask_) >= ((j - i) & mask_)) {
        slots_[i] = s;
        i = j;
      }
    }
    slots_[i] = Slot{};
    return old;
  }
  // Removes everything. A table that grew far beyond what it holds shrinks, so a
  // clear costs about as much as the entries it held.
  void clear() {
    if (count_ == 0) return;
    if (log2_ > kMinLog2 && count_ * 16 < capacity()) {
      unsigned want = kMinLog2;
      while ((size_t{1} << want) < count_ * 4) ++want;
      allocate(want);
      return;
    }
    std::memset(static_cast<void*>(slots_.get()), 0, capacity() * sizeof(Slot));
    count_ = 0;
  }
  template <class F> void for_each(F&& f) const {
    for (size_t i = 0; i <= mask_; ++i)
      if (slots_[i].value) f(slots_[i].key, slots_[i].value);
  }
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  size_t capacity() const { return mask_ + 1; }

 private:
  struct Slot {
    uint64_t key = 0;
    V* value = nullptr;
  };
  static constexpr unsigned kMinLog2 = 6;

  size_t index(uint64_t key) const {
    // Fibonacci hashing: the top bits of key * 2^64/phi spread pcs (aligned, clustered).
    return static_cast<size_t>((key * 0x9e3779b97f4a7c15ull) >> (64 - log2_));
  }
  void place(uint64_t key, V* v) {
    for (size_t i = index(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.value == nullptr) {
        s = {key, v};
        ++count_;
        return;
      }
      if (s.key == key) {
        s.value = v;
        return;
      }
    }
  }
  void allocate(unsigned log2) {
    if (log2 < kMinLog2) log2 = kMinLog2;
    log2_ = log2;
    mask_ = (size_t{1} << log2) - 1;
    slots_.reset(new Slot[mask_ + 1]);
    count_ = 0;
  }
  void grow() {
    std::unique_ptr<Slot[]> old = std::move(slots_);
    const size_t old_cap = capacity();
    allocate(log2_ + 1);
    for (size_t i = 0; i < old_cap; ++i)
      if (old[i].value) place(old[i].key, old[i].value);
  }

  std::unique_ptr<Slot[]> slots_;
  size_t mask_ = 0;
  size_t count_ = 0;
  unsigned log2_ = 0;
};

}  // namespace vp::cpu
