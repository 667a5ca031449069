// TAGE (Seznec & Michaud, JILP 2006): a bimodal base predictor and N tagged
// tables indexed with geometrically increasing global-history lengths; the
// longest matching table provides the prediction. Folded (circular-shift)
// histories keep index and tag computation O(1) per table.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "models/cpu/branch_predictor.h"

namespace vp::cpu {
namespace {

// The three folded histories of a table (index, tag, second tag) packed in one
// word, each field followed by a zero gap bit: one shift updates all three.
// Per field of width w this is the usual fold, v = (value << 1 | in) ^
// (out << (length % w)); value = (v ^ (v >> w)) & mask: the bit shifted past
// the field lands in its gap bit and is folded back into the field's bit 0.
constexpr unsigned kTag1At = 21, kTag2At = 38;  // field offsets: index bits 0-19, tag 21-36, tag2 38-52
constexpr uint64_t kInBits = 1ull | 1ull << kTag1At | 1ull << kTag2At;

class Tage final : public PredictorImpl<Tage> {
 public:
  explicit Tage(const BranchPredictorConfig& c) : n_(c.tables), tbits_(c.tagged_table_bits), bbits_(c.table_bits) {
    if (n_ < 1 || n_ > 16) throw std::invalid_argument("tage: tables must be between 1 and 16");
    if (tbits_ < 4 || tbits_ > 20) throw std::invalid_argument("tage: tagged_table_bits must be between 4 and 20");
    if (!c.histories.empty() && c.histories.size() != n_)
      throw std::invalid_argument("tage: histories must list one length per table");
    if (!c.tag_widths.empty() && c.tag_widths.size() != n_)
      throw std::invalid_argument("tage: tag_widths must list one width per table");
    for (unsigned i = 0; i < n_; ++i) {
      unsigned len;
      if (!c.histories.empty()) {
        len = c.histories[i];
      } else if (n_ == 1) {
        len = c.max_history;
      } else {
        const double r = std::pow(double(c.max_history) / std::max(1u, c.min_history), double(i) / (n_ - 1));
        len = static_cast<unsigned>(std::lround(std::max(1u, c.min_history) * r));
      }
      if (len < 1 || len > kMaxHist) throw std::invalid_argument("tage: history lengths must be between 1 and 1024");
      const unsigned tag = c.tag_widths.empty() ? std::min(16u, c.tag_bits + i / 2) : c.tag_widths[i];
      if (tag < 4 || tag > 16) throw std::invalid_argument("tage: tag widths must be between 4 and 16");
      Table t;
      t.hist = len;
      t.tag_bits = tag;
      t.tag_mask = (1u << tag) - 1;
      t.shift = tbits_ - (i % tbits_);
      t.w1 = tag;
      t.w2 = tag - 1;
      t.out = 1ull << (len % tbits_) | 1ull << (kTag1At + len % t.w1) | 1ull << (kTag2At + len % t.w2);
      t.keep = ((1ull << tbits_) - 1) | ((1ull << t.w1) - 1) << kTag1At | ((1ull << t.w2) - 1) << kTag2At;
      t.g1 = 1ull << (kTag1At + t.w1);
      t.g2 = 1ull << (kTag2At + t.w2);
      tables_.push_back(t);
    }
    for (size_t i = 1; i < tables_.size(); ++i)
      if (tables_[i].hist <= tables_[i - 1].hist) throw std::invalid_argument("tage: history lengths must increase");
    entries_.resize(size_t{n_} << tbits_);
    base_.assign(size_t{1} << bbits_, 2);
    ghist_.assign(kBuf, 0);
  }

  // Index and tag in every table; the longest matching table provides the
  // prediction, the next longest the alternate (found from a bit mask, so the
  // host does not branch on the tag comparisons).
  __attribute__((always_inline)) bool predict(uint64_t pc, uint64_t) override {
    const uint64_t p = pc >> 1;
    const uint32_t imask = (1u << tbits_) - 1;
    uint32_t hits = 0;
    for (unsigned i = 0; i < n_; ++i) {
      const Table& t = tables_[i];
      idx_[i] = static_cast<uint32_t>((p ^ (p >> t.shift) ^ t.fold) & imask);
      // The tag field; the second tag's bits above it are masked off.
      tag_[i] = static_cast<uint16_t>((p ^ (t.fold >> kTag1At) ^ ((t.fold >> kTag2At) << 1)) & t.tag_mask);
      hits |= static_cast<uint32_t>(entry(i).tag == tag_[i]) << i;
    }
    provider_ = hits ? 31 - __builtin_clz(hits) : -1;
    const uint32_t rest = hits & ~(provider_ >= 0 ? 1u << provider_ : 0u);
    alt_ = rest ? 31 - __builtin_clz(rest) : -1;
    base_pred_ = base_[p & ((1u << bbits_) - 1)] >= 2;
    alt_pred_ = alt_ >= 0 ? entry(static_cast<unsigned>(alt_)).ctr >= 0 : base_pred_;
    if (provider_ < 0) return pred_ = base_pred_;
    const Entry& e = entry(static_cast<unsigned>(provider_));
    provider_pred_ = e.ctr >= 0;
    const bool weak = (e.ctr == 0 || e.ctr == -1) && e.u == 0;
    pred_ = weak && use_alt_ >= 0 ? alt_pred_ : provider_pred_;
    return pred_;
  }

