#pragma once
// Issue scheduling of the out-of-order backend. Instructions are scheduled in
// program order, so an older instruction always gets its slot first: this is
// the oldest-first select of a CAM wakeup/select issue queue. A cycle-indexed
// reservation table counts the instructions issued per cycle (issue width) and
// per functional unit (pipelined units accept one per unit per cycle);
// iterative units (dividers) are busy for their latency. The table is a ring
// of 64 Ki cycles: schedules further ahead than that alias (approximation).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "models/cpu/op_class.h"

namespace vp::cpu {

class IssueSchedule {
 public:
  IssueSchedule(unsigned issue_width, const unsigned* units) : width_(issue_width), slots_(kSlots) {
    for (unsigned f = 0; f < kFuCount; ++f) {
      units_[f] = std::max(1u, units[f]);
      busy_[f].assign(units_[f], 0);
    }
  }

  // First cycle >= t with an issue slot and a free unit of `fu`; reserves it.
  // `busy`: the unit is occupied for `latency` cycles (not pipelined).
  uint64_t issue(uint64_t t, Fu fu, bool busy, unsigned latency) {
    return issue_before(t, fu, busy, latency, kNever);
  }
  // Like issue(), but only before cycle `deadline` (a wrong-path instruction
  // issues only until its squash): kNever, and nothing reserved, otherwise.
  static constexpr uint64_t kNever = ~0ull;
  uint64_t issue_before(uint64_t t, Fu fu, bool busy, unsigned latency, uint64_t deadline) {
    const unsigned f = static_cast<unsigned>(fu);
    unsigned unit = 0;
    if (busy) {
      for (unsigned u = 1; u < units_[f]; ++u)
        if (busy_[f][u] < busy_[f][unit]) unit = u;
      t = std::max(t, busy_[f][unit]);
    }
    for (; t < deadline; ++t) {
      Slot& s = slots_[t & (kSlots - 1)];
      if (s.cycle != t) s = Slot{t, 0, {}};
      if (s.issued < width_ && s.fu[f] < units_[f]) {
        ++s.issued;
        ++s.fu[f];
        if (busy) busy_[f][unit] = t + latency;
        return t;
      }
    }
    return kNever;
  }

 private:
  static constexpr unsigned kSlots = 1u << 16;
  struct Slot {
    uint64_t cycle = ~0ull;
    uint16_t issued = 0;
    uint8_t fu[kFuCount] = {};
  };
  unsigned width_;
  unsigned units_[kFuCount];
  std::vector<uint64_t> busy_[kFuCount];
  std::vector<Slot> slots_;
};

}  // namespace vp::cpu
