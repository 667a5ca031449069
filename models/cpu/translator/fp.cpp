// Floating point in translated code: the common F/D instructions on the host's SSE unit,
// with the RISC-V rules where x86 differs (Unpriv. spec 11.2-11.3, 12.2): single-precision
// operands must be NaN-boxed (otherwise they read as the canonical NaN), NaN results are
// the canonical NaN, flags are the IEEE ones (MXCSR, folded into fflags by C++ code, see
// helpers.cpp). Arithmetic is inline in round-to-nearest-even and in the three directed
// rounding modes (RTZ, RDN, RUP: MXCSR.RC is switched around the one operation; the
// static rounding mode, or the dynamic one the block was translated with). Round to
// nearest, ties to max magnitude (RMM, no x86 equivalent), fused multiply-add, min/max,
// classification and FP -> integer conversions run on the interpreter's FPU (fpu.cpp),
// the reference for every corner case.
#include "models/cpu/translator/translator_internal.h"

namespace vp::cpu {

using namespace x86;

namespace {
constexpr uint32_t kCanonF = 0x7fc00000u;
constexpr uint64_t kBox = 0xffffffff00000000ull;
}  // namespace

// First inline FP instruction since C++ code ran: clear MXCSR's flags, so that what
// accumulates there from now on is the guest's (helpers.cpp folds it).
void BlockEmitter::fp_arm() {
  if (fp_armed_) return;
  fp_armed_ = true;
  JitData& d = t_.data();
  Label done;
  g_.cmp(g_.byte[g_.rip + &d.fp_live], 0);
  g_.jne(done);
  g_.ldmxcsr(g_.dword[g_.rip + &d.mxcsr_clean]);
  g_.mov(g_.byte[g_.rip + &d.fp_live], 1);
  g_.L(done);
}

// xmm = f[r] as a single: the low word if NaN-boxed, else the canonical NaN. Uses rax, rcx.
void BlockEmitter::load_single(const Xmm& x, unsigned r) {
  g_.mov(rax, fmem(r));
  g_.mov(rcx, rax);
  g_.shr(rcx, 32);
  g_.cmp(ecx, -1);
  g_.mov(ecx, kCanonF);
  g_.cmovne(eax, ecx);
  g_.movd(x, eax);
}

// f[rd] = xmm0 (double or boxed single), a NaN replaced by the canonical NaN.
void BlockEmitter::store_fp_result(unsigned rd, bool single) {
  auto& g = g_;
  Label& nan = new_label();
  Label& back = new_label();
  if (single) {
    g.ucomiss(xmm0, xmm0);
    g.jp(nan, Asm::T_NEAR);
    g.movd(eax, xmm0);
    g.L(back);
    g.mov(rcx, kBox);
    g.or_(rax, rcx);
    g.mov(fmem(rd), rax);
  } else {
    g.ucomisd(xmm0, xmm0);
    g.jp(nan, Asm::T_NEAR);
    g.movq(rax, xmm0);
    g.L(back);
    g.mov(fmem(rd), rax);
  }
  EmitStub& s = add_stub(EmitStub::kFpNan, &nan);
  s.flag = single;
  s.back = &back;
}

// MXCSR.RC (SDM vol. 1, 10.2.3.3) for a RISC-V rounding mode other than RNE: RTZ -> 11,
// RDN -> 01, RUP -> 10. x86 detects tininess after rounding, as RISC-V does, so the
// flags of a directed-rounding operation match too. Uses MXCSR only (no registers);
// fp_arm() ran before, so MXCSR holds the host's control bits (RC = nearest) plus the
// flags accumulated so far, which both sequences keep.
void BlockEmitter::set_rounding(unsigned rm) {
  if (rm == 0) return;
  static const uint32_t rc[4] = {0, 3, 1, 2};
  JitData& d = t_.data();
  g_.stmxcsr(g_.dword[g_.rip + &d.mxcsr_tmp]);
  g_.or_(g_.dword[g_.rip + &d.mxcsr_tmp], static_cast<int32_t>(rc[rm] << 13));
  g_.ldmxcsr(g_.dword[g_.rip + &d.mxcsr_tmp]);
}

void BlockEmitter::reset_rounding(unsigned rm) {
  if (rm == 0) return;
  JitData& d = t_.data();
  g_.stmxcsr(g_.dword[g_.rip + &d.mxcsr_tmp]);
  g_.and_(g_.dword[g_.rip + &d.mxcsr_tmp], static_cast<int32_t>(~(3u << 13)));
  g_.ldmxcsr(g_.dword[g_.rip + &d.mxcsr_tmp]);
}

void BlockEmitter::mark_fs_dirty() {
  if (((tb_.flags >> 2) & 3) == 1) g_.or_(g_.qword[r15 + t_.off().mstatus], static_cast<int32_t>(mst::FS));
}

bool BlockEmitter::emit_fp(const Insn& in) {
  const uint32_t fs_state = (tb_.flags >> 2) & 3;
  if (fs_state == 0) return false;  // FP off: the executor raises the illegal instruction
  const uint32_t frm = (tb_.flags >> 4) & 7;
  const unsigned rm = in.rm == 7 ? frm : in.rm;
  const bool rm_valid = rm <= 4;
  const bool directed_ok = rm <= 3;  // RNE, RTZ, RDN, RUP: MXCSR.RC can round this way
  auto& g = g_;
  switch (in.op) {
    // Arithmetic: RNE, RTZ, RDN, RUP.
    case Op::FADD_D: case Op::FSUB_D: case Op::FMUL_D: case Op::FDIV_D: case Op::FSQRT_D: {
      if (!directed_ok) return false;
      fp_arm();
      g.movsd(xmm0, fmem(in.rs1));
      set_rounding(rm);
      switch (in.op) {
        case Op::FADD_D: g.addsd(xmm0, fmem(in.rs2)); break;
        case Op::FSUB_D: g.subsd(xmm0, fmem(in.rs2)); break;
        case Op::FMUL_D: g.mulsd(xmm0, fmem(in.rs2)); break;
        case Op::FDIV_D: g.divsd(xmm0, fmem(in.rs2)); break;
        default: g.sqrtsd(xmm0, xmm0); break;
      }
      reset_rounding(rm);
      store_fp_result(in.rd, false);
      mark_fs_dirty();
      return true;
    }
    case Op::FADD_S: case Op::FSUB_S: case Op::FMUL_S: case Op::FDIV_S: case Op::FSQRT_S: {
      if (!directed_ok) return false;
      fp_arm();
      load_single(xmm0, in.rs1);
      if (in.op != Op::FSQRT_S) load_single(xmm1, in.rs2);
      set_rounding(rm);
      switch (in.op) {
        case Op::FADD_S: g.addss(xmm0, xmm1); break;
        case Op::FSUB_S: g.subss(xmm0, xmm1); break;
        case Op::FMUL_S: g.mulss(xmm0, xmm1); break;
        case Op::FDIV_S: g.divss(xmm0, xmm1); break;
        default: g.sqrtss(xmm0, xmm0); break;
      }
      reset_rounding(rm);
      store_fp_result(in.rd, true);
      mark_fs_dirty();
      return true;
    }
    // Conversions the host does exactly as RISC-V does.
    case Op::FCVT_D_W: case Op::FCVT_D_WU: case Op::FCVT_D_L: {
      if (!rm_valid || (in.op == Op::FCVT_D_L && !directed_ok)) return false;  // exact, except from 64 bits
      fp_arm();
      const Reg64& a = get(in.rs1, rax);
      if (in.op == Op::FCVT_D_W)
        g.movsxd(rax, a.cvt32());
      else if (in.op == Op::FCVT_D_WU)
        g.mov(eax, a.cvt32());
      else if (a.getIdx() != rax.getIdx())
        g.mov(rax, a);
      const unsigned crm = in.op == Op::FCVT_D_L ? rm : 0;  // 32-bit sources convert exactly
      set_rounding(crm);
      g.cvtsi2sd(xmm0, rax);
      reset_rounding(crm);
      g.movsd(fmem(in.rd), xmm0);
      mark_fs_dirty();
      return true;
    }
    case Op::FCVT_S_D: {
      if (!directed_ok) return false;
      fp_arm();
      set_rounding(rm);
      g.cvtsd2ss(xmm0, fmem(in.rs1));
      reset_rounding(rm);
      store_fp_result(in.rd, true);
      mark_fs_dirty();
      return true;
    }
    case Op::FCVT_D_S: {
      if (!rm_valid) return false;
      fp_arm();
      load_single(xmm1, in.rs1);
      g.cvtss2sd(xmm0, xmm1);
      store_fp_result(in.rd, false);
      mark_fs_dirty();
      return true;
    }
    // Sign injection and moves: bit operations, no flags.
    case Op::FSGNJ_D: case Op::FSGNJN_D: case Op::FSGNJX_D: {
      g.mov(rax, fmem(in.rs1));
      g.mov(rcx, fmem(in.rs2));
      g.mov(rdx, 1ull << 63);
      if (in.op == Op::FSGNJX_D) {
        g.and_(rcx, rdx);
        g.xor_(rax, rcx);
      } else {
        if (in.op == Op::FSGNJN_D) g.not_(rcx);
        g.and_(rcx, rdx);
        g.not_(rdx);
        g.and_(rax, rdx);
        g.or_(rax, rcx);
      }
      g.mov(fmem(in.rd), rax);
      mark_fs_dirty();
      return true;
    }
    case Op::FMV_X_D:
      g.mov(rax, fmem(in.rs1));
      put(in.rd, rax);
      mark_fs_dirty();
      return true;
    case Op::FMV_D_X: {
      const Reg64& a = get(in.rs1, rax);
      g.mov(fmem(in.rd), a);
      mark_fs_dirty();
      return true;
    }
    case Op::FMV_X_W:
      g.movsxd(rax, g.dword[r15 + t_.off().f + 8 * static_cast<int>(in.rs1)]);
      put(in.rd, rax);
      mark_fs_dirty();
      return true;
    case Op::FMV_W_X: {
      const Reg64& a = get(in.rs1, rax);
      g.mov(eax, a.cvt32());
      g.mov(rcx, kBox);
      g.or_(rax, rcx);
      g.mov(fmem(in.rd), rax);
      mark_fs_dirty();
      return true;
    }
    // Comparisons: feq is quiet (invalid only for signaling NaNs: ucomisd), flt/fle
    // signal on any NaN (comisd); unordered gives 0.
    case Op::FEQ_D: case Op::FLT_D: case Op::FLE_D: {
      fp_arm();
      g.movsd(xmm0, fmem(in.rs1));
      g.movsd(xmm1, fmem(in.rs2));
      g.xor_(edx, edx);
      if (in.op == Op::FEQ_D) {
        g.xor_(ecx, ecx);
        g.ucomisd(xmm0, xmm1);
        g.sete(dl);
        g.setnp(cl);
        g.and_(edx, ecx);
      } else {
        g.comisd(xmm1, xmm0);  // b ? a
        if (in.op == Op::FLT_D)
          g.seta(dl);
        else
          g.setae(dl);
      }
      put(in.rd, rdx);
      mark_fs_dirty();
      return true;
    }
    case Op::FEQ_S: case Op::FLT_S: case Op::FLE_S: {
      fp_arm();
      load_single(xmm0, in.rs1);
      load_single(xmm1, in.rs2);
      g.xor_(edx, edx);
      if (in.op == Op::FEQ_S) {
        g.xor_(ecx, ecx);
        g.ucomiss(xmm0, xmm1);
        g.sete(dl);
        g.setnp(cl);
        g.and_(edx, ecx);
      } else {
        g.comiss(xmm1, xmm0);
        if (in.op == Op::FLT_S)
          g.seta(dl);
        else
          g.setae(dl);
      }
      put(in.rd, rdx);
      mark_fs_dirty();
      return true;
    }
    default:
      return false;
  }
}

}  // namespace vp::cpu
