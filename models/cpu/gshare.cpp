// gshare (McFarling 1993): counters indexed by pc XOR global history.
#include <vector>

#include "models/cpu/branch_predictor.h"

namespace vp::cpu {
namespace {

class Gshare final : public PredictorImpl<Gshare> {
 public:
  explicit Gshare(const BranchPredictorConfig& c)
      : hist_(c.history), mask_((1u << c.table_bits) - 1), hmask_(c.history >= 64 ? ~0ull : (1ull << c.history) - 1),
        max_((1u << c.counter_bits) - 1), table_(size_t{1} << c.table_bits, static_cast<uint8_t>((max_ + 1) / 2)) {}
  bool predict(uint64_t pc, uint64_t) override { return table_[index(pc)] > max_ / 2; }
  void update(uint64_t pc, uint64_t, bool taken) override {
    sat_update(table_[index(pc)], taken, max_);
    ghr_ = ((ghr_ << 1) | (taken ? 1 : 0)) & hmask_;
  }
  const char* name() const override { return "gshare"; }

 private:
  uint32_t index(uint64_t pc) const {
    // Fold histories longer than the index into it; shorter ones go to the
    // index's top bits, away from the low pc bits of neighbouring branches.
    uint64_t h = ghr_, f = 0;
    const unsigned bits = static_cast<unsigned>(__builtin_popcount(mask_));
    while (h) {
      f ^= h;
      h >>= bits;
    }
    if (hist_ < bits) f <<= bits - hist_;
    // Multiplicative pc hash: neighbouring branches do not alias through the history bits.
    const uint64_t ph = ((pc >> 1) * 0x9e3779b97f4a7c15ull) >> (64 - bits);
    return static_cast<uint32_t>((ph ^ f) & mask_);
  }
  unsigned hist_;
  uint32_t mask_;
  uint64_t hmask_;
  unsigned max_;
  std::vector<uint8_t> table_;
  uint64_t ghr_ = 0;
};

}  // namespace

std::unique_ptr<BranchPredictor> make_gshare_predictor(const BranchPredictorConfig& cfg) {
  return std::make_unique<Gshare>(cfg);
}

}  // namespace vp::cpu
