#pragma once
// The core's side of speculative_view.h: registers and RAM as the core holds
// them now (the timing model runs right after each instruction retires).
#include "models/cpu/core.h"
#include "models/cpu/speculative_view.h"

namespace vp::cpu {

class CoreSpeculativeView final : public SpeculativeView {
 public:
  explicit CoreSpeculativeView(const Core& core) : core_(core) {}
  const uint8_t* speculative_ptr(uint64_t va, unsigned len, bool fetch, uint64_t& pa) const override {
    return core_.speculative_ptr(va, len, fetch, pa);
  }
  uint64_t speculative_xreg(unsigned i) const override { return core_.reg(i); }
  uint32_t speculative_ext() const override { return core_.config().ext; }

 private:
  const Core& core_;
};

}  // namespace vp::cpu
