// Address translation (priv. spec 4.3-4.5: Sv39/Sv48), PMP (3.7), the TLB that
// caches translation + PMP + DMI host pointers per page, and physical access.
//
// A/D bits: set by hardware during the walk (the "Svadu" behaviour the priv.
// spec 1.12 permits); the PTE is written back atomically w.r.t. this hart.
#include <cstring>

#include "models/cpu/core_internal.h"

namespace vp::cpu {
namespace {
constexpr uint64_t PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 16, PTE_A = 64,
                   PTE_D = 128;

uint64_t page_fault(Access acc) {
  return acc == Access::kExec ? kInsnPageFault
         : acc == Access::kRead ? kLoadPageFault : kStorePageFault;
}
uint64_t access_fault(Access acc) {
  return acc == Access::kExec ? kInsnAccessFault
         : acc == Access::kRead ? kLoadAccessFault : kStoreAccessFault;
}
}  // namespace

Priv Core::data_priv() const {
  // Priv. spec 3.1.6.3: MPRV
  if (priv_ == Priv::M && (mstatus_ & mst::MPRV))
    return static_cast<Priv>((mstatus_ >> mst::MPP_SHIFT) & 3);
  return priv_;
}

void Core::flush_tlb() {
  ++chain_gen_;
  clear_tlb();
  if (tlb_banks_)
    for (unsigned i = 0; i < kTlbBanks; ++i) tlb_banks_[i].ctx = ~0ull;
}

namespace {
// Calls f(i) for every set bit i of a used-entry bitmap (kTlbUsedWords words).
template <unsigned kWords, typename F>
void for_each_used(const uint64_t (&used)[kWords], F f) {
  for (unsigned w = 0; w < kWords; ++w)
    for (uint64_t m = used[w]; m; m &= m - 1) f(w * 64 + static_cast<unsigned>(__builtin_ctzll(m)));
}
}  // namespace

// Invalidates the entries filled since the last flush or switch.
void Core::clear_tlb() {
  TlbEntry* const all = tlb_[0];
  for_each_used(tlb_used_, [all](unsigned i) { all[i].tag = kInvalidTag; });
  std::memset(tlb_used_, 0, sizeof tlb_used_);
}

void Core::revoke_write_entries(uint64_t ppage) {
  auto revoke = [ppage](TlbEntry (&write)[kTlbSize]) {
    for (auto& e : write)
      if (e.tag != kInvalidTag && e.ppage == ppage) e.tag = kInvalidTag;
  };
  revoke(tlb_[1]);
  if (tlb_banks_)
    for (unsigned i = 0; i < kTlbBanks; ++i)
      if (tlb_banks_[i].ctx != ~0ull) revoke(tlb_banks_[i].e[1]);
}

// A new translation context (privilege, effective data privilege, SUM, MXR, satp):
// the TLB's entries were made under the old one. In functional mode they go to a bank
// and the new context's bank, if one is kept, comes back; the pipeline's timing reads
// the TLB, so there (and on the first change) it is flushed as before.
void Core::update_xlate_ctx() {
  update_timed_levels();
  uint64_t ctx = static_cast<uint64_t>(priv_) | static_cast<uint64_t>(data_priv()) << 2 |
                 ((mstatus_ >> 18) & 3) << 4;
  ctx ^= satp_ * 0x9E3779B97F4A7C15ull;  // mix; satp changes flush too
  if (ctx == xlate_ctx_) return;
  const uint64_t old = xlate_ctx_;
  xlate_ctx_ = ctx;
  if (timing_ || !tlb_banks_on_ || old == ~0ull || ctx == ~0ull) {
    flush_tlb();
    return;
  }
  ++chain_gen_;  // translated code's links and lookup cache assumed the old entries
  if (!tlb_banks_) tlb_banks_ = std::make_unique<TlbBank[]>(kTlbBanks);
  TlbBank* hit = nullptr;
  TlbBank* empty = nullptr;
  for (unsigned i = 0; i < kTlbBanks; ++i) {
    TlbBank& k = tlb_banks_[i];
    if (k.ctx == ctx) hit = &k;
    else if (k.ctx == ~0ull && !empty) empty = &k;
  }
  TlbBank* to = empty;
  while (!to) {
    TlbBank& k = tlb_banks_[tlb_bank_victim_++ % kTlbBanks];
    if (&k != hit) to = &k;
  }
  // Park the current entries under the old context.
  TlbEntry* const all = tlb_[0];
  TlbEntry* const saved = to->e[0];
  for_each_used(tlb_used_, [all, saved](unsigned i) {
    saved[i] = all[i];
    all[i].tag = kInvalidTag;
  });
  std::memcpy(to->used, tlb_used_, sizeof tlb_used_);
  std::memset(tlb_used_, 0, sizeof tlb_used_);
  to->ctx = old;
  if (!hit) return;
  const TlbEntry* const back = hit->e[0];
  for_each_used(hit->used, [all, back](unsigned i) { all[i] = back[i]; });
  std::memcpy(tlb_used_, hit->used, sizeof tlb_used_);
  hit->ctx = ~0ull;
}

uint64_t Core::translate(uint64_t va, Access acc, Priv priv) {
  if (priv == Priv::M || (satp_ >> 60) == 0) return va;
  return walk(va, acc, priv);
}

uint64_t Core::walk(uint64_t va, Access acc, Priv priv) {
  ++slow_mem_;
  const unsigned mode = static_cast<unsigned>(satp_ >> 60);
  const int levels = mode == 9 ? 4 : 3;
  const int vabits = 12 + 9 * levels;
  // Upper bits must equal bit vabits-1.
  if ((static_cast<int64_t>(va << (64 - vabits)) >> (64 - vabits)) != static_cast<int64_t>(va))
    throw Trap{page_fault(acc), va};
  uint64_t a = (satp_ & ((1ull << 44) - 1)) << 12;
  for (int i = levels - 1; i >= 0; --i) {
    const uint64_t pte_addr = a + ((va >> (12 + 9 * i)) & 0x1ff) * 8;
    uint64_t pte;
    PtePage& pp = pte_pages_[i];
    if (__builtin_expect(pp.page == pte_addr >> 12, 1)) {
      std::memcpy(&pte, pp.host + (pte_addr & 0xfff), 8);
    } else if (const uint8_t* h = pmp_ok(pte_addr & ~0xfffull, 4096, Access::kRead, Priv::S)
                                      ? host_ptr(pte_addr & ~0xfffull, 4096, Access::kRead)
                                      : nullptr) {
      pp = {pte_addr >> 12, h};
      std::memcpy(&pte, h + (pte_addr & 0xfff), 8);
    } else {
      if (!pmp_ok(pte_addr, 8, Access::kRead, Priv::S)) throw Trap{access_fault(acc), va};
      if (uint8_t* hp = host_ptr(pte_addr, 8, Access::kRead))
        std::memcpy(&pte, hp, 8);
      else if (!host_.read(pte_addr, &pte, 8))
        throw Trap{access_fault(acc), va};
    }
    if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) || (pte >> 54) != 0)
      throw Trap{page_fault(acc), va};
    if (!(pte & (PTE_R | PTE_X))) {  // pointer to next level
      if (pte & (PTE_U | PTE_A | PTE_D)) throw Trap{page_fault(acc), va};
      a = ((pte >> 10) & ((1ull << 44) - 1)) << 12;
      continue;
    }
    // Leaf: permission checks (4.3.2 step 5).
    bool ok;
    if (acc == Access::kExec) {
      ok = (pte & PTE_X) && (priv == Priv::U ? (pte & PTE_U) != 0 : !(pte & PTE_U));
    } else {
      if (priv == Priv::U)
        ok = (pte & PTE_U) != 0;
      else
        ok = !(pte & PTE_U) || (mstatus_ & mst::SUM);
      if (acc == Access::kRead)
        ok = ok && ((pte & PTE_R) || ((mstatus_ & mst::MXR) && (pte & PTE_X)));
      else
        ok = ok && (pte & PTE_W);
    }
    if (!ok) throw Trap{page_fault(acc), va};
    const uint64_t ppn = (pte >> 10) & ((1ull << 44) - 1);
    if (i > 0 && (ppn & ((1ull << (9 * i)) - 1))) throw Trap{page_fault(acc), va};  // misaligned superpage
    // A/D update by hardware.
    uint64_t want = PTE_A | (acc == Access::kWrite ? PTE_D : 0);
    if ((pte & want) != want) {
      pte |= want;
      if (!pmp_ok(pte_addr, 8, Access::kWrite, Priv::S)) throw Trap{access_fault(acc), va};
      if (uint8_t* h = host_ptr(pte_addr, 8, Access::kWrite))
        std::memcpy(h, &pte, 8);
      else if (!host_.write(pte_addr, &pte, 8))
        throw Trap{access_fault(acc), va};
      if (!code_pages_.empty()) notify_code_write(pte_addr, 8);  // a PTE in a code page
      if (monitor_->watching()) monitor_->store(slot_, pte_addr, 8);
    }
    const uint64_t off_mask = (1ull << (12 + 9 * i)) - 1;
    return ((ppn << 12) & ~off_mask) | (va & off_mask);
  }
  throw Trap{page_fault(acc), va};
}

