// PC-indexed stride prefetcher (reference prediction table, Chen & Baer,
// IEEE TC 1995; gem5's StridePrefetcher): each load/store pc remembers its
// last address, stride and a 2-bit confidence. Once the stride has repeated
// twice, every access that moves to a new line requests `degree` lines along
// the stride, starting `distance` steps ahead: addr + (distance + k) * stride
// for strides of a line or more, the (distance + k)-th next line in the
// stride's direction for shorter strides (so requests run ahead instead of
// landing in the current line), k = 1..degree.
#include <vector>

#include "models/cpu/memory/prefetcher.h"

namespace vp::cpu {
namespace {

class StridePrefetcher final : public Prefetcher {
 public:
  StridePrefetcher(const PrefetcherConfig& c, unsigned line_bytes)
      : degree_(c.degree), distance_(c.distance), mask_(c.table_size - 1), line_bytes_(line_bytes),
        line_shift_(static_cast<unsigned>(__builtin_ctz(line_bytes))), t_(c.table_size) {}
  bool wants_hits() const override { return true; }

  unsigned observe(uint64_t pc, uint64_t addr, uint64_t line, PrefetchEvent, uint64_t* out) override {
    if (!pc) return 0;
    Entry& e = t_[(pc >> 1) & mask_];
    if (e.pc != pc) {
      e = Entry{pc, addr, 0, 0};
      return 0;
    }
    const int64_t s = static_cast<int64_t>(addr - e.last);
    const uint64_t last_line = e.last >> line_shift_;
    if (s == 0) return 0;
    if (s == e.stride) {
      if (e.conf < 3) ++e.conf;
    } else {
      if (e.conf > 0) --e.conf;
      if (e.conf == 0) e.stride = s;
    }
    e.last = addr;
    if (e.conf < 2 || line == last_line) return 0;
    const int64_t mag = e.stride < 0 ? -e.stride : e.stride;
    for (unsigned i = 1; i <= degree_; ++i) {
      const int64_t k = static_cast<int64_t>(distance_ + i);
      if (mag >= static_cast<int64_t>(line_bytes_))
        out[i - 1] = (addr + static_cast<uint64_t>(e.stride * k)) >> line_shift_;
      else
        out[i - 1] = line + static_cast<uint64_t>(e.stride < 0 ? -k : k);
    }
    return degree_;
  }

 private:
  struct Entry {
    uint64_t pc = 0, last = 0;
    int64_t stride = 0;
    unsigned conf = 0;
  };
  unsigned degree_, distance_;
  uint64_t mask_;
  unsigned line_bytes_, line_shift_;
  std::vector<Entry> t_;
};

}  // namespace

std::unique_ptr<Prefetcher> make_stride_prefetcher(const PrefetcherConfig& cfg, unsigned line_bytes) {
  return std::make_unique<StridePrefetcher>(cfg, line_bytes);
}

}  // namespace vp::cpu
