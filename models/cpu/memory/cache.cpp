#include "models/cpu/memory/cache.h"

#include <algorithm>
#include <stdexcept>

namespace vp::cpu {

const char* replacement_name(Replacement r) {
  switch (r) {
    case Replacement::kLru: return "lru";
    case Replacement::kTreePlru: return "plru";
    case Replacement::kRandom: return "random";
    case Replacement::kFifo: return "fifo";
  }
  return "?";
}

static bool pow2(uint64_t v) { return v && !(v & (v - 1)); }

Cache::Cache(const CacheConfig& cfg, MemLevel* next) : cfg_(cfg), next_(next) {
  if (!next) throw std::invalid_argument("cache: no next level");
  if (!pow2(cfg.line) || cfg.assoc == 0 || cfg.size < uint64_t{cfg.line} * cfg.assoc)
    throw std::invalid_argument("cache: bad geometry");
  const uint64_t sets = cfg.size / cfg.line / cfg.assoc;
  if (!pow2(sets)) throw std::invalid_argument("cache: size / (line * assoc) must be a power of two");
  if (cfg.replacement == Replacement::kTreePlru && !pow2(cfg.assoc))
    throw std::invalid_argument("cache: tree-PLRU needs a power-of-two associativity");
  // hit() returns 0 for "not a plain hit": a hit is done at t + hit_latency > 0.
  if (cfg.hit_latency == 0) throw std::invalid_argument("cache: hit latency must be at least 1");
  if (cfg.mshrs > 256) throw std::invalid_argument("cache: at most 256 MSHRs");
  if (cfg.write_buffer > 256) throw std::invalid_argument("cache: at most 256 write-buffer entries");
  sets_ = static_cast<unsigned>(sets);
  set_mask_ = sets_ - 1;
  assoc_ = cfg.assoc;
  line_shift_ = static_cast<unsigned>(__builtin_ctzll(cfg.line));
  lines_.assign(size_t{sets_} * assoc_, Line{kInvalid, 0, 0, 0, 0});
  plru_.assign(sets_, 0);
  mshr_free_.assign(cfg.mshrs, 0);
  wbuf_.assign(cfg.write_buffer, 0);
  mshr_occ_.init(std::max(1u, cfg.mshrs), std::min(cfg.mshrs + 1, 9u));
  pf_ = make_prefetcher(cfg.prefetcher, cfg.line);
  pf_hits_ = pf_ && pf_->wants_hits();
  mru_.resize(sets_);
  for (unsigned i = 0; i < sets_; ++i) mru_[i] = &lines_[size_t{i} * assoc_];
  // Demand reads, and writes to a write-back cache, may hit without the slow
  // path unless the prefetcher watches hits.
  hit_ops_[static_cast<unsigned>(MemOp::kRead)] = !pf_hits_;
  hit_ops_[static_cast<unsigned>(MemOp::kWrite)] = !pf_hits_ && cfg.write_back;
  set_busy(0);
}

Cache::~Cache() = default;

void Cache::invalidate_all() {
  for (Line& l : lines_) l = Line{kInvalid, 0, 0, 0, 0};
  std::fill(plru_.begin(), plru_.end(), 0);
  for (unsigned i = 0; i < sets_; ++i) mru_[i] = &lines_[size_t{i} * assoc_];
}

bool Cache::contains(uint64_t addr) const { return find(addr >> line_shift_) >= 0; }

int Cache::find(uint64_t line) const {
  const size_t base = size_t{static_cast<unsigned>(line & (sets_ - 1))} * assoc_;
  for (unsigned w = 0; w < assoc_; ++w)
    if (lines_[base + w].tag == line) return static_cast<int>(w);
  return -1;
}

bool Cache::plain_hit_other(uint64_t line, MemOp op, uint64_t t) {
  const int w = find(line);
  if (w < 0) return false;
  const unsigned set = static_cast<unsigned>(line) & set_mask_;
  Line& l = lines_[size_t{set} * assoc_ + static_cast<unsigned>(w)];
  if (l.ready > t || l.prefetched) return false;
  touch(set, static_cast<unsigned>(w));  // not needed for the MRU way: hitting it again changes no replacement state
  count_hit(l, op);
  return true;
}

// Tree-PLRU: node bits point towards the pseudo-least-recently-used half.
void Cache::touch_plru(unsigned set, unsigned way) {
  uint64_t& bits = plru_[set];
  unsigned node = 1, lo = 0, span = assoc_;
  while (span > 1) {
    span >>= 1;
    const bool upper = way >= lo + span;
    // Point away from the used half.
    if (upper) bits &= ~(1ull << node); else bits |= 1ull << node;
    if (upper) lo += span;
    node = node * 2 + (upper ? 1 : 0);
  }
}

unsigned Cache::victim(unsigned set) {
  const size_t base = size_t{set} * assoc_;
  for (unsigned w = 0; w < assoc_; ++w)
    if (lines_[base + w].tag == kInvalid) return w;
  switch (cfg_.replacement) {
    case Replacement::kLru:
    case Replacement::kFifo: {
      unsigned best = 0;
      for (unsigned w = 1; w < assoc_; ++w)
        if (lines_[base + w].stamp < lines_[base + best].stamp) best = w;
      return best;
    }
    case Replacement::kTreePlru: {
      const uint64_t bits = plru_[set];
      unsigned node = 1, lo = 0, span = assoc_;
      while (span > 1) {
        span >>= 1;
        const bool upper = (bits >> node) & 1;
        if (upper) lo += span;
        node = node * 2 + (upper ? 1 : 0);
      }
      return lo;
    }
    case Replacement::kRandom:
      rng_ ^= rng_ << 13;
      rng_ ^= rng_ >> 7;
      rng_ ^= rng_ << 17;
      return static_cast<unsigned>(rng_ % assoc_);
  }
  return 0;
}

// The MSHR that frees first; the miss waits for it when all are busy.
uint64_t Cache::alloc_mshr(uint64_t t, unsigned& slot) {
  unsigned best = 0, busy = 0;
  for (unsigned i = 0; i < mshr_free_.size(); ++i) {
    if (mshr_free_[i] > t) ++busy;
    if (mshr_free_[i] < mshr_free_[best]) best = i;
  }
  mshr_occ_.sample(busy);
  slot = best;
  const uint64_t start = std::max(t, mshr_free_[best]);
  st_.mshr_full_cycles += start - t;
  return start;
}

// Writes drain in order, one starting per cycle; a full buffer makes the
// writer wait for its oldest entry. Returns the cycle the entry was taken.
uint64_t Cache::buffered_write(uint64_t addr, MemOp op, uint64_t t) {
  if (wbuf_.empty()) return next_->access(addr, op, t, 0);
  const uint64_t accept = std::max(t, wbuf_[wbuf_head_]);
  st_.write_buffer_full_cycles += accept - t;
  const uint64_t start = std::max(accept, wbuf_last_start_ + 1);
  wbuf_last_start_ = start;
  wbuf_[wbuf_head_] = next_->access(addr, op, start, 0);
  if (++wbuf_head_ == wbuf_.size()) wbuf_head_ = 0;
  return accept;
}

void Cache::write_through(uint64_t addr, uint64_t t) {
  ++st_.writes_through;
  buffered_write(addr, MemOp::kWrite, t);
}

uint64_t Cache::evict(unsigned set, unsigned way, uint64_t t) {
  Line& l = lines_[size_t{set} * assoc_ + way];
  if (l.tag == kInvalid) return t;
  ++st_.evictions;
  if (l.prefetched) ++st_.pf_unused;
  if (!l.dirty) return t;
  ++st_.writebacks;
  return buffered_write(l.tag << line_shift_, MemOp::kWriteback, t);
}

void Cache::install(unsigned set, unsigned way, uint64_t line, uint64_t ready, bool dirty, bool prefetched) {
  Line& l = lines_[size_t{set} * assoc_ + way];
  l.tag = line;
  l.ready = ready;
  l.dirty = dirty;
  l.prefetched = prefetched;
  l.stamp = ++clock_;  // LRU and FIFO both start from the fill
  touch(set, way);
}

void Cache::prefetch(uint64_t line, uint64_t t) {
  if (find(line) >= 0) {
    ++st_.pf_redundant;
    return;
  }
  // A prefetch takes a free MSHR or is dropped; it never delays demand misses.
  unsigned slot = 0;
  if (!mshr_free_.empty()) {
    for (slot = 0; slot < mshr_free_.size() && mshr_free_[slot] > t; ++slot) {}
    if (slot == mshr_free_.size()) {
      ++st_.pf_dropped;
      return;
    }
  } else if (busy_until_ > t) {
    ++st_.pf_dropped;
    return;
  }
  ++st_.pf_issued;
  const unsigned set = static_cast<unsigned>(line & (sets_ - 1));
  const unsigned way = victim(set);
  const uint64_t start = evict(set, way, t + cfg_.hit_latency);
  const uint64_t fill = next_->access(line << line_shift_, MemOp::kPrefetch, start, 0);
  install(set, way, line, fill, false, true);
  if (!mshr_free_.empty()) mshr_free_[slot] = fill;
  else set_busy(fill);
}

// Everything hit() does not serve: misses, MSHR hits, prefetched lines,
// write-backs, write-through stores, prefetch requests, a busy blocking cache.
uint64_t Cache::access_slow(uint64_t addr, MemOp op, uint64_t t, uint64_t pc) {
  const uint64_t line = addr >> line_shift_;
  const bool write = op == MemOp::kWrite || op == MemOp::kWriteback;
  const bool demand = op == MemOp::kRead || op == MemOp::kWrite;
  if (busy_until_ > t) {  // blocking cache with a miss outstanding
    st_.blocked_cycles += busy_until_ - t;
    t = busy_until_;
  }
  if (write) ++st_.writes; else ++st_.reads;  // and accesses (fold_counts())
  const unsigned set = static_cast<unsigned>(line & (sets_ - 1));
  const size_t base = size_t{set} * assoc_;
  PrefetchEvent ev = PrefetchEvent::kHit;
  uint64_t done;
  int way = -1;
  for (unsigned w = 0; w < assoc_; ++w)
    if (lines_[base + w].tag == line) {
      way = static_cast<int>(w);
      break;
    }
  if (way >= 0) {
    Line& l = lines_[base + static_cast<unsigned>(way)];
    if (l.ready > t) ++st_.mshr_hits; else ++st_.hits;
    if (l.prefetched && demand) {
      l.prefetched = 0;
      ev = PrefetchEvent::kPrefetchedHit;
      if (l.ready > t) ++st_.pf_late; else ++st_.pf_useful;
      ++st_.pf_covered;
      ++st_.demand_misses_without_pf;
    }
    touch(set, static_cast<unsigned>(way));
    done = std::max(t + cfg_.hit_latency, l.ready);
    if (write) {
      if (cfg_.write_back) l.dirty = 1;
      else write_through(addr, t);
    }
  } else {
    ++st_.misses;
    if (write) ++st_.write_misses; else ++st_.read_misses;
    if (demand) {
      ++st_.demand_misses;
      ++st_.demand_misses_without_pf;
    }
    ev = PrefetchEvent::kMiss;
    if (op == MemOp::kWrite && !cfg_.write_allocate) {
      // Write-around: the store goes to the next level through the write buffer.
      ++st_.writes_through;
      done = buffered_write(addr, MemOp::kWrite, t) + cfg_.hit_latency;
    } else if (op == MemOp::kWriteback) {
      // A whole dirty line from above: allocated without a fill.
      const unsigned w = victim(set);
      const uint64_t start = evict(set, w, t);
      install(set, w, line, start, true, false);
      done = start + cfg_.hit_latency;
    } else {
      unsigned slot = 0;
      uint64_t start = t + cfg_.hit_latency;  // tag check, then the request goes down
      if (!mshr_free_.empty()) start = alloc_mshr(start, slot);
      const unsigned w = victim(set);
      start = evict(set, w, start);
      const uint64_t fill = next_->access(line << line_shift_, op == MemOp::kPrefetch ? MemOp::kPrefetch : MemOp::kRead,
                                          start, pc);
      install(set, w, line, fill, write && cfg_.write_back, false);
      if (!mshr_free_.empty()) mshr_free_[slot] = fill;
      else set_busy(fill);
      if (write && !cfg_.write_back) write_through(addr, fill);
      done = fill;
    }
  }
  if (pf_ && demand && (ev != PrefetchEvent::kHit || pf_hits_)) {
    uint64_t out[Prefetcher::kMaxDegree];
    const unsigned n = pf_->observe(pc, addr, line, ev, out);
    for (unsigned i = 0; i < n; ++i)
      if (out[i] != line) prefetch(out[i], t);
  }
  return done;
}

void Cache::for_each_counter(
    const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f) const {
  f("accesses", "requests (reads, writes, fills and prefetches from the level above)", &st_.accesses);
  f("hits", "requests finding their line filled", &st_.hits);
  f("misses", "requests not finding their line (primary misses)", &st_.misses);
  f("mshr_hits", "requests finding their line still being filled (secondary misses)", &st_.mshr_hits);
  f("reads", "", &st_.reads);
  f("writes", "stores and write-backs from above", &st_.writes);
  f("read_misses", "", &st_.read_misses);
  f("write_misses", "", &st_.write_misses);
  f("evictions", "", &st_.evictions);
  f("writebacks", "dirty lines written back", &st_.writebacks);
  f("writes_through", "writes passed to the next level", &st_.writes_through);
  f("mshr_full_cycles", "cycles misses waited for a free MSHR", &st_.mshr_full_cycles);
  f("write_buffer_full_cycles", "cycles writes waited for a write-buffer entry", &st_.write_buffer_full_cycles);
  if (cfg_.mshrs == 0) f("blocked_cycles", "cycles requests waited behind an outstanding miss (blocking cache)",
                         &st_.blocked_cycles);
  if (cfg_.mshrs) mshr_occ_.for_each_counter("mshr_occupancy", "MSHRs busy at a miss", f);
  if (!pf_) return;
  f("prefetch.issued", "prefetch requests sent to the next level", &st_.pf_issued);
  f("prefetch.useful", "first demand uses of prefetched lines that had arrived", &st_.pf_useful);
  f("prefetch.late", "first demand uses of prefetched lines still in flight", &st_.pf_late);
  f("prefetch.covered", "useful + late", &st_.pf_covered);
  f("prefetch.unused", "prefetched lines evicted before any use", &st_.pf_unused);
  f("prefetch.redundant", "prefetch candidates already present", &st_.pf_redundant);
  f("prefetch.dropped", "prefetch candidates dropped for want of an MSHR", &st_.pf_dropped);
  f("demand_misses", "demand (load/store/fetch) misses", &st_.demand_misses);
  f("prefetch.demand_misses_without", "demand misses + covered: the misses without prefetching",
    &st_.demand_misses_without_pf);
}

void Cache::for_each_ratio(const std::function<void(const std::string&, const std::string&, const std::string&,
                                                    const std::string&)>& f) const {
  f("miss_rate", "misses", "accesses", "primary misses per access");
  if (cfg_.mshrs) f("mshr_occupancy_mean", "mshr_occupancy_sum", "mshr_occupancy_samples", "mean MSHRs busy at a miss");
  if (!pf_) return;
  f("prefetch.accuracy", "prefetch.covered", "prefetch.issued", "prefetches used by a demand access");
  f("prefetch.coverage", "prefetch.covered", "prefetch.demand_misses_without", "demand misses removed by prefetching");
}

}  // namespace vp::cpu
