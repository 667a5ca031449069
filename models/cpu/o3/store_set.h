#pragma once
// Store-set memory-dependence predictor (Chrysos & Emer, ISCA 1998; gem5's
// StoreSet): the SSIT maps load/store pcs to store-set ids, the LFST holds the
// last store renamed in each set. A load in a set waits for that store to
// execute; a store in a set waits for the previous store of its set. A
// memory-order violation puts the load and the store into one set (merging
// two sets into the smaller id). Both tables are cleared periodically so
// stale dependences fade. Pure C++.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace vp::cpu {

class StoreSet {
 public:
  StoreSet(unsigned ssit_entries, unsigned lfst_entries, unsigned clear_period);

  static constexpr uint32_t kNone = ~0u;
  // The set of the instruction at pc, or kNone.
  uint32_t set_of(uint64_t pc) const {
    const Ssit& e = ssit_[index(pc)];
    return e.valid ? e.id : kNone;
  }
  // Last store of a set: its sequence number and the cycle it executes (false if none).
  bool last_store(uint32_t set, uint64_t& seq, uint64_t& exec) const {
    const Lfst& l = lfst_[set];
    if (!l.valid) return false;
    seq = l.seq;
    exec = l.exec;
    return true;
  }
  void set_last_store(uint32_t set, uint64_t seq, uint64_t exec) { lfst_[set] = {true, seq, exec}; }
  // A load at load_pc executed before the older store at store_pc it depends on.
  void violation(uint64_t load_pc, uint64_t store_pc);
  // Counts memory instructions; clears the tables every clear_period of them.
  void tick() {
    if (period_ && ++count_ >= period_) clear();
  }

  uint64_t trainings = 0, clears = 0;

 private:
  struct Ssit { bool valid = false; uint32_t id = 0; };
  struct Lfst { bool valid = false; uint64_t seq = 0, exec = 0; };
  size_t index(uint64_t pc) const { return (pc >> 1) & (ssit_.size() - 1); }
  void clear();
  std::vector<Ssit> ssit_;
  std::vector<Lfst> lfst_;
  unsigned period_;
  uint64_t count_ = 0;
  uint32_t next_id_ = 0;
};

}  // namespace vp::cpu
