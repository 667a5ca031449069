#include "models/cpu/stuck.h"

namespace vp::cpu {

void StuckDetector::reset() {
  history_.clear();
  last_state_ = 0;
  streak_ = 0;
  exceptions_ = 0;
  stuck_ = false;
}

bool StuckDetector::on_exception(uint64_t cause, uint64_t epc, uint64_t tval, unsigned priv, uint64_t state) {
  ++exceptions_;
  const bool same = !history_.empty() && history_.back().cause == cause && history_.back().epc == epc &&
                    history_.back().tval == tval && history_.back().priv == priv;
  if (same) {
    ++history_.back().count;
  } else {
    if (history_.size() == kHistory) history_.pop_front();
    history_.push_back({cause, epc, tval, priv, 1});
  }
  // Priv. spec table 3.6: causes 8, 9 and 11 are environment calls.
  const bool ecall = cause == 8 || cause == 9 || cause == 11;
  if (same && !ecall && state == last_state_)
    ++streak_;
  else
    streak_ = 1;
  last_state_ = state;
  if (repeats_ && streak_ >= repeats_) stuck_ = true;
  return stuck_;
}

}  // namespace vp::cpu
