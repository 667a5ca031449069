// TAGE (Seznec & Michaud, JILP 2006): a bimodal base predictor and N tagged
// tables indexed with geometrically increasing global-history lengths; the
// longest matching table provides the prediction. Folded (circular-shift)
// histories keep index and tag computation O(1) per table.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "models/cpu/branch_predictor.h"

namespace vp::cpu {
namespace {

// The folded histories of a table packed in one word, each field followed by
// a zero gap bit: the index fold, the tag itself (first tag fold XOR second
// tag fold shifted left by one, so the lookup reads it with one shift) and the
// second tag fold. Per fold of width w the update is the usual
// v = (value << 1 | in) ^ (out << (length % w)), with the bit shifted past the
// fold brought back to its bit 0. Here one shift moves all three fields; a
// multiply gathers the three bits that leave them, and with the outgoing
// history bit they select one precomputed XOR mask that brings them back,
// clears the gaps and cancels the outgoing bit. (The first tag fold's leaving
// bit is the tag field's top bit XOR the second tag fold's.)
// Field offsets: index bits 0-19, tag 21-36, second tag fold 38-52.
constexpr unsigned kTagAt = 21, kTag2At = 38;
constexpr uint64_t kInBits = 1ull | 3ull << kTagAt | 1ull << kTag2At;
constexpr unsigned kMaxHist = 1024;
// The global history as a linear buffer filled downwards, one byte per
// outcome (0 or 8: the outgoing bit's place in a mask index); when full, the
// newest kMaxHist outcomes move back to its top. The wrap period (kHistBuf -
// kMaxHist branches) divides the useful-bit reset period (kResetPeriod), so
// one check per branch serves both.
constexpr unsigned kHistBuf = 4096 + kMaxHist;
constexpr unsigned kResetPeriod = 1u << 18;
static_assert(kResetPeriod % (kHistBuf - kMaxHist) == 0, "tage: the reset period must be a multiple of the wrap");

// A saturating counter's next value: one step up or down within [lo, hi]. A
// value, not an update in place, so that training can select it without a
// host branch.
constexpr int sat_step(int v, bool up, int lo, int hi) { return up ? std::min(v + 1, hi) : std::max(v - 1, lo); }

struct Entry {
  int8_t ctr = 0;  // 3-bit signed: -4..3
  uint8_t u = 0;   // 2-bit useful
  uint16_t tag = 0xffff;
};

struct TableShape {
  unsigned hist, tag_bits;
};

std::vector<TableShape> table_shapes(const BranchPredictorConfig& c) {
  const unsigned n = c.tables;
  if (n < 1 || n > 16) throw std::invalid_argument("tage: tables must be between 1 and 16");
  if (c.tagged_table_bits < 4 || c.tagged_table_bits > 20)
    throw std::invalid_argument("tage: tagged_table_bits must be between 4 and 20");
  if (!c.histories.empty() && c.histories.size() != n)
    throw std::invalid_argument("tage: histories must list one length per table");
  if (!c.tag_widths.empty() && c.tag_widths.size() != n)
    throw std::invalid_argument("tage: tag_widths must list one width per table");
  std::vector<TableShape> v;
  for (unsigned i = 0; i < n; ++i) {
    unsigned len;
    if (!c.histories.empty()) {
      len = c.histories[i];
    } else if (n == 1) {
      len = c.max_history;
    } else {
      const double r = std::pow(double(c.max_history) / std::max(1u, c.min_history), double(i) / (n - 1));
      len = static_cast<unsigned>(std::lround(std::max(1u, c.min_history) * r));
    }
    if (len < 1 || len > kMaxHist) throw std::invalid_argument("tage: history lengths must be between 1 and 1024");
    const unsigned tag = c.tag_widths.empty() ? std::min(16u, c.tag_bits + i / 2) : c.tag_widths[i];
    if (tag < 4 || tag > 16) throw std::invalid_argument("tage: tag widths must be between 4 and 16");
    if (i > 0 && len <= v.back().hist) throw std::invalid_argument("tage: history lengths must increase");
    v.push_back({len, tag});
  }
  return v;
}

// N tagged tables (a template parameter, so the per-table loops unroll).
template <unsigned N>
class Tage final : public BranchPredictor {
 public:
  Tage(const BranchPredictorConfig& c, const std::vector<TableShape>& shapes)
      : tbits_(c.tagged_table_bits), bbits_(c.table_bits), imask_((1u << tbits_) - 1), bmask_((1u << bbits_) - 1) {
    entries_.resize(size_t{N} << tbits_);
    base_.assign(size_t{1} << bbits_, 2);
    std::memset(ghist_, 0, sizeof ghist_);
    for (unsigned i = 0; i < N; ++i) {
      Table& t = t_[i];
      const unsigned len = shapes[i].hist, w = shapes[i].tag_bits;
      t.hist = len;
      t.tag_mask = (1u << w) - 1;
      t.shift = tbits_ - (i % tbits_);
      t.entries = entries_.data() + (size_t{i} << tbits_);
      // Field j: offset, width; its top bit leaves it on the shift.
      const unsigned at[3] = {0, kTagAt, kTag2At}, width[3] = {tbits_, w, w - 1};
      t.tops = 0;
      t.gather = 0;
      for (unsigned j = 0; j < 3; ++j) {
        const unsigned top = at[j] + width[j] - 1;
        t.tops |= 1ull << top;
        t.gather += 1ull << (61 + j - top);  // top bit of field j to bit 61 + j
      }
      // The outgoing bit enters each fold at length % width; the second tag
      // fold's enters the tag one place higher too (XOR: in the tag the two
      // can fall on the same bit and cancel).
      const uint64_t out = 1ull << (len % tbits_) ^ 1ull << (kTagAt + len % w) ^
                           1ull << (kTagAt + 1 + len % (w - 1)) ^ 1ull << (kTag2At + len % (w - 1));
      for (unsigned k = 0; k < 16; ++k) {
        const bool index_top = k & 1, tag_top = k & 2, tag2_top = k & 4;
        const bool tag1_top = tag_top != tag2_top;  // the first tag fold's leaving bit
        uint64_t m = k & 8 ? out : 0;
        if (index_top) m ^= 1ull << tbits_ | 1ull;
        if (tag_top) m ^= 1ull << (kTagAt + w);  // the tag field's gap
        if (tag1_top) m ^= 1ull << kTagAt;
        if (tag2_top) m ^= 1ull << (kTag2At + w - 1) | 1ull << kTag2At | 1ull << (kTagAt + 1);
        t.fix[k] = m;
      }
      // The gather must see exactly the three top bits (no carries between the products).
      for (unsigned k = 0; k < 8; ++k) {
        uint64_t x = 0;
        for (unsigned j = 0; j < 3; ++j)
          if (k >> j & 1) x |= 1ull << (at[j] + width[j] - 1);
        if ((x * t.gather) >> 61 != k) throw std::logic_error("tage: folded-history gather");
      }
    }
  }