// Translates and checks PMP for an access of len bytes at va; fills the TLB.
uint64_t Core::access_phys(uint64_t va, Access acc, unsigned len, Priv& eff) {
  eff = acc == Access::kExec ? priv_ : data_priv();
  const uint64_t pa = translate(va, acc, eff);
  // PMP allowing all of the page allows the access (pmp_ok: the first entry that
  // matches the page contains it) if it lies inside; a page it does not allow
  // (not uniform) gets no TLB entry.
  const bool page_ok = pmp_ok(pa & ~0xfffull, 4096, acc, eff);
  if (!(page_ok && (pa & 0xfff) + len <= 4096) && !pmp_ok(pa, len, acc, eff)) throw Trap{access_fault(acc), va};
  if (page_ok) fill_tlb(tlb_[static_cast<unsigned>(acc)], va, pa, acc);
  return pa;
}

// PMP allows the access to all of pa's page (access_phys checked).
void Core::fill_tlb(TlbEntry* tlb, uint64_t va, uint64_t pa, Access acc) {
  const uint64_t ppage = pa & ~0xfffull;
  TlbEntry& e = tlb[(va >> 12) & (kTlbSize - 1)];
  uintptr_t addend = 0;
  if (uint8_t* h = host_ptr(ppage, 4096, acc))
    addend = reinterpret_cast<uintptr_t>(h) - (va & ~0xfffull);
  if (acc != Access::kExec) {
    if (!addend || watch_data_) return;  // data fast path: a host pointer, no data triggers
    if (acc == Access::kWrite) {
      if (is_code_page(ppage >> 12)) return;                    // stores must invalidate code
      if (monitor_->page_watched(ppage >> 12)) return;          // stores must break reservations
      if (tohost_ && (tohost_ & ~0xfffull) == ppage) return;    // HTIF
    }
  }
  // Successor links (Core::successor) assume the fetch entries they were made with.
  if (acc == Access::kExec && e.tag != kInvalidTag && (e.tag != va >> 12 || e.ppage != ppage)) ++fetch_fills_;
  e.tag = va >> 12;
  e.addend = addend;
  e.ppage = ppage;
  const auto i = static_cast<unsigned>(&e - tlb_[0]);
  tlb_used_[i / 64] |= 1ull << (i % 64);
}

