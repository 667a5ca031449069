#include "models/cpu/btb.h"

#include <stdexcept>

namespace vp::cpu {

Btb::Btb(unsigned entries, unsigned assoc) : assoc_(assoc ? assoc : 1) {
  sets_ = entries / assoc_;
  if (sets_ == 0 || (sets_ & (sets_ - 1)))
    throw std::invalid_argument("btb: entries / assoc must be a power of two");
  e_.resize(size_t{sets_} * assoc_);
  size_t h = 64;
  while (h < 2 * e_.size()) h <<= 1;
  hint_.assign(h, 0);
  hint_mask_ = h - 1;
}

// lookup() when the hinted entry does not hold pc.
bool Btb::lookup_scan(uint64_t pc, uint64_t& target) {
  uint32_t& h = hint(pc);
  Entry* s = &e_[((pc >> 1) & (sets_ - 1)) * assoc_];
  Entry* v = &s[0];
  for (unsigned w = 0; w < assoc_; ++w) {
    if (s[w].pc == pc) {
      s[w].stamp = ++clock_;
      target = s[w].target;
      last_pc_ = pc;
      last_ = static_cast<size_t>(&s[w] - e_.data());
      h = static_cast<uint32_t>(last_);
      return true;
    }
    if (s[w].stamp < v->stamp) v = &s[w];
  }
  last_pc_ = pc;
  last_ = static_cast<size_t>(v - e_.data());  // no entry holds pc: the victim update() would pick
  return false;
}

// update() of a pc other than the one just looked up.
void Btb::update_scan(uint64_t pc, uint64_t target) {
  last_pc_ = ~0ull;
  uint32_t& h = hint(pc);
  if (e_[h].pc == pc) {
    e_[h] = {pc, target, ++clock_};
    return;
  }
  Entry* s = &e_[((pc >> 1) & (sets_ - 1)) * assoc_];
  Entry* v = &s[0];
  for (unsigned w = 0; w < assoc_; ++w) {
    if (s[w].pc == pc) {
      v = &s[w];
      break;
    }
    if (s[w].stamp < v->stamp) v = &s[w];
  }
  *v = {pc, target, ++clock_};
  h = static_cast<uint32_t>(v - e_.data());
}

}  // namespace vp::cpu
