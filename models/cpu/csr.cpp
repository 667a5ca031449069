// Control and status registers (priv. spec 1.12 chapters 2-4), traps, interrupts.
#include <cinttypes>
#include <cstdio>

#include "models/cpu/core_internal.h"

#define VP_UNLIKELY(x) __builtin_expect(!!(x), 0)

namespace vp::cpu {
namespace {
// CSR numbers (priv. spec tables 2.2-2.5).
enum : unsigned {
  kFflags = 0x001, kFrm = 0x002, kFcsr = 0x003,
  kCycle = 0xc00, kTime = 0xc01, kInstret = 0xc02, kHpm3 = 0xc03, kHpm31 = 0xc1f,
  kSstatus = 0x100, kSie = 0x104, kStvec = 0x105, kScounteren = 0x106, kSenvcfg = 0x10a,
  kSscratch = 0x140, kSepc = 0x141, kScause = 0x142, kStval = 0x143, kSip = 0x144,
  kSatp = 0x180,
  kMvendorid = 0xf11, kMarchid = 0xf12, kMimpid = 0xf13, kMhartid = 0xf14, kMconfigptr = 0xf15,
  kMstatus = 0x300, kMisa = 0x301, kMedeleg = 0x302, kMideleg = 0x303, kMie = 0x304,
  kMtvec = 0x305, kMcounteren = 0x306, kMenvcfg = 0x30a, kMcountinhibit = 0x320,
  kMhpmevent3 = 0x323, kMhpmevent31 = 0x33f,
  kMscratch = 0x340, kMepc = 0x341, kMcause = 0x342, kMtval = 0x343, kMip = 0x344,
  kPmpcfg0 = 0x3a0, kPmpcfg15 = 0x3af, kPmpaddr0 = 0x3b0, kPmpaddr63 = 0x3ef,
  kMcycle = 0xb00, kMinstret = 0xb02, kMhpmcounter3 = 0xb03, kMhpmcounter31 = 0xb1f,
};
constexpr uint64_t kSupervisorInts = (1ull << 1) | (1ull << 5) | (1ull << 9);  // SSI, STI, SEI
constexpr uint64_t kAllInts = kSupervisorInts | (1ull << 3) | (1ull << 7) | (1ull << 11);
constexpr uint64_t kDelegableExc = 0xb3ff;  // not ecall-from-M (11), not 10/14
// mcountinhibit / mcounteren bits (priv. spec 3.1.11-3.1.13).
constexpr uint64_t kCY = 1, kIR = 4;
}  // namespace

uint64_t Core::read_mstatus() const {
  uint64_t v = mstatus_ | (2ull << 32) | (2ull << 34);  // UXL = SXL = 64
  if (((v >> mst::FS_SHIFT) & 3) == 3) v |= mst::SD;
  return v;
}

void Core::write_mstatus(uint64_t v) {
  uint64_t mask = mst::SIE | mst::MIE | mst::SPIE | mst::MPIE | mst::SPP | mst::MPP | mst::MPRV |
                  mst::SUM | mst::MXR | mst::TVM | mst::TW | mst::TSR;
  if (cfg_.ext & (kExtF | kExtD)) mask |= mst::FS;
  uint64_t nv = (mstatus_ & ~mask) | (v & mask);
  if (((nv >> mst::MPP_SHIFT) & 3) == 2) nv = (nv & ~mst::MPP) | (mstatus_ & mst::MPP);  // WARL
  mstatus_ = nv;
}

bool Core::counter_allowed(unsigned csr) const {
  const unsigned bit = csr & 31;
  if (priv_ == Priv::M) return true;
  if (!((mcounteren_ >> bit) & 1)) return false;
  if (priv_ == Priv::U && !((scounteren_ >> bit) & 1)) return false;
  return true;
}

bool Core::csr_read(unsigned csr, uint64_t& v) {
  switch (csr) {
    case kFflags: v = fflags_; return true;
    case kFrm: v = frm_; return true;
    case kFcsr: v = fflags_ | frm_ << 5; return true;
    // cycle and instret are read-only shadows of mcycle and minstret (3.1.11).
    case kCycle: case kMcycle: v = (mcountinhibit_ & kCY) ? mcycle_held_ : cycles() + mcycle_off_; return true;
    case kInstret: case kMinstret:
      v = (mcountinhibit_ & kIR) ? minstret_held_ : instret() + minstret_off_;
      return true;
    case kTime: v = run_progress() - time_from_ < time_span_ ? time_value_ : host_.time_now(); return true;
    case kSstatus: v = read_mstatus() & mst::SSTATUS_MASK; return true;
    case kSie: v = mie_ & mideleg_; return true;
    case kStvec: v = stvec_; return true;
    case kScounteren: v = scounteren_; return true;
    case kSenvcfg: v = senvcfg_; return true;
    case kSscratch: v = sscratch_; return true;
    case kSepc: v = sepc_; return true;
    case kScause: v = scause_; return true;
    case kStval: v = stval_; return true;
    case kSip: v = read_mip() & mideleg_; return true;
    case kSatp: v = satp_; return true;
    case kMvendorid: case kMarchid: case kMimpid: case kMconfigptr: v = 0; return true;
    case kMhartid: v = cfg_.hartid; return true;
    case kMstatus: v = read_mstatus(); return true;
    case kMisa: v = misa_; return true;
    case kMedeleg: v = medeleg_; return true;
    case kMideleg: v = mideleg_; return true;
    case kMie: v = mie_; return true;
    case kMtvec: v = mtvec_; return true;
    case kMcounteren: v = mcounteren_; return true;
    case kMenvcfg: v = menvcfg_; return true;
    case kMcountinhibit: v = mcountinhibit_; return true;
    case kMscratch: v = mscratch_; return true;
    case kMepc: v = mepc_; return true;
    case kMcause: v = mcause_; return true;
    case kMtval: v = mtval_; return true;
    case kMip: v = read_mip(); return true;
    default: break;
  }
  if (triggers_.is_csr(csr)) return triggers_.read(csr, v);
  if ((csr >= kHpm3 && csr <= kHpm31) || (csr >= kMhpmcounter3 && csr <= kMhpmcounter31) ||
      (csr >= kMhpmevent3 && csr <= kMhpmevent31)) {
    v = 0;
    return true;
  }
  if (csr >= kPmpcfg0 && csr <= kPmpcfg15) {
    if (csr & 1) return false;  // RV64: odd pmpcfg registers do not exist
    const unsigned base = (csr - kPmpcfg0) * 4;
    v = 0;
    for (unsigned i = 0; i < 8; ++i)
      if (base + i < cfg_.pmp_entries) v |= static_cast<uint64_t>(pmpcfg_[base + i]) << (8 * i);
    return true;
  }
  if (csr >= kPmpaddr0 && csr <= kPmpaddr63) {
    const unsigned i = csr - kPmpaddr0;
    v = i < cfg_.pmp_entries ? pmpaddr_[i] : 0;
    // NAPOT/TOR read-back at G=0 granularity is the stored value.
    return true;
  }
  return false;
}

bool Core::csr_write(unsigned csr, uint64_t v) {
  switch (csr) {
    case kFflags: fflags_ = v & 31; fp_dirty(); return true;
    case kFrm: frm_ = v & 7; fp_dirty(); return true;
    case kFcsr: fflags_ = v & 31; frm_ = (v >> 5) & 7; fp_dirty(); return true;
    // 3.1.10: a write takes effect after the writing instruction completes, so
    // the writing instruction's own cycle and retirement (the +1) are not added.
    case kMcycle:
      if (mcountinhibit_ & kCY) mcycle_held_ = v; else mcycle_off_ = v - (cycles() + 1);
      return true;
    case kMinstret:
      if (mcountinhibit_ & kIR) minstret_held_ = v; else minstret_off_ = v - (instret() + 1);
      return true;
    case kSstatus: write_mstatus((mstatus_ & ~mst::SSTATUS_MASK) | (v & mst::SSTATUS_MASK)); return true;
    case kSie: mie_ = (mie_ & ~mideleg_) | (v & mideleg_); return true;
    case kStvec: stvec_ = (v & ~3ull) | ((v & 3) == 1 ? 1 : 0); return true;
    case kScounteren: scounteren_ = v & 0xffffffff; return true;
    case kSenvcfg: senvcfg_ = v & 1; return true;
    case kSscratch: sscratch_ = v; return true;
    case kSepc: sepc_ = v & ~1ull; return true;
    case kScause: scause_ = v & (0x8000000000000000ull | 63); return true;
    case kStval: stval_ = v; return true;
    case kSip: {
      const uint64_t m = mideleg_ & (1ull << 1);  // only SSIP is writable through sip
      mip_ = (mip_ & ~m) | (v & m);
      return true;
    }
    case kSatp: {
      const uint64_t mode = v >> 60;
      if (mode == 0 || mode == 8 || (mode == 9 && cfg_.max_satp_mode >= 9))
        satp_ = (v & ((1ull << 44) - 1)) | (mode << 60);  // ASID not implemented (reads 0)
      return true;
    }
    case kMstatus: write_mstatus(v); return true;
    case kMisa: return true;  // WARL, read-only here
    case kMedeleg: medeleg_ = v & kDelegableExc; return true;
    case kMideleg: mideleg_ = v & kSupervisorInts; return true;
    case kMie: mie_ = v & kAllInts; return true;
    case kMtvec: mtvec_ = (v & ~3ull) | ((v & 3) == 1 ? 1 : 0); return true;
    case kMcounteren: mcounteren_ = v & 0xffffffff; return true;
    case kMenvcfg: menvcfg_ = v & 1; return true;
    case kMcountinhibit: {
      // 3.1.13: CY and IR stop mcycle/minstret; TM does not exist (time cannot be
      // inhibited) and the HPM bits are read-only zero like the counters. The
      // writing instruction still counts under the old setting.
      const uint64_t nv = v & (kCY | kIR);
      if ((nv ^ mcountinhibit_) & kCY) {
        if (nv & kCY) mcycle_held_ = cycles() + 1 + mcycle_off_;
        else mcycle_off_ = mcycle_held_ - (cycles() + 1);
      }
      if ((nv ^ mcountinhibit_) & kIR) {
        if (nv & kIR) minstret_held_ = instret() + 1 + minstret_off_;
        else minstret_off_ = minstret_held_ - (instret() + 1);
      }
      mcountinhibit_ = nv;
      return true;
    }
    case kMscratch: mscratch_ = v; return true;
    case kMepc: mepc_ = v & ~1ull; return true;
    case kMcause: mcause_ = v & (0x8000000000000000ull | 63); return true;
    case kMtval: mtval_ = v; return true;
    case kMip: mip_ = (mip_ & ~kSupervisorInts) | (v & kSupervisorInts); return true;
    default: break;
  }
  if (triggers_.is_csr(csr)) {
    triggers_.write(csr, v);
    update_debug();
    return true;
  }
  // 3.1.10: "a legal implementation is to make both the counter and its
  // corresponding event selector be read-only 0".
  if ((csr >= kMhpmcounter3 && csr <= kMhpmcounter31) || (csr >= kMhpmevent3 && csr <= kMhpmevent31))
    return true;
  if (csr >= kPmpcfg0 && csr <= kPmpcfg15) {
    if (csr & 1) return false;
    const unsigned base = (csr - kPmpcfg0) * 4;
    for (unsigned i = 0; i < 8; ++i) {
      const unsigned e = base + i;
      if (e >= cfg_.pmp_entries || (pmpcfg_[e] & 0x80)) continue;  // locked
      uint8_t c = static_cast<uint8_t>(v >> (8 * i)) & 0x9f;
      if ((c & 3) == 2) c &= ~2;  // R=0, W=1 is reserved
      pmpcfg_[e] = c;
    }
    pmp_update();
    return true;
  }
  if (csr >= kPmpaddr0 && csr <= kPmpaddr63) {
    const unsigned i = csr - kPmpaddr0;
    if (i >= cfg_.pmp_entries) return true;
    if (pmpcfg_[i] & 0x80) return true;
    if (i + 1 < cfg_.pmp_entries && (pmpcfg_[i + 1] & 0x80) && ((pmpcfg_[i + 1] >> 3) & 3) == 1)
      return true;  // locked TOR entry above uses this address
    pmpaddr_[i] = v & ((1ull << 54) - 1);
    pmp_update();
    return true;
  }
  return false;
}

bool Core::peek_csr(unsigned csr, uint64_t& value) { return csr_read(csr, value); }

// Zicsr access rules (priv. spec 2.1): privilege in bits 9:8, read-only if 11:10 == 3.
uint64_t Core::csr_rw(const Insn& in, unsigned csr, uint64_t operand, bool write, bool read) {
  (void)read;
  if (((csr >> 8) & 3) > static_cast<unsigned>(priv_)) illegal(in);
  if (write && (csr >> 10) == 3) illegal(in);
  if (csr == kSatp && priv_ == Priv::S && (mstatus_ & mst::TVM)) illegal(in);
  if (csr <= kFcsr && (!(cfg_.ext & (kExtF | kExtD)) || ((mstatus_ >> mst::FS_SHIFT) & 3) == 0))
    illegal(in);
  if (csr >= kCycle && csr <= kHpm31 && !counter_allowed(csr)) illegal(in);
  if ((csr == kSatp || csr == kSstatus || csr == kSie || csr == kSip || csr == kStvec ||
       csr == kSepc || csr == kScause || csr == kStval || csr == kSscratch ||
       csr == kScounteren || csr == kSenvcfg || csr == kMedeleg || csr == kMideleg) &&
      !(cfg_.ext & kExtS))
    illegal(in);
  uint64_t old;
  if (!csr_read(csr, old)) illegal(in);
  if (write) {
    uint64_t base = old;
    if (csr == kMip) base = (old & ~(1ull << 9)) | (mip_ & (1ull << 9));  // SEIP: software bit
    uint64_t nv;
    switch (in.op) {
      case Op::CSRRW: case Op::CSRRWI: nv = operand; break;
      case Op::CSRRS: case Op::CSRRSI: nv = base | operand; break;
      default: nv = base & ~operand; break;
    }
    if (!csr_write(csr, nv)) illegal(in);
    update_xlate_ctx();
    run_.irq_check = true;
  }
  return old;
}

void Core::fp_check(const Insn& in) {
  if (((mstatus_ >> mst::FS_SHIFT) & 3) == 0) illegal(in);
}

// Priv. spec 3.1.9: interrupt priority MEI, MSI, MTI, SEI, SSI, STI.
void Core::check_interrupts() {
  run_.irq_check = false;
  const uint64_t pending = read_mip() & mie_;
  if (!pending) return;
  const bool m_on = priv_ != Priv::M || (mstatus_ & mst::MIE);
  const bool s_on = priv_ == Priv::U || (priv_ == Priv::S && (mstatus_ & mst::SIE));
  uint64_t en = m_on ? pending & ~mideleg_ : 0;
  if (!en && s_on) en = pending & mideleg_;
  if (!en) return;
  static const unsigned order[] = {11, 3, 7, 9, 1, 5};
  for (unsigned bit : order) {
    if (en & (1ull << bit)) {
      take_trap(bit, 0, true);
      return;
    }
  }
}

void Core::take_trap(uint64_t cause, uint64_t tval, bool interrupt) {
  if (VP_UNLIKELY(trace_ != nullptr)) trace_trap(cause, interrupt, tval);
  if (trap_listener_) trap_listener_->on_trap(cause, interrupt, pc_, tval);
  if (!interrupt && stuck_.on_exception(cause, pc_, tval, static_cast<unsigned>(priv_), state_hash()))
    run_.stop = true;  // the hart reports it (Core::stuck)
  clear_reservation();
  run_.wfi = false;
  const uint64_t deleg = interrupt ? mideleg_ : medeleg_;
  const uint64_t xcause = cause | (interrupt ? 1ull << 63 : 0);
  if (priv_ != Priv::M && ((deleg >> cause) & 1)) {
    scause_ = xcause;
    sepc_ = pc_;
    stval_ = tval;
    uint64_t s = mstatus_ & ~(mst::SPIE | mst::SIE | mst::SPP);
    if (mstatus_ & mst::SIE) s |= mst::SPIE;
    if (priv_ == Priv::S) s |= mst::SPP;
    mstatus_ = s;
    priv_ = Priv::S;
    pc_ = (stvec_ & ~3ull) + ((stvec_ & 1) && interrupt ? 4 * cause : 0);
  } else {
    mcause_ = xcause;
    mepc_ = pc_;
    mtval_ = tval;
    uint64_t s = mstatus_ & ~(mst::MPIE | mst::MIE | mst::MPP);
    if (mstatus_ & mst::MIE) s |= mst::MPIE;
    s |= static_cast<uint64_t>(priv_) << mst::MPP_SHIFT;
    mstatus_ = s;
    priv_ = Priv::M;
    pc_ = (mtvec_ & ~3ull) + ((mtvec_ & 1) && interrupt ? 4 * cause : 0);
    triggers_.on_trap_to_m();
  }
  update_xlate_ctx();
  run_.irq_check = true;
}

void Core::do_mret() {
  const auto mpp = static_cast<Priv>((mstatus_ >> mst::MPP_SHIFT) & 3);
  uint64_t s = mstatus_ & ~(mst::MIE | mst::MPP);
  if (mstatus_ & mst::MPIE) s |= mst::MIE;
  s |= mst::MPIE;
  if (mpp != Priv::M) s &= ~mst::MPRV;
  mstatus_ = s;
  priv_ = mpp;
  pc_ = mepc_;
  triggers_.on_mret();
  clear_reservation();
  update_xlate_ctx();
  run_.irq_check = true;
}

void Core::do_sret() {
  const Priv spp = (mstatus_ & mst::SPP) ? Priv::S : Priv::U;
  uint64_t s = mstatus_ & ~(mst::SIE | mst::SPP | mst::MPRV);
  if (mstatus_ & mst::SPIE) s |= mst::SIE;
  s |= mst::SPIE;
  mstatus_ = s;
  priv_ = spp;
  pc_ = sepc_;
  clear_reservation();
  update_xlate_ctx();
  run_.irq_check = true;
}

}  // namespace vp::cpu
