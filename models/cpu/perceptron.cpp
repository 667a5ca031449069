// Perceptron predictor (Jimenez & Lin, HPCA 2001): one weight vector per
// table entry, dot product with the global history (+1/-1), trained on a
// misprediction or when |output| <= theta = 1.93 h + 14.
#include <algorithm>
#include <cstdlib>
#include <vector>

#include "models/cpu/branch_predictor.h"

namespace vp::cpu {
namespace {

class Perceptron final : public PredictorImpl<Perceptron> {
 public:
  explicit Perceptron(const BranchPredictorConfig& c)
      : h_(std::min(c.history, 128u)), entries_(1u << std::min(c.table_bits, 16u)),
        theta_(static_cast<int>(1.93 * h_ + 14)), w_(size_t{entries_} * (h_ + 1), 0), hist_(h_, -1) {}

  bool predict(uint64_t pc, uint64_t) override {
    const int16_t* w = &w_[row(pc)];
    int y = w[0];
    for (unsigned i = 0; i < h_; ++i) y += hist_[i] > 0 ? w[i + 1] : -w[i + 1];
    y_ = y;
    return y >= 0;
  }
  void update(uint64_t pc, uint64_t, bool taken) override {
    const int t = taken ? 1 : -1;
    if ((y_ >= 0) != taken || std::abs(y_) <= theta_) {
      int16_t* w = &w_[row(pc)];
      train(w[0], t);
      for (unsigned i = 0; i < h_; ++i) train(w[i + 1], t * hist_[i]);
    }
    if (h_) {
      std::move_backward(hist_.begin(), hist_.end() - 1, hist_.end());
      hist_[0] = static_cast<int8_t>(t);
    }
  }
  const char* name() const override { return "perceptron"; }

 private:
  size_t row(uint64_t pc) const { return size_t{static_cast<uint32_t>((pc >> 1) % entries_)} * (h_ + 1); }
  static void train(int16_t& w, int d) { w = static_cast<int16_t>(std::clamp(w + d, -128, 127)); }
  unsigned h_, entries_;
  int theta_;
  std::vector<int16_t> w_;
  std::vector<int8_t> hist_;  // +1 taken, -1 not taken; [0] is the newest
  int y_ = 0;
};

}  // namespace

std::unique_ptr<BranchPredictor> make_perceptron_predictor(const BranchPredictorConfig& cfg) {
  return std::make_unique<Perceptron>(cfg);
}

}  // namespace vp::cpu
