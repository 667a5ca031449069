#pragma once
// Branch target buffer: set-associative, LRU, keyed by the branch's pc.
#include <cstdint>
#include <cstddef>
#include <vector>

namespace vp::cpu {

class Btb {
 public:
  Btb(unsigned entries, unsigned assoc);
  // Predicted target of the control transfer at pc; false on a miss.
  // The common cases inline: a hit on the hinted entry, an update right after the lookup.
  bool lookup(uint64_t pc, uint64_t& target) {
    const uint32_t h = hint(pc);
    if (e_[h].pc == pc) {  // the one entry holding pc: what the set scan would find
      e_[h].stamp = ++clock_;
      target = e_[h].target;
      last_pc_ = pc;
      last_ = h;
      return true;
    }
    return lookup_scan(pc, target);
  }
  // lookup() then update(pc, target) in one step; true if the lookup found
  // target. (Two clock ticks, as the two calls take.)
  bool lookup_update(uint64_t pc, uint64_t target) {
    Entry& e = e_[hint(pc)];
    if (e.pc == pc) {
      const bool hit = e.target == target;
      e.target = target;
      e.stamp = clock_ += 2;
      last_pc_ = ~0ull;
      return hit;
    }
    uint64_t t;
    const bool hit = lookup_scan(pc, t) && t == target;
    update(pc, target);
    return hit;
  }
  void update(uint64_t pc, uint64_t target) {
    if (pc == last_pc_) {
      last_pc_ = ~0ull;
      e_[last_] = {pc, target, ++clock_};
      hint(pc) = static_cast<uint32_t>(last_);
      return;
    }
    update_scan(pc, target);
  }

 private:
  struct Entry { uint64_t pc = ~0ull, target = 0, stamp = 0; };
  unsigned sets_, assoc_;
  std::vector<Entry> e_;
  uint64_t clock_ = 0;
  // The entry an update of last_pc_ writes, found by the lookup just before it
  // (the hit, or the LRU victim on a miss): lookup-then-update of one branch,
  // the common case, scans the set once. Nothing changes the set in between.
  uint64_t last_pc_ = ~0ull;
  size_t last_ = 0;
  // Where pc was last seen (an index into e_, verified by the entry's pc: a
  // pc is in at most one entry, of its own set), so a hit needs no set scan.
  // A stale hint only costs the scan; replacement is unchanged.
  std::vector<uint32_t> hint_;
  uint64_t hint_mask_ = 0;
  uint32_t& hint(uint64_t pc) { return hint_[(pc >> 1) & hint_mask_]; }
  bool lookup_scan(uint64_t pc, uint64_t& target);
  void update_scan(uint64_t pc, uint64_t target);
};

}  // namespace vp::cpu
