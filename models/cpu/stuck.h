#pragma once
// A hart that can make no progress: it takes the same exception at the same pc
// with the same register state again and again (a trap handler that returns to
// the faulting instruction, a handler address that faults itself). Detection
// counts trapped instructions, never host time. Environment calls are left
// out: polling a firmware service (an SBI console read) repeats legitimately.
#include <cstdint>
#include <deque>

namespace vp::cpu {

class StuckDetector {
 public:
  // One entry of the trap history; consecutive identical traps are collapsed.
  struct Record {
    uint64_t cause, epc, tval;
    unsigned priv;   // the privilege level the trap was taken from
    uint64_t count;  // how many times in a row
  };
  static constexpr unsigned kHistory = 16;
  static constexpr unsigned kDefaultRepeats = 1000;

  explicit StuckDetector(unsigned repeats = kDefaultRepeats) : repeats_(repeats) {}
  void set_repeats(unsigned n) { repeats_ = n; }  // 0: never report
  unsigned repeats() const { return repeats_; }
  void reset();
  // Starts a new streak (after a report the run may go on).
  void clear_streak() { streak_ = 0; stuck_ = false; }

  // An exception is about to be taken from `priv`; `state` hashes the
  // registers. True when this trap makes the hart stuck.
  bool on_exception(uint64_t cause, uint64_t epc, uint64_t tval, unsigned priv, uint64_t state);

  bool stuck() const { return stuck_; }
  uint64_t streak() const { return streak_; }
  uint64_t exceptions() const { return exceptions_; }
  const std::deque<Record>& history() const { return history_; }  // oldest first

 private:
  unsigned repeats_;
  std::deque<Record> history_;
  uint64_t last_state_ = 0;
  uint64_t streak_ = 0;
  uint64_t exceptions_ = 0;
  bool stuck_ = false;
};

}  // namespace vp::cpu
