#pragma once
// Conditional branch direction predictors behind one interface, chosen by
// name from the hart's `bp: {type: ...}` property. Each predictor keeps its
// own global history (updated in update()). Pure C++, no SystemC.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace vp::cpu {

struct BranchPredictorConfig {
  std::string type = "bimodal";  // static, btfn, bimodal, gshare, tournament, perceptron, tage
  unsigned table_bits = 12;      // log2 entries of the main table(s)
  unsigned history = 12;         // global history bits (gshare, tournament, perceptron)
  unsigned counter_bits = 2;     // saturating counter width (bimodal, gshare, tournament)
  // TAGE
  unsigned tables = 4;           // tagged tables
  unsigned min_history = 4;      // geometric history lengths from min to max
  unsigned max_history = 64;
  std::vector<unsigned> histories;  // explicit lengths (overrides min/max), one per table
  unsigned tag_bits = 9;
  std::vector<unsigned> tag_widths;  // explicit tag widths, one per table
  unsigned tagged_table_bits = 10;   // log2 entries of each tagged table
  // BTB and return-address stack
  unsigned btb_entries = 512;
  unsigned btb_assoc = 4;
  unsigned ras_entries = 8;
};

class BranchPredictor {
 public:
  virtual ~BranchPredictor() = default;
  // Predicted direction of the conditional branch at pc (target: its taken target).
  virtual bool predict(uint64_t pc, uint64_t target) = 0;
  // The outcome of the branch just predicted (always called right after predict).
  virtual void update(uint64_t pc, uint64_t target, bool taken) = 0;
  // predict() then update() in one call (what the branch unit does per branch).
  virtual bool predict_update(uint64_t pc, uint64_t target, bool taken) = 0;
  virtual const char* name() const = 0;
  // Extra statistics of this predictor: (suffix, counter) pairs.
  virtual void extra_stats(const std::function<void(const std::string&, const uint64_t*)>&) {}
};

// A simple predictor class D derives from PredictorImpl<D>: predict_update() calls
// D's own predict() and update() directly (no virtual calls, inlined). TAGE
// (tage.cpp) implements predict_update() itself, to keep its lookup in registers
// from the prediction to the training.
template <class D>
class PredictorImpl : public BranchPredictor {
 public:
  bool predict_update(uint64_t pc, uint64_t target, bool taken) final {
    D& d = static_cast<D&>(*this);
    const bool pred = d.D::predict(pc, target);
    d.D::update(pc, target, taken);
    return pred;
  }
};

// Known predictor type names, for validation and did-you-mean.
const std::vector<std::string>& branch_predictor_types();
// Throws std::invalid_argument on an unknown type or bad parameters.
std::unique_ptr<BranchPredictor> make_branch_predictor(const BranchPredictorConfig& cfg);

// One factory per file (static_predictor.cpp, bimodal.cpp, ...).
std::unique_ptr<BranchPredictor> make_static_predictor(const BranchPredictorConfig& cfg);
std::unique_ptr<BranchPredictor> make_bimodal_predictor(const BranchPredictorConfig& cfg);
std::unique_ptr<BranchPredictor> make_gshare_predictor(const BranchPredictorConfig& cfg);
std::unique_ptr<BranchPredictor> make_tournament_predictor(const BranchPredictorConfig& cfg);
std::unique_ptr<BranchPredictor> make_perceptron_predictor(const BranchPredictorConfig& cfg);
std::unique_ptr<BranchPredictor> make_tage_predictor(const BranchPredictorConfig& cfg);

// Saturating counter helpers shared by the counter-based predictors.
inline void sat_update(uint8_t& c, bool up, unsigned max) {
  if (up) {
    if (c < max) ++c;
  } else if (c > 0) {
    --c;
  }
}

}  // namespace vp::cpu