  __attribute__((always_inline)) void update(uint64_t pc, uint64_t, bool taken) override {
    const uint64_t p = pc >> 1;
    if (provider_ >= 0) {
      Entry& e = entry(static_cast<unsigned>(provider_));
      const bool weak = (e.ctr == 0 || e.ctr == -1) && e.u == 0;
      if (weak && provider_pred_ != alt_pred_) {
        if (alt_pred_ == taken) { if (use_alt_ < 7) ++use_alt_; }
        else if (use_alt_ > -8) --use_alt_;
      }
      if (provider_pred_ != alt_pred_) {
        if (provider_pred_ == taken) { if (e.u < 3) ++e.u; }
        else if (e.u > 0) --e.u;
      }
      ctr_update(e.ctr, taken);
      if (alt_ < 0 && weak) sat_update(base_[p & ((1u << bbits_) - 1)], taken, 3);
    } else {
      sat_update(base_[p & ((1u << bbits_) - 1)], taken, 3);
    }
    // Allocate on a misprediction in a longer table with a free (u == 0) entry.
    if (pred_ != taken && provider_ < static_cast<int>(n_) - 1) {
      bool done = false;
      rng_ = rng_ * 6364136223846793005ull + 1442695040888963407ull;
      int start = provider_ + 1;
      if ((rng_ >> 33) & 1 && start + 1 < static_cast<int>(n_)) ++start;  // spread allocations
      for (int i = start; i < static_cast<int>(n_) && !done; ++i) {
        Entry& e = entry(static_cast<unsigned>(i));
        if (e.u == 0) {
          e.tag = tag_[i];
          e.ctr = taken ? 0 : -1;
          done = true;
          ++allocations_;
        }
      }
      if (!done)
        for (int i = provider_ + 1; i < static_cast<int>(n_); ++i) {
          Entry& e = entry(static_cast<unsigned>(i));
          if (e.u > 0) --e.u;
        }
    }
    // Periodic graceful reset of the useful bits.
    if ((++updates_ & ((1u << 18) - 1)) == 0)
      for (Entry& e : entries_) e.u >>= 1;
    if (provider_ >= 0) ++provider_hits_;
    // Global history.
    const uint32_t in = taken ? 1 : 0;
    head_ = (head_ + kBuf - 1) & (kBuf - 1);
    ghist_[head_] = static_cast<uint8_t>(in);
    const uint64_t in_bits = in ? kInBits : 0, g0 = 1ull << tbits_;
    for (unsigned i = 0; i < n_; ++i) {
      Table& t = tables_[i];
      const uint64_t out = ghist_[(head_ + t.hist) & (kBuf - 1)];
      const uint64_t v = ((t.fold << 1) | in_bits) ^ (t.out & (0 - out));
      t.fold = (v ^ ((v & g0) >> tbits_) ^ ((v & t.g1) >> t.w1) ^ ((v & t.g2) >> t.w2)) & t.keep;
    }
  }

  const char* name() const override { return "tage"; }
  void extra_stats(const std::function<void(const std::string&, const uint64_t*)>& f) override {
    f("tage.provider_hits", &provider_hits_);
    f("tage.allocations", &allocations_);
  }

 private:
  struct Entry {
    int8_t ctr = 0;  // 3-bit signed: -4..3
    uint8_t u = 0;   // 2-bit useful
    uint16_t tag = 0xffff;
  };
  struct Table {
    uint64_t fold = 0;       // the packed folded histories
    uint64_t out = 0;        // where the bit leaving the history enters each field
    uint64_t keep = 0;       // the three fields' bits
    uint64_t g1 = 0, g2 = 0; // the gap bits after the two tag fields
    unsigned hist = 0, tag_bits = 0, tag_mask = 0, shift = 0, w1 = 0, w2 = 0;
  };
  Entry& entry(unsigned table) { return entries_[(size_t{table} << tbits_) + idx_[table]]; }
  static void ctr_update(int8_t& c, bool taken) {
    if (taken) { if (c < 3) ++c; }
    else if (c > -4) --c;
  }
  static constexpr unsigned kMaxHist = 1024, kBuf = 2048;

  unsigned n_, tbits_, bbits_;
  std::vector<Table> tables_;
  std::vector<Entry> entries_;  // table i at i << tbits_
  std::vector<uint8_t> base_;
  std::vector<uint8_t> ghist_;  // circular; ghist_[head_] is the newest outcome
  unsigned head_ = 0;
  uint32_t idx_[16] = {};
  uint16_t tag_[16] = {};
  int provider_ = -1, alt_ = -1;
  bool pred_ = false, provider_pred_ = false, alt_pred_ = false, base_pred_ = false;
  int use_alt_ = 0;
  uint64_t rng_ = 1, updates_ = 0, provider_hits_ = 0, allocations_ = 0;
};

}  // namespace

std::unique_ptr<BranchPredictor> make_tage_predictor(const BranchPredictorConfig& cfg) {
  return std::make_unique<Tage>(cfg);
}

}  // namespace vp::cpu
