#include "models/cpu/cache.h"

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

Cache::Cache(const CacheConfig& cfg, Cache* next, unsigned memory_latency)
    : cfg_(cfg), next_(next), mem_latency_(memory_latency) {
  if (!pow2(cfg.line) || cfg.assoc == 0 || cfg.size < uint64_t{cfg.line} * cfg.assoc)
    throw std::invalid_argument("cache: bad geometry");
  const uint64_t sets = cfg.size / cfg.line / cfg.assoc;
  if (!pow2(sets)) throw std::invalid_argument("cache: size / (line * assoc) must be a power of two");
  if (cfg.replacement == Replacement::kTreePlru && !pow2(cfg.assoc))
    throw std::invalid_argument("cache: tree-PLRU needs a power-of-two associativity");
  sets_ = static_cast<unsigned>(sets);
  assoc_ = cfg.assoc;
  line_shift_ = static_cast<unsigned>(__builtin_ctzll(cfg.line));
  tags_.assign(size_t{sets_} * assoc_, kInvalid);
  stamp_.assign(tags_.size(), 0);
  dirty_.assign(tags_.size(), 0);
  plru_.assign(sets_, 0);
}

void Cache::invalidate_all() {
  std::fill(tags_.begin(), tags_.end(), kInvalid);
  std::fill(dirty_.begin(), dirty_.end(), 0);
  std::fill(plru_.begin(), plru_.end(), 0);
  mru_line_ = ~0ull;
}

// Tree-PLRU: node bits point towards the pseudo-least-recently-used half.
void Cache::touch(unsigned set, unsigned way) {
  switch (cfg_.replacement) {
    case Replacement::kLru:
      stamp_[size_t{set} * assoc_ + way] = ++clock_;
      break;
    case Replacement::kTreePlru: {
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
      break;
    }
    case Replacement::kRandom:
    case Replacement::kFifo:
      break;
  }
}

unsigned Cache::victim(unsigned set) {
  const size_t base = size_t{set} * assoc_;
  for (unsigned w = 0; w < assoc_; ++w)
    if (tags_[base + w] == kInvalid) return w;
  switch (cfg_.replacement) {
    case Replacement::kLru:
    case Replacement::kFifo: {
      unsigned best = 0;
      for (unsigned w = 1; w < assoc_; ++w)
        if (stamp_[base + w] < stamp_[base + best]) best = w;
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

unsigned Cache::fill_latency(uint64_t line_addr) {
  return next_ ? next_->access(line_addr << line_shift_, false) : mem_latency_;
}

unsigned Cache::access(uint64_t addr, bool write) {
  const uint64_t line = addr >> line_shift_;
  ++st_.accesses;
  if (write) ++st_.writes; else ++st_.reads;
  // Fast path: the most recently hit line (no replacement state changes).
  if (line == mru_line_ && (!write || !cfg_.write_back)) {
    ++st_.hits;
    if (write) {
      ++st_.writes_through;
      if (next_) next_->access(addr, true);  // through a write buffer: no stall
    }
    return cfg_.hit_latency;
  }
  const unsigned set = static_cast<unsigned>(line & (sets_ - 1));
  const size_t base = size_t{set} * assoc_;
  for (unsigned w = 0; w < assoc_; ++w) {
    if (tags_[base + w] != line) continue;
    ++st_.hits;
    touch(set, w);
    if (write) {
      if (cfg_.write_back) {
        dirty_[base + w] = 1;
      } else {
        ++st_.writes_through;
        if (next_) next_->access(addr, true);
      }
    }
    mru_line_ = line;
    return cfg_.hit_latency;
  }
  ++st_.misses;
  if (write) ++st_.write_misses; else ++st_.read_misses;
  if (write && !cfg_.write_allocate) {
    // Write-around: the store goes to the next level through the write buffer.
    ++st_.writes_through;
    if (next_) next_->access(addr, true);
    return cfg_.hit_latency;
  }
  const unsigned w = victim(set);
  if (tags_[base + w] != kInvalid) {
    ++st_.evictions;
    if (dirty_[base + w]) {
      ++st_.writebacks;
      if (next_) next_->access(tags_[base + w] << line_shift_, true);  // buffered
    }
    if (tags_[base + w] == mru_line_) mru_line_ = ~0ull;
  }
  const unsigned lat = cfg_.hit_latency + fill_latency(line);
  tags_[base + w] = line;
  dirty_[base + w] = 0;
  stamp_[base + w] = ++clock_;  // LRU and FIFO both start from the fill
  touch(set, w);
  if (write) {
    if (cfg_.write_back) {
      dirty_[base + w] = 1;
    } else {
      ++st_.writes_through;
      if (next_) next_->access(addr, true);
    }
  }
  mru_line_ = line;
  return lat;
}

}  // namespace vp::cpu