  bool predict(uint64_t pc, uint64_t) override {
    last_ = lookup(pc);
    return last_.pred;
  }
  void update(uint64_t pc, uint64_t, bool taken) override { train(last_, pc >> 1, taken); }
  // Both in one call, the lookup kept in registers.
  bool predict_update(uint64_t pc, uint64_t, bool taken) override {
    const Lookup l = lookup(pc);
    train(l, pc >> 1, taken);
    return l.pred;
  }

  const char* name() const override { return "tage"; }
  void extra_stats(const std::function<void(const std::string&, const uint64_t*)>& f) override {
    f("tage.provider_hits", &provider_hits_);
    f("tage.allocations", &allocations_);
  }

 private:
  // What the prediction found, for training.
  struct Lookup {
    uint8_t* base;      // the base predictor's counter
    Entry* entry;       // the provider's
    Entry e;            // its value
    int provider, alt;  // tables, -1: none
    bool pred, provider_pred, alt_pred, weak;
  };

  // Table i's entry and tag for the branch at p = pc >> 1.
  __attribute__((always_inline)) Entry* entry(unsigned i, uint64_t p) const {
    const Table& t = t_[i];
    return t.entries + ((p ^ (p >> t.shift) ^ t.fold) & imask_);
  }
  __attribute__((always_inline)) uint16_t tag(unsigned i, uint64_t p) const {
    return static_cast<uint16_t>((p ^ (t_[i].fold >> kTagAt)) & t_[i].tag_mask);
  }

  // Index and tag in every table; the longest matching table provides the
  // prediction, the next longest the alternate.
  __attribute__((always_inline)) Lookup lookup(uint64_t pc) {
    const uint64_t p = pc >> 1;
    uint32_t hits = 0;
    Lookup l;
    // The provider (the longest hit) and the alternate are copied as the
    // tables are scanned, so the prediction does not wait for a second read
    // through the selected table's pointer.
    l.entry = nullptr;
    Entry alt{};
#pragma GCC unroll 16
    for (unsigned i = 0; i < N; ++i) {
      Entry* const e = entry(i, p);
      const Entry v = *e;
      const bool hit = v.tag == tag(i, p);
      hits |= static_cast<uint32_t>(hit) << i;
      if (hit) {
        alt = l.e;
        l.e = v;
        l.entry = e;
      }
    }
    l.base = &base_[p & bmask_];
    const bool base_pred = *l.base >= 2;
    if (!hits) {
      l.provider = l.alt = -1;
      l.pred = l.alt_pred = base_pred;
      l.provider_pred = l.weak = false;
      return l;
    }
    l.provider = 31 - __builtin_clz(hits);
    const uint32_t rest = hits & ~(1u << l.provider);
    l.alt = rest ? 31 - __builtin_clz(rest) : -1;
    l.alt_pred = rest ? alt.ctr >= 0 : base_pred;
    const Entry& e = l.e;
    l.provider_pred = e.ctr >= 0;
    l.weak = (e.ctr == 0 || e.ctr == -1) && e.u == 0;
    l.pred = l.weak && use_alt_ >= 0 ? l.alt_pred : l.provider_pred;
    return l;
  }

