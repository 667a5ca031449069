#pragma once
// Occupancy histogram for the timing models' statistics: equal-width buckets
// over [0, max], plus the sum and count of samples (for the mean). Buckets are
// published as counters named "<prefix>.<lo>-<hi>". Pure C++, no SystemC.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vp::cpu {

class Histogram {
 public:
  // Values above max_value land in the last bucket.
  void init(unsigned max_value, unsigned buckets = 8) {
    max_ = max_value;
    const unsigned n = std::max(1u, std::min(buckets, max_value + 1));
    bins_.assign(n, 0);
    bucket_of_.resize(size_t{max_value} + 1);
    for (unsigned v = 0; v <= max_value; ++v)
      bucket_of_[v] = static_cast<uint16_t>(uint64_t{v} * n / (uint64_t{max_value} + 1));
  }
  void sample(unsigned v) {
    ++bins_[bucket_of_[std::min(v, max_)]];
    sum_ += v;
    ++samples_;
  }
  double mean() const { return samples_ ? static_cast<double>(sum_) / static_cast<double>(samples_) : 0.0; }
  uint64_t samples() const { return samples_; }

  // (name, description, storage) for every bucket, then <prefix>_sum and <prefix>_samples.
  void for_each_counter(const std::string& prefix, const std::string& what,
                        const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f) const {
    const unsigned n = static_cast<unsigned>(bins_.size());
    for (unsigned b = 0; b < n; ++b) {
      const uint64_t lo = (uint64_t{b} * (max_ + 1) + n - 1) / n;
      const uint64_t hi = (uint64_t{b + 1} * (max_ + 1) + n - 1) / n - 1;
      f(prefix + "." + std::to_string(lo) + "-" + std::to_string(hi),
        "samples with " + what + " in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]", &bins_[b]);
    }
    f(prefix + "_sum", "sum of " + what + " over the samples", &sum_);
    f(prefix + "_samples", "samples of " + what, &samples_);
  }

 private:
  unsigned max_ = 0;
  std::vector<uint64_t> bins_;
  std::vector<uint16_t> bucket_of_;
  uint64_t sum_ = 0, samples_ = 0;
};

}  // namespace vp::cpu
