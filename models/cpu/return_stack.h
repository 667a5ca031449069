#pragma once
// Return-address stack: a circular stack (overflow overwrites the oldest).
// Unpriv. spec 2.5 table 2.1: push on a call (rd = ra/t0), pop on a return (rs1 = ra/t0).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace vp::cpu {

class ReturnStack {
 public:
  explicit ReturnStack(unsigned entries) : s_(entries ? entries : 1) {}
  void push(uint64_t addr) {
    top_ = top_ + 1 == s_.size() ? 0 : top_ + 1;  // no division: this runs per call
    s_[top_] = addr;
    if (depth_ < s_.size()) ++depth_;
  }
  // False when empty.
  bool pop(uint64_t& addr) {
    if (!depth_) return false;
    addr = s_[top_];
    top_ = (top_ == 0 ? s_.size() : top_) - 1;
    --depth_;
    return true;
  }

 private:
  std::vector<uint64_t> s_;
  size_t top_ = 0, depth_ = 0;
};

}  // namespace vp::cpu
