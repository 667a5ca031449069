// Tournament predictor (Alpha 21264 style): a local-history predictor and a
// global (gshare-like) predictor, with a chooser indexed by global history.
#include <algorithm>
#include <vector>

#include "models/cpu/branch_predictor.h"

namespace vp::cpu {
namespace {

class Tournament final : public PredictorImpl<Tournament> {
 public:
  explicit Tournament(const BranchPredictorConfig& c)
      : bits_(c.table_bits), mask_((1u << c.table_bits) - 1), hmask_((1ull << std::min(c.history, 63u)) - 1),
        max_((1u << c.counter_bits) - 1), local_hist_(size_t{1} << c.table_bits, 0),
        local_(size_t{1} << c.table_bits, static_cast<uint8_t>((max_ + 1) / 2)),
        global_(size_t{1} << c.table_bits, static_cast<uint8_t>((max_ + 1) / 2)),
        chooser_(size_t{1} << c.table_bits, 1) {}

  bool predict(uint64_t pc, uint64_t) override {
    lp_ = local_[local_index(pc)] > max_ / 2;
    gp_ = global_[global_index(pc)] > max_ / 2;
    return chooser_[ghr_ & mask_] >= 2 ? gp_ : lp_;
  }
  void update(uint64_t pc, uint64_t, bool taken) override {
    if (lp_ != gp_) sat_update(chooser_[ghr_ & mask_], gp_ == taken, 3);
    sat_update(local_[local_index(pc)], taken, max_);
    sat_update(global_[global_index(pc)], taken, max_);
    uint32_t& lh = local_hist_[(pc >> 1) & mask_];
    lh = ((lh << 1) | (taken ? 1 : 0)) & mask_;
    ghr_ = ((ghr_ << 1) | (taken ? 1 : 0)) & hmask_;
  }
  const char* name() const override { return "tournament"; }

 private:
  uint32_t local_index(uint64_t pc) const { return local_hist_[(pc >> 1) & mask_] & mask_; }
  uint32_t global_index(uint64_t pc) const {
    uint64_t h = ghr_, f = 0;
    while (h) {
      f ^= h;
      h >>= bits_;
    }
    return static_cast<uint32_t>(((pc >> 1) ^ f) & mask_);
  }
  unsigned bits_;
  uint32_t mask_;
  uint64_t hmask_;
  unsigned max_;
  std::vector<uint32_t> local_hist_;
  std::vector<uint8_t> local_, global_, chooser_;
  uint64_t ghr_ = 0;
  bool lp_ = false, gp_ = false;
};

}  // namespace

std::unique_ptr<BranchPredictor> make_tournament_predictor(const BranchPredictorConfig& cfg) {
  return std::make_unique<Tournament>(cfg);
}

}  // namespace vp::cpu