// Priv. spec 3.7.1: lowest-numbered matching entry decides; M-mode is only
// subject to locked entries; S/U fail when no entry matches.
bool Core::pmp_ok(uint64_t pa, uint64_t len, Access acc, Priv priv) const {
  for (const PmpRange& r : pmp_) {
    if (pa + len <= r.lo || pa >= r.hi) continue;
    if (pa < r.lo || pa + len > r.hi) return false;  // partial match
    if (priv == Priv::M && !(r.cfg & 0x80)) return true;
    const uint8_t need = acc == Access::kRead ? 1 : acc == Access::kWrite ? 2 : 4;
    return (r.cfg & need) != 0;
  }
  return priv == Priv::M || cfg_.pmp_entries == 0;
}

void Core::pmp_update() {
  pmp_.clear();
  for (unsigned i = 0; i < cfg_.pmp_entries; ++i) {
    const uint8_t cfg = pmpcfg_[i];
    const unsigned a = (cfg >> 3) & 3;
    uint64_t lo = 0, hi = 0;
    if (a == 0) continue;
    if (a == 1) {  // TOR
      lo = i ? pmpaddr_[i - 1] << 2 : 0;
      hi = pmpaddr_[i] << 2;
    } else if (a == 2) {  // NA4
      lo = pmpaddr_[i] << 2;
      hi = lo + 4;
    } else {  // NAPOT
      const uint64_t addr = pmpaddr_[i];
      const unsigned t = static_cast<unsigned>(__builtin_ctzll(~addr));
      if (t >= 54) {
        lo = 0;
        hi = ~0ull;
      } else {
        lo = (addr & ~((1ull << t) - 1)) << 2;
        hi = lo + (1ull << (t + 3));
      }
    }
    if (lo >= hi) continue;
    pmp_.push_back({lo, hi, cfg});
  }
  for (auto& p : pte_pages_) p = PtePage{};
  flush_tlb();
}

