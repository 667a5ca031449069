// Stream prefetcher (in the spirit of Jouppi's stream buffers, ISCA 1990, and
// the IBM POWER / Intel L2 streamers): `table_size` streams, each confirmed
// by two misses to consecutive lines in one direction within a 4 KiB region.
// A confirmed stream keeps `degree` lines in flight ahead of the demand
// accesses, `distance` lines out: every miss or first use of a prefetched line
// in the stream requests the lines from access + distance + 1 to access +
// distance + degree not requested yet. Streams are replaced least recently used.
#include <vector>

#include "models/cpu/memory/prefetcher.h"

namespace vp::cpu {
namespace {

class StreamPrefetcher final : public Prefetcher {
 public:
  explicit StreamPrefetcher(const PrefetcherConfig& c) : degree_(c.degree), distance_(c.distance), s_(c.table_size) {}

  unsigned observe(uint64_t, uint64_t, uint64_t line, PrefetchEvent ev, uint64_t* out) override {
    if (ev == PrefetchEvent::kHit) return 0;
    ++clock_;
    // A stream this access continues: within `degree` lines past its last access.
    for (Stream& s : s_) {
      if (!s.valid) continue;
      const int64_t d = static_cast<int64_t>(line - s.last);
      if (s.dir == 0) {
        // Training: the next or previous line confirms a direction.
        if ((d == 1 || d == -1) && region(line) == region(s.last)) {
          s.dir = static_cast<int>(d);
          s.last = line;
          s.head = line;
          s.used = clock_;
          return issue(s, line, out);
        }
        continue;
      }
      if (d * s.dir >= 1 && d * s.dir <= static_cast<int64_t>(degree_ + distance_) + 1) {
        s.last = line;
        s.used = clock_;
        return issue(s, line, out);
      }
    }
    if (ev != PrefetchEvent::kMiss) return 0;
    // Allocate a new (training) stream in the least recently used slot.
    Stream* v = &s_[0];
    for (Stream& s : s_) {
      if (!s.valid) { v = &s; break; }
      if (s.used < v->used) v = &s;
    }
    *v = Stream{true, 0, line, line, clock_};
    return 0;
  }

 private:
  struct Stream {
    bool valid = false;
    int dir = 0;          // +1, -1, or 0 while training
    uint64_t last = 0;    // last line accessed
    uint64_t head = 0;    // furthest line requested
    uint64_t used = 0;
  };
  static uint64_t region(uint64_t line) { return line >> 6; }  // 4 KiB of 64-byte lines
  unsigned issue(Stream& s, uint64_t line, uint64_t* out) {
    unsigned n = 0;
    for (unsigned k = distance_ + 1; k <= distance_ + degree_; ++k) {
      const uint64_t l = line + static_cast<uint64_t>(static_cast<int64_t>(k) * s.dir);
      const bool ahead = s.dir > 0 ? l > s.head : l < s.head;
      if (ahead) out[n++] = l;
    }
    if (n) s.head = out[n - 1];
    return n;
  }
  unsigned degree_, distance_;
  std::vector<Stream> s_;
  uint64_t clock_ = 0;
};

}  // namespace

std::unique_ptr<Prefetcher> make_stream_prefetcher(const PrefetcherConfig& cfg) {
  return std::make_unique<StreamPrefetcher>(cfg);
}

}  // namespace vp::cpu
