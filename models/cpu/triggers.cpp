// Sdtrig trigger module (RISC-V Debug spec 1.0, chapter 5).
#include "models/cpu/triggers.h"

namespace vp::cpu {
namespace {
// tdata1 fields shared by mcontrol (5.7.3) and mcontrol6 (5.7.4).
constexpr unsigned kTypeShift = 60;
constexpr uint64_t kDmode = 1ull << 59;
constexpr uint64_t kLoad = 1, kStore = 2, kExecute = 4, kU = 8, kS = 16, kM = 64;
constexpr unsigned kMatchShift = 7, kActionShift = 12;
constexpr uint64_t kChain = 1ull << 11;
// mcontrol: hit 20, select 19, timing 18 (hardwired 0: "before"), sizelo 17:16, sizehi 22:21.
constexpr uint64_t kHit2 = 1ull << 20, kSelect2 = 1ull << 19;
// mcontrol6: hit0 22, select 21, size 18:16.
constexpr uint64_t kHit6 = 1ull << 22, kSelect6 = 1ull << 21;

constexpr uint64_t reset_tdata1() { return uint64_t{Triggers::kTypeMcontrol} << kTypeShift; }

bool legal_match(unsigned m) { return m <= 5 || m == 8 || m == 9 || m == 12 || m == 13; }
// Access sizes (5.7.4 size): 1 = 8-bit, 2 = 16, 3 = 32, 5 = 64; 0 = any.
bool legal_size(unsigned s) { return s <= 3 || s == 5; }
unsigned size_bytes(unsigned s) { return s == 5 ? 8 : s ? 1u << (s - 1) : 0; }
}  // namespace

Triggers::Triggers(unsigned count) : t_(count) { reset(); }

void Triggers::reset() {
  for (Trigger& t : t_) t = {reset_tdata1(), 0};
  tselect_ = 0;
  tcontrol_ = 0;
  update();
}

Triggers::Fields Triggers::fields(uint64_t d) {
  Fields f{};
  f.type = static_cast<unsigned>(d >> kTypeShift);
  f.dmode = d & kDmode;
  f.action = (d >> kActionShift) & 15;
  f.match = (d >> kMatchShift) & 15;
  f.chain = d & kChain;
  f.m = d & kM;
  f.s = d & kS;
  f.u = d & kU;
  f.exec = d & kExecute;
  f.load = d & kLoad;
  f.store = d & kStore;
  if (f.type == kTypeMcontrol) {
    f.select = d & kSelect2;
    f.size = static_cast<unsigned>(((d >> 21) & 3) << 2 | ((d >> 16) & 3));
  } else if (f.type == kTypeMcontrol6) {
    f.select = d & kSelect6;
    f.size = (d >> 16) & 7;
  } else {
    f.exec = f.load = f.store = false;  // disabled: matches nothing
  }
  return f;
}

// WARL rules: unsupported types become "disabled", dmode is the debugger's,
// action 1 needs dmode, the last trigger cannot chain, unsupported match kinds
// and sizes read back as 0; timing, maskmax, uncertain, hit1, vs and vu are 0.
uint64_t Triggers::legalize(unsigned index, uint64_t v, bool debugger) const {
  const unsigned type = static_cast<unsigned>(v >> kTypeShift);
  const uint64_t dmode = debugger ? (v & kDmode) : 0;
  if (type != kTypeMcontrol && type != kTypeMcontrol6) return uint64_t{kTypeDisabled} << kTypeShift | dmode;
  uint64_t out = uint64_t{type} << kTypeShift | dmode;
  const unsigned action = (v >> kActionShift) & 15;
  if (action == 1 && dmode) out |= uint64_t{1} << kActionShift;
  const unsigned match = (v >> kMatchShift) & 15;
  if (legal_match(match)) out |= uint64_t{match} << kMatchShift;
  if ((v & kChain) && index + 1 < t_.size()) out |= kChain;
  out |= v & (kM | kS | kU | kExecute | kStore | kLoad);
  if (type == kTypeMcontrol) {
    const unsigned size = static_cast<unsigned>(((v >> 21) & 3) << 2 | ((v >> 16) & 3));
    if (legal_size(size)) out |= uint64_t{size >> 2} << 21 | uint64_t{size & 3} << 16;
    out |= v & (kHit2 | kSelect2);
  } else {
    const unsigned size = (v >> 16) & 7;
    if (legal_size(size)) out |= uint64_t{size} << 16;
    out |= v & (kHit6 | kSelect6);
  }
  return out;
}

bool Triggers::read(unsigned csr, uint64_t& v) const {
  switch (csr) {
    case kTselect: v = tselect_; return true;
    case kTdata1: v = t_.empty() ? 0 : t_[tselect_].tdata1; return true;
    case kTdata2: v = t_.empty() ? 0 : t_[tselect_].tdata2; return true;
    case kTdata3: v = 0; return true;  // textra: no context matching
    // 5.7.7: version 1 (Sdtrig 1.0); supported types mcontrol, mcontrol6, disabled.
    case kTinfo: v = (1ull << 24) | (1u << kTypeMcontrol) | (1u << kTypeMcontrol6) | (1u << kTypeDisabled); return true;
    case kTcontrol: v = tcontrol_; return true;
    default: return false;
  }
}

bool Triggers::write(unsigned csr, uint64_t v, bool debugger) {
  if (!is_csr(csr)) return false;
  if (t_.empty()) return true;
  Trigger& t = t_[tselect_];
  const bool locked = (t.tdata1 & kDmode) && !debugger;  // 5.7.2: only Debug Mode writes dmode=1 triggers
  switch (csr) {
    case kTselect:
      if (v < t_.size()) tselect_ = static_cast<unsigned>(v);
      break;
    case kTdata1:
      if (!locked) t.tdata1 = legalize(tselect_, v, debugger);
      break;
    case kTdata2:
      if (!locked) t.tdata2 = v;
      break;
    case kTcontrol:
      tcontrol_ = v & (kMte | kMpte);
      break;
    default:  // tdata3, tinfo: read-only here
      break;
  }
  update();
  return true;
}

void Triggers::update() {
  exec_armed_ = data_armed_ = debug_data_armed_ = false;
  for (const Trigger& t : t_) {
    const Fields f = fields(t.tdata1);
    exec_armed_ |= f.exec;
    data_armed_ |= f.load || f.store;
    debug_data_armed_ |= (f.load || f.store) && f.action == 1;
  }
}

bool Triggers::enabled_in(const Fields& f, unsigned priv) const {
  const bool mode = priv == 3 ? f.m : priv == 1 ? f.s : f.u;
  if (!mode) return false;
  // 5.4: with tcontrol, M-mode breakpoint exceptions need mte (no re-entry from the handler).
  if (priv == 3 && f.action == 0 && !(tcontrol_ & kMte)) return false;
  return true;
}

// Table 5.x "match": 0 equal, 1 NAPOT, 2 >=, 3 <, 4/5 masked low/high halves, +8 negated.
bool Triggers::compare(unsigned match, uint64_t t2, uint64_t v) {
  switch (match) {
    case 0: return v == t2;
    case 1: {
      const unsigned z = static_cast<unsigned>(__builtin_ctzll(~t2 | (1ull << 63)));  // least significant 0
      const uint64_t mask = z >= 63 ? (1ull << 63) : ~((2ull << z) - 1);
      return (v & mask) == (t2 & mask);
    }
    case 2: return v >= t2;
    case 3: return v < t2;
    case 4: return ((v & 0xffffffffull) & (t2 >> 32)) == (t2 & 0xffffffffull);
    case 5: return ((v >> 32) & (t2 >> 32)) == (t2 & 0xffffffffull);
    case 8: case 9: case 12: case 13: return !compare(match - 8, t2, v);
    default: return false;
  }
}

// Load/store address triggers compare every byte the access touches: a
// watchpoint on a word fires for a byte store inside it.
bool Triggers::address_match(unsigned match, uint64_t t2, uint64_t va, unsigned len) {
  for (unsigned i = 0; i < (len ? len : 1); ++i)
    if (compare(match, t2, va + i)) return true;
  return false;
}

void Triggers::set_hit(unsigned i) {
  Trigger& t = t_[i];
  t.tdata1 |= (t.tdata1 >> kTypeShift) == kTypeMcontrol ? kHit2 : kHit6;
}

// A chain (5.2) fires when every trigger in it matches; the last one's action is taken.
template <typename Pred>
Triggers::Hit Triggers::fire(unsigned priv, Pred matches) {
  bool chain_ok = true;
  unsigned first = 0;
  for (unsigned i = 0; i < t_.size(); ++i) {
    const Fields f = fields(t_[i].tdata1);
    const bool m = enabled_in(f, priv) && matches(f, t_[i].tdata2);
    if (f.chain) {
      chain_ok = chain_ok && m;
      continue;
    }
    if (chain_ok && m) {
      for (unsigned j = first; j <= i; ++j) set_hit(j);
      return {true, f.action == 1, i};
    }
    chain_ok = true;
    first = i + 1;
  }
  return {};
}

Triggers::Hit Triggers::match_exec(uint64_t pc, unsigned priv) {
  return fire(priv, [pc](const Fields& f, uint64_t t2) { return f.exec && !f.select && compare(f.match, t2, pc); });
}

bool Triggers::may_match_exec(uint64_t pc, unsigned priv) const {
  for (const Trigger& t : t_) {
    const Fields f = fields(t.tdata1);
    if (f.exec && !f.select && enabled_in(f, priv) && compare(f.match, t.tdata2, pc)) return true;
  }
  return false;
}

// Data (select = 1) triggers compare the value of a store; load data is not
// compared (the value is known only after the access; such triggers never fire).
Triggers::Hit Triggers::match_data(uint64_t va, unsigned len, bool store, uint64_t value, unsigned priv) {
  return fire(priv, [&](const Fields& f, uint64_t t2) {
    if (!(store ? f.store : f.load)) return false;
    if (f.size && size_bytes(f.size) != len) return false;
    if (f.select) return store && compare(f.match, t2, value);
    return address_match(f.match, t2, va, len);
  });
}

uint64_t Triggers::make_debug(Watch kind, unsigned match, bool chain) {
  uint64_t bits = kind == Watch::kExec ? kExecute : kind == Watch::kLoad ? kLoad : kind == Watch::kStore ? kStore
                                                                                                       : kLoad | kStore;
  return uint64_t{kTypeMcontrol6} << kTypeShift | kDmode | uint64_t{1} << kActionShift | uint64_t{match} << kMatchShift |
         (chain ? kChain : 0) | kM | kS | kU | bits;
}

bool Triggers::insert_debug(Watch kind, uint64_t addr, uint64_t len) {
  auto is_free = [this](unsigned i) {
    const Fields f = fields(t_[i].tdata1);
    return !f.dmode && !f.exec && !f.load && !f.store;
  };
  const bool single = kind == Watch::kExec || len <= 1 || ((len & (len - 1)) == 0 && (addr & (len - 1)) == 0);
  if (single) {
    for (unsigned i = 0; i < t_.size(); ++i) {
      if (!is_free(i)) continue;
      const bool napot = kind != Watch::kExec && len > 1;
      t_[i].tdata1 = make_debug(kind, napot ? 1 : 0, false);
      t_[i].tdata2 = napot ? addr | ((len >> 1) - 1) : addr;
      update();
      return true;
    }
    return false;
  }
  for (unsigned i = 0; i + 1 < t_.size(); ++i) {
    if (!is_free(i) || !is_free(i + 1)) continue;
    t_[i] = {make_debug(kind, 2, true), addr};
    t_[i + 1] = {make_debug(kind, 3, false), addr + len};
    update();
    return true;
  }
  return false;
}

bool Triggers::remove_debug(Watch kind, uint64_t addr, uint64_t len) {
  const bool single = kind == Watch::kExec || len <= 1 || ((len & (len - 1)) == 0 && (addr & (len - 1)) == 0);
  const bool napot = single && kind != Watch::kExec && len > 1;
  for (unsigned i = 0; i < t_.size(); ++i) {
    Trigger& t = t_[i];
    if (single && (t.tdata1 & ~kHit6) == make_debug(kind, napot ? 1 : 0, false) &&
        t.tdata2 == (napot ? addr | ((len >> 1) - 1) : addr)) {
      t = {reset_tdata1(), 0};
      update();
      return true;
    }
    if (!single && i + 1 < t_.size() && (t.tdata1 & ~kHit6) == make_debug(kind, 2, true) && t.tdata2 == addr &&
        (t_[i + 1].tdata1 & ~kHit6) == make_debug(kind, 3, false) && t_[i + 1].tdata2 == addr + len) {
      t = t_[i + 1] = {reset_tdata1(), 0};
      update();
      return true;
    }
  }
  return false;
}

void Triggers::remove_all_debug() {
  for (Trigger& t : t_)
    if (t.tdata1 & kDmode) t = {reset_tdata1(), 0};
  update();
}

}  // namespace vp::cpu
