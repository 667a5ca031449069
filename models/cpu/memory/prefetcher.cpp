// Sequential prefetchers (Smith, "Cache Memories", ACM Computing Surveys 1982):
// next-line prefetches the `degree` lines after a missing line; tagged also
// triggers on the first demand use of a prefetched line, so a sequential
// stream stays ahead once it has started. Plus the factory for all types.
#include "models/cpu/memory/prefetcher.h"

#include <stdexcept>

namespace vp::cpu {
namespace {

class SequentialPrefetcher final : public Prefetcher {
 public:
  SequentialPrefetcher(unsigned degree, bool tagged) : degree_(degree), tagged_(tagged) {}
  unsigned observe(uint64_t, uint64_t, uint64_t line, PrefetchEvent ev, uint64_t* out) override {
    if (ev == PrefetchEvent::kHit || (ev == PrefetchEvent::kPrefetchedHit && !tagged_)) return 0;
    for (unsigned k = 0; k < degree_; ++k) out[k] = line + 1 + k;
    return degree_;
  }

 private:
  unsigned degree_;
  bool tagged_;
};

}  // namespace

const std::vector<std::string>& prefetcher_types() {
  static const std::vector<std::string> t = {"none", "next_line", "stride", "stream", "tagged"};
  return t;
}

std::unique_ptr<Prefetcher> make_prefetcher(const PrefetcherConfig& cfg, unsigned line_bytes) {
  if (cfg.degree < 1 || cfg.degree > Prefetcher::kMaxDegree)
    throw std::invalid_argument("prefetcher degree must be between 1 and 16");
  if (cfg.table_size < 1 || cfg.table_size > 65536 || (cfg.table_size & (cfg.table_size - 1)))
    throw std::invalid_argument("prefetcher table_size must be a power of two between 1 and 65536");
  if (cfg.type == "none") return nullptr;
  if (cfg.type == "next_line") return std::make_unique<SequentialPrefetcher>(cfg.degree, false);
  if (cfg.type == "tagged") return std::make_unique<SequentialPrefetcher>(cfg.degree, true);
  if (cfg.type == "stride") return make_stride_prefetcher(cfg, line_bytes);
  if (cfg.type == "stream") return make_stream_prefetcher(cfg);
  throw std::invalid_argument("unknown prefetcher '" + cfg.type + "'");
}

}  // namespace vp::cpu
