#pragma once
// Which part of a run an instruction trace shows (vp run --trace-start,
// --trace-stop, --trace-range, --trace-priv, --trace-traps). Plain data,
// shared by the runner and the processors.
#include <cstdint>
#include <utility>
#include <vector>

namespace vp::platform {

struct TraceFilter {
  static constexpr uint64_t kNone = ~0ull;
  // The trace starts at the first instruction at start_pc, or once start_count
  // instructions have retired, and ends likewise (the run goes on untraced).
  uint64_t start_pc = kNone, stop_pc = kNone;
  uint64_t start_count = 0, stop_count = 0;  // 0: no such condition
  // Only instructions whose pc is in one of these [lo, hi) ranges; empty: all.
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  // Only these privilege levels: bit (1 << level), U = 0, S = 1, M = 3.
  unsigned priv_mask = 0xf;
  // Only traps and interrupts, no instruction lines.
  bool traps_only = false;

  bool windowed() const { return start_pc != kNone || start_count != 0; }
};

}  // namespace vp::platform