const DmiRegion* Core::find_dmi_slow(uint64_t pa, Access acc) {
  const bool want_write = acc == Access::kWrite;
  for (size_t i = 0; i < dmi_.size(); ++i) {
    const DmiRegion& r = dmi_[i];
    if (pa >= r.base && pa <= r.end && (want_write ? r.write : r.read)) {
      dmi_mru_ = i;
      return &r;
    }
  }
  const uint64_t page = pa >> 12 << 1 | (want_write ? 1 : 0);
  for (uint64_t p : no_dmi_pages_)
    if (p == page) return nullptr;
  DmiRegion r;
  if (host_.dmi(pa, want_write, r) && r.ptr && pa >= r.base && pa <= r.end && (want_write ? r.write : r.read)) {
    dmi_.push_back(r);
    return &dmi_.back();
  }
  if (no_dmi_pages_.size() >= 32) no_dmi_pages_.erase(no_dmi_pages_.begin());
  no_dmi_pages_.push_back(page);
  return nullptr;
}

const uint8_t* Core::speculative_ptr(uint64_t va, unsigned len, bool fetch, uint64_t& pa) const {
  if ((va & 0xfff) + len > 0x1000) return nullptr;
  const TlbEntry& e = tlb_[fetch ? 2 : 0][(va >> 12) & (kTlbSize - 1)];
  if (e.tag != va >> 12 || !e.addend) return nullptr;
  pa = e.ppage | (va & 0xfff);
  return reinterpret_cast<const uint8_t*>(e.addend + va);
}

uint8_t* Core::host_ptr(uint64_t pa, unsigned len, Access acc) {
  const DmiRegion* r = find_dmi(pa, acc == Access::kExec ? Access::kRead : acc);
  if (!r || pa + len - 1 > r->end) return nullptr;
  return r->ptr + (pa - r->base);
}

void Core::mem_read_phys(uint64_t va, uint64_t pa, void* d, unsigned len, Access acc) {
  if (uint8_t* h = host_ptr(pa, len, Access::kRead)) {
    std::memcpy(d, h, len);
    return;
  }
  ++slow_mem_;
  if (!host_.read(pa, d, len)) throw Trap{access_fault(acc), va};
}

void Core::mem_write_phys(uint64_t va, uint64_t pa, const void* d, unsigned len) {
  if (uint8_t* h = host_ptr(pa, len, Access::kWrite))
    std::memcpy(h, d, len);
  else if (++slow_mem_; !host_.write(pa, d, len))
    throw Trap{kStoreAccessFault, va};
  if (!code_pages_.empty()) notify_code_write(pa, len);
  if (monitor_->watching()) monitor_->store(slot_, pa, len);
  if (tohost_ && pa <= tohost_ + 7 && pa + len > tohost_) {
    uint64_t v = 0;
    if (uint8_t* h = host_ptr(tohost_, 8, Access::kRead))
      std::memcpy(&v, h, 8);
    else
      host_.read(tohost_, &v, 8);
    if (v) host_.htif_tohost(v);
  }
}

void Core::invalidate_dmi(uint64_t start, uint64_t end) {
  for (size_t i = 0; i < dmi_.size();) {
    if (dmi_[i].base <= end && dmi_[i].end >= start)
      dmi_.erase(dmi_.begin() + static_cast<long>(i));
    else
      ++i;
  }
  no_dmi_pages_.clear();
  for (auto& p : pte_pages_) p = PtePage{};
  flush_tlb();
  std::vector<uint64_t> pages;
  code_pages_.for_each([&](uint64_t page, Block*) {
    if ((page << 12) <= end && ((page << 12) | 0xfff) >= start) pages.push_back(page);
  });
  for (uint64_t p : pages) invalidate_code_page(p);
}

}  // namespace vp::cpu