  __attribute__((always_inline)) void train(const Lookup& l, uint64_t p, bool taken) {
    if (l.provider >= 0) {
      Entry e = l.e;
      // Selections rather than nested conditions, so that the compiler can use
      // conditional moves: these outcomes are hard for the host to predict.
      const bool differ = l.provider_pred != l.alt_pred;
      const int ua = use_alt_;
      use_alt_ = differ && l.weak ? sat_step(ua, l.alt_pred == taken, -8, 7) : ua;
      const int u = e.u;
      e.u = static_cast<uint8_t>(differ ? sat_step(u, l.provider_pred == taken, 0, 3) : u);
      e.ctr = static_cast<int8_t>(sat_step(e.ctr, taken, -4, 3));
      *l.entry = e;
      const int b = *l.base;
      *l.base = static_cast<uint8_t>(l.alt < 0 && l.weak ? sat_step(b, taken, 0, 3) : b);
      ++provider_hits_;
    } else {
      sat_update(*l.base, taken, 3);
    }
    // Allocate on a misprediction in a longer table with a free (u == 0) entry.
    if (l.pred != taken && l.provider < static_cast<int>(N) - 1) allocate(l.provider, p, taken);
    // Global history and the folded histories.
    ghist_[--hpos_] = taken ? 8 : 0;
    const uint64_t in_bits = taken ? kInBits : 0;
    const uint8_t* h = ghist_ + hpos_;
#pragma GCC unroll 16
    for (unsigned i = 0; i < N; ++i) {
      Table& t = t_[i];
      const uint64_t f = t.fold;
      const unsigned k = static_cast<unsigned>(((f & t.tops) * t.gather) >> 61) | h[t.hist];
      t.fold = (f << 1) ^ in_bits ^ t.fix[k];  // XOR: the tag field takes the new bit at bits 0 and 1
    }
    if (hpos_ == 0) wrap();
  }

  // The history buffer is full: its newest kMaxHist outcomes move to its top.
  // Every kResetPeriod branches (a whole number of wraps), after that
  // branch's training, the graceful reset of the useful bits.
  __attribute__((noinline)) void wrap() {
    std::memmove(ghist_ + kHistBuf - kMaxHist, ghist_, kMaxHist);
    hpos_ = kHistBuf - kMaxHist;
    if (++wraps_ % (kResetPeriod / (kHistBuf - kMaxHist)) == 0)
      for (Entry& e : entries_) e.u >>= 1;
  }

  struct Table {
    uint64_t fold = 0;     // the packed folded histories
    uint64_t tops = 0;     // the top bit of each field
    uint64_t gather = 0;   // multiplier taking the three top bits to bits 61-63
    Entry* entries = nullptr;
    unsigned hist = 0, tag_mask = 0, shift = 0;
    uint64_t fix[16] = {};  // by top bits | outgoing bit << 3: the XOR after the shift
  };

  // The folds are still the lookup's, so entry() and tag() find its entries.
  __attribute__((noinline)) void allocate(int provider, uint64_t p, bool taken) {
    rng_ = rng_ * 6364136223846793005ull + 1442695040888963407ull;
    // Half the time (a random bit: no host branch on it) skip the first
    // candidate table, to spread allocations.
    const unsigned first = static_cast<unsigned>(provider + 1);
    const unsigned start = first + static_cast<unsigned>((rng_ >> 33) & 1 & (first + 1 < N));
    // The candidate tables with a free (u == 0) entry, as a bit mask.
    uint32_t vacant = 0;
#pragma GCC unroll 16
    for (unsigned i = 0; i < N; ++i) vacant |= static_cast<uint32_t>(entry(i, p)->u == 0) << i;
    vacant &= ~0u << start;
    if (vacant) {
      const unsigned i = static_cast<unsigned>(__builtin_ctz(vacant));  // the shortest
      Entry& e = *entry(i, p);
      e.tag = tag(i, p);
      e.ctr = taken ? 0 : -1;
      ++allocations_;
    } else {
      for (unsigned i = first; i < N; ++i) {
        Entry& e = *entry(i, p);
        if (e.u > 0) --e.u;
      }
    }
  }

  const unsigned tbits_, bbits_;
  const uint64_t imask_, bmask_;
  Table t_[N];
  Lookup last_ = {};  // predict() for update()
  int use_alt_ = 0;
  unsigned hpos_ = kHistBuf - kMaxHist;
  uint64_t rng_ = 1, wraps_ = 0, provider_hits_ = 0, allocations_ = 0;
  std::vector<Entry> entries_;  // table i at i << tbits_
  std::vector<uint8_t> base_;
  uint8_t ghist_[kHistBuf];  // ghist_[hpos_] is the newest outcome
};

template <unsigned N>
std::unique_ptr<BranchPredictor> make_tage(const BranchPredictorConfig& cfg, const std::vector<TableShape>& s) {
  if (s.size() == N) return std::make_unique<Tage<N>>(cfg, s);
  if constexpr (N < 16) return make_tage<N + 1>(cfg, s);
  else return nullptr;
}

}  // namespace

std::unique_ptr<BranchPredictor> make_tage_predictor(const BranchPredictorConfig& cfg) {
  return make_tage<1>(cfg, table_shapes(cfg));
}

}  // namespace vp::cpu
