// Static predictors: always not-taken, and backward-taken/forward-not-taken (BTFN).
#include <stdexcept>

#include "models/cpu/branch_predictor.h"

namespace vp::cpu {
namespace {

class StaticPredictor final : public PredictorImpl<StaticPredictor> {
 public:
  explicit StaticPredictor(bool btfn) : btfn_(btfn) {}
  bool predict(uint64_t pc, uint64_t target) override { return btfn_ && target < pc; }
  void update(uint64_t, uint64_t, bool) override {}
  const char* name() const override { return btfn_ ? "btfn" : "static"; }

 private:
  bool btfn_;
};

}  // namespace

std::unique_ptr<BranchPredictor> make_static_predictor(const BranchPredictorConfig& cfg) {
  return std::make_unique<StaticPredictor>(cfg.type == "btfn");
}

const std::vector<std::string>& branch_predictor_types() {
  static const std::vector<std::string> types{"static", "not_taken", "btfn", "bimodal", "gshare",
                                              "tournament", "perceptron", "tage"};
  return types;
}

std::unique_ptr<BranchPredictor> make_branch_predictor(const BranchPredictorConfig& cfg) {
  const std::string& t = cfg.type;
  if (t == "static" || t == "not_taken" || t == "btfn") return make_static_predictor(cfg);
  if (t == "bimodal") return make_bimodal_predictor(cfg);
  if (t == "gshare") return make_gshare_predictor(cfg);
  if (t == "tournament") return make_tournament_predictor(cfg);
  if (t == "perceptron") return make_perceptron_predictor(cfg);
  if (t == "tage") return make_tage_predictor(cfg);
  throw std::invalid_argument("unknown branch predictor '" + t + "'");
}

}  // namespace vp::cpu
