// Bimodal predictor: a table of saturating counters indexed by pc.
#include <vector>

#include "models/cpu/branch_predictor.h"

namespace vp::cpu {
namespace {

class Bimodal final : public PredictorImpl<Bimodal> {
 public:
  explicit Bimodal(const BranchPredictorConfig& c)
      : mask_((1u << c.table_bits) - 1), max_((1u << c.counter_bits) - 1),
        table_(size_t{1} << c.table_bits, static_cast<uint8_t>((max_ + 1) / 2)) {}
  bool predict(uint64_t pc, uint64_t) override { return table_[(pc >> 1) & mask_] > max_ / 2; }
  void update(uint64_t pc, uint64_t, bool taken) override { sat_update(table_[(pc >> 1) & mask_], taken, max_); }
  const char* name() const override { return "bimodal"; }

 private:
  uint32_t mask_;
  unsigned max_;
  std::vector<uint8_t> table_;
};

}  // namespace

std::unique_ptr<BranchPredictor> make_bimodal_predictor(const BranchPredictorConfig& cfg) {
  return std::make_unique<Bimodal>(cfg);
}

}  // namespace vp::cpu
