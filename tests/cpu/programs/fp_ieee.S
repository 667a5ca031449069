// Where a host FPU's IEEE-754 choices differ from RISC-V's (unpriv. spec 11.2-11.9):
// invalid on 0 * inf + qNaN in fused multiply-add, canonical NaN results (no
// payload propagation), tininess detected after rounding, fmin/fmax with
// signalling NaNs and signed zeros, NaN boxing of single-precision inputs
// (sign injection, classification, comparisons), sNaN in conversions, signed
// zero results, flags per rounding mode. Each case: T(op, rm, rs1, rs2, rs3,
// result, fflags); single-precision values are NaN-boxed, S() boxes them.
// On a mismatch s2 holds the case index; exit code 2 = result, 3 = flags.
#include "test.h"
TEST_BEGIN
  la s0, cases
  la s1, cases_end
  li s2, 0
1:
  ld a1, 16(s0); fmv.d.x fa3, a1
  ld a1, 8(s0); fmv.d.x fa2, a1
  ld a1, 0(s0); fmv.d.x fa1, a1    // a1 too: rs1 of integer -> FP conversions
  ld a2, 24(s0)                // expected
  lbu a3, 32(s0)               // op
  lbu a4, 33(s0)               // rounding mode
  lbu a5, 34(s0)               // expected flags
  fsrm a4
  fsflags zero
  la t1, ops; slli t0, a3, 4; add t1, t1, t0
  jalr t1
  frflags a6
  li gp, 2; bne a0, a2, fail
  li gp, 3; bne a6, a5, fail
  addi s0, s0, 40
  addi s2, s2, 1
  bltu s0, s1, 1b
  fsrm zero
  j pass

// 16 bytes per op, dynamic rounding mode; the result in a0 (raw 64 bits).
#define FOP(...) .balign 16; __VA_ARGS__; fmv.x.d a0, fa0; ret
#define XOP(...) .balign 16; __VA_ARGS__; ret
  .option push
  .option norvc
  .balign 16
ops:
  FOP(fmadd.s fa0, fa1, fa2, fa3)     // 0
  FOP(fmsub.s fa0, fa1, fa2, fa3)     // 1
  FOP(fnmsub.s fa0, fa1, fa2, fa3)    // 2
  FOP(fnmadd.s fa0, fa1, fa2, fa3)    // 3
  FOP(fmadd.d fa0, fa1, fa2, fa3)     // 4
  FOP(fmsub.d fa0, fa1, fa2, fa3)     // 5
  FOP(fnmsub.d fa0, fa1, fa2, fa3)    // 6
  FOP(fnmadd.d fa0, fa1, fa2, fa3)    // 7
  FOP(fadd.s fa0, fa1, fa2)           // 8
  FOP(fadd.d fa0, fa1, fa2)           // 9
  FOP(fmul.s fa0, fa1, fa2)           // 10
  FOP(fmul.d fa0, fa1, fa2)           // 11
  FOP(fdiv.s fa0, fa1, fa2)           // 12
  FOP(fdiv.d fa0, fa1, fa2)           // 13
  FOP(fsqrt.s fa0, fa1)               // 14
  FOP(fsqrt.d fa0, fa1)               // 15
  FOP(fmin.s fa0, fa1, fa2)           // 16
  FOP(fmax.s fa0, fa1, fa2)           // 17
  FOP(fmin.d fa0, fa1, fa2)           // 18
  FOP(fmax.d fa0, fa1, fa2)           // 19
  FOP(fsgnj.s fa0, fa1, fa2)          // 20
  FOP(fsgnjn.s fa0, fa1, fa2)         // 21
  FOP(fsgnjx.s fa0, fa1, fa2)         // 22
  FOP(fsgnj.d fa0, fa1, fa2)          // 23
  XOP(fclass.s a0, fa1)               // 24
  XOP(fclass.d a0, fa1)               // 25
  XOP(feq.s a0, fa1, fa2)             // 26
  XOP(flt.s a0, fa1, fa2)             // 27
  XOP(fle.s a0, fa1, fa2)             // 28
  XOP(feq.d a0, fa1, fa2)             // 29
  XOP(flt.d a0, fa1, fa2)             // 30
  XOP(fle.d a0, fa1, fa2)             // 31
  FOP(fcvt.s.d fa0, fa1)              // 32
  FOP(fcvt.d.s fa0, fa1)              // 33
  FOP(fsub.s fa0, fa1, fa2)           // 34
  FOP(fsub.d fa0, fa1, fa2)           // 35
  FOP(fcvt.s.lu fa0, a1)              // 36
  FOP(fcvt.d.lu fa0, a1)              // 37
  FOP(fcvt.s.l fa0, a1)               // 38
  FOP(fcvt.s.w fa0, a1)               // 39
  FOP(fcvt.s.wu fa0, a1)              // 40
  .option pop
TEST_END

#define S(x) (0xffffffff00000000 | (x))
#define T(op, rm, a, b, c, r, fl) .dword a, b, c, r; .byte op, rm, fl, 0, 0, 0, 0, 0;
#define RNE 0
#define RTZ 1
#define RDN 2
#define RUP 3
#define RMM 4
#define NV 0x10
#define DZ 0x08
#define OF 0x04
#define UF 0x02
#define NX 0x01
// single precision
#define S0 S(0x00000000)
#define SN0 S(0x80000000)
#define S1 S(0x3f800000)
#define SN1 S(0xbf800000)
#define S2 S(0x40000000)
#define SINF S(0x7f800000)
#define SNINF S(0xff800000)
#define SQNAN S(0x7fc00000)
#define SQNANP S(0x7fc12345)
#define SNQNAN S(0xffc00000)
#define SSNAN S(0x7f800001)
#define SNSNAN S(0xff812345)
#define SMAX S(0x7f7fffff)
#define SCANON S(0x7fc00000)
#define SBAD 0x000000003f800000     /* not NaN-boxed: a canonical NaN */
// double precision
#define D0 0x0000000000000000
#define DN0 0x8000000000000000
#define D1 0x3ff0000000000000
#define DN1 0xbff0000000000000
#define DINF 0x7ff0000000000000
#define DNINF 0xfff0000000000000
#define DQNAN 0x7ff8000000000000
#define DQNANP 0x7ff8000000012345
#define DSNAN 0x7ff0000000000001
#define DCANON 0x7ff8000000000000

  .data
  .align 3
cases:
  // Fused multiply-add: 0 * inf + qNaN is invalid (11.6), every form and order.
  T(0, RNE, S0, SINF, SQNAN, SCANON, NV)
  T(0, RNE, SINF, S0, SQNANP, SCANON, NV)
  T(0, RNE, SN0, SINF, SNQNAN, SCANON, NV)
  T(1, RNE, S0, SINF, SQNAN, SCANON, NV)
  T(2, RNE, SINF, SN0, SQNAN, SCANON, NV)
  T(3, RNE, S0, SNINF, SQNAN, SCANON, NV)
  T(0, RNE, S0, SINF, SBAD, SCANON, NV)          // rs3 not boxed: a qNaN
  T(4, RNE, D0, DINF, DQNAN, DCANON, NV)
  T(4, RNE, DINF, D0, DQNANP, DCANON, NV)
  T(5, RNE, D0, DINF, DQNAN, DCANON, NV)
  T(6, RNE, DINF, DN0, DQNAN, DCANON, NV)
  T(7, RNE, D0, DNINF, DQNAN, DCANON, NV)
  // other invalid fused operations; quiet NaNs propagate as the canonical NaN
  T(0, RNE, S0, SINF, S1, SCANON, NV)
  T(0, RNE, S0, SINF, SSNAN, SCANON, NV)
  T(0, RNE, SINF, S1, SNINF, SCANON, NV)
  T(0, RNE, S1, S1, SSNAN, SCANON, NV)
  T(0, RNE, S1, SQNANP, S1, SCANON, 0)
  T(0, RNE, S1, S2, SBAD, SCANON, 0)
  T(4, RNE, D1, D1, DQNANP, DCANON, 0)
  T(4, RNE, DSNAN, D1, D1, DCANON, NV)
  // Tininess after rounding (11.2 -> IEEE 754 7.5): 2^-126 * (1 - 2^-25) rounds
  // to 2^-126 at unbounded exponent in RNE/RUP/RMM (not tiny: no UF), not in RTZ/RDN.
  T(10, RNE, S(0x19f80000), S(0x26042108), 0, S(0x00800000), NX)
  T(10, RTZ, S(0x19f80000), S(0x26042108), 0, S(0x007fffff), UF | NX)
  T(10, RDN, S(0x19f80000), S(0x26042108), 0, S(0x007fffff), UF | NX)
  T(10, RUP, S(0x19f80000), S(0x26042108), 0, S(0x00800000), NX)
  T(10, RMM, S(0x19f80000), S(0x26042108), 0, S(0x00800000), NX)
  T(0, RNE, S(0x19f80000), S(0x26042108), S0, S(0x00800000), NX)
  T(0, RTZ, S(0x19f80000), S(0x26042108), S0, S(0x007fffff), UF | NX)
  T(11, RNE, 0x3feffff800000000, 0x0010000400010000, 0, 0x0010000000000000, NX)
  T(11, RTZ, 0x3feffff800000000, 0x0010000400010000, 0, 0x000fffffffffffff, UF | NX)
  T(11, RMM, 0x3feffff800000000, 0x0010000400010000, 0, 0x0010000000000000, NX)
  T(4, RNE, 0x3feffff800000000, 0x0010000400010000, D0, 0x0010000000000000, NX)
  T(4, RDN, 0x3feffff800000000, 0x0010000400010000, D0, 0x000fffffffffffff, UF | NX)
  T(32, RNE, 0x380ffffff0000000, 0, 0, S(0x00800000), NX)
  T(32, RTZ, 0x380ffffff0000000, 0, 0, S(0x007fffff), UF | NX)
  // exact subnormal result: no underflow; tiny and inexact: UF | NX
  T(10, RNE, S(0x00000200), S1, 0, S(0x00000200), 0)
  T(10, RNE, S(0x00000001), S(0x3f000000), 0, S0, UF | NX)
  T(10, RUP, S(0x00000001), S(0x3f000000), 0, S(0x00000001), UF | NX)
  // overflow by rounding mode
  T(10, RNE, SMAX, S2, 0, SINF, OF | NX)
  T(10, RTZ, SMAX, S2, 0, SMAX, OF | NX)
  T(10, RDN, SMAX, S2, 0, SMAX, OF | NX)
  T(10, RUP, SMAX, S2, 0, SINF, OF | NX)
  T(10, RMM, SMAX, S2, 0, SINF, OF | NX)
  // arithmetic: canonical NaN, invalid, divide by zero, signed zeros
  T(8, RNE, SQNANP, S1, 0, SCANON, 0)
  T(8, RNE, SSNAN, S1, 0, SCANON, NV)
  T(8, RNE, SINF, SNINF, 0, SCANON, NV)
  T(34, RNE, SINF, SINF, 0, SCANON, NV)
  T(9, RNE, D1, DQNANP, 0, DCANON, 0)
  T(9, RNE, DSNAN, DQNAN, 0, DCANON, NV)
  T(35, RNE, DINF, DINF, 0, DCANON, NV)
  T(8, RNE, S1, SN1, 0, S0, 0)
  T(8, RDN, S1, SN1, 0, SN0, 0)                 // x - x = -0 rounding down
  T(8, RNE, SN0, SN0, 0, SN0, 0)
  T(9, RDN, D1, DN1, 0, DN0, 0)
  T(8, RMM, S1, S(0x33800000), 0, S(0x3f800001), NX)   // 1 + 2^-24: tie, away
  T(8, RNE, S1, S(0x33800000), 0, S1, NX)
  T(10, RNE, S0, SINF, 0, SCANON, NV)
  T(11, RNE, DINF, DN0, 0, DCANON, NV)
  T(12, RNE, S0, S0, 0, SCANON, NV)
  T(12, RNE, S1, S0, 0, SINF, DZ)
  T(12, RNE, SN1, S0, 0, SNINF, DZ)
  T(12, RNE, S1, SN0, 0, SNINF, DZ)
  T(12, RNE, SINF, SINF, 0, SCANON, NV)
  T(12, RNE, SQNAN, S0, 0, SCANON, 0)
  T(12, RNE, SINF, S0, 0, SINF, 0)
  T(13, RNE, D0, D0, 0, DCANON, NV)
  T(13, RNE, D1, D0, 0, DINF, DZ)
  T(14, RNE, SN0, 0, 0, SN0, 0)
  T(14, RNE, SN1, 0, 0, SCANON, NV)
  T(14, RNE, SNINF, 0, 0, SCANON, NV)
  T(14, RNE, SSNAN, 0, 0, SCANON, NV)
  T(14, RNE, SQNANP, 0, 0, SCANON, 0)
  T(15, RNE, DN1, 0, 0, DCANON, NV)
  T(15, RNE, DN0, 0, 0, DN0, 0)
  // fmin/fmax (11.6, 2.2 semantics): one NaN -> the other operand; sNaN -> NV;
  // two NaNs -> canonical NaN; -0 < +0
  T(16, RNE, SSNAN, S1, 0, S1, NV)
  T(17, RNE, S1, SSNAN, 0, S1, NV)
  T(16, RNE, SQNAN, S1, 0, S1, 0)
  T(17, RNE, SNINF, SQNANP, 0, SNINF, 0)
  T(16, RNE, SQNANP, SQNANP, 0, SCANON, 0)
  T(16, RNE, SSNAN, SQNAN, 0, SCANON, NV)
  T(17, RNE, SNSNAN, SSNAN, 0, SCANON, NV)
  T(16, RNE, SN0, S0, 0, SN0, 0)
  T(16, RNE, S0, SN0, 0, SN0, 0)
  T(17, RNE, SN0, S0, 0, S0, 0)
  T(17, RNE, S0, SN0, 0, S0, 0)
  T(16, RNE, SBAD, SN1, 0, SN1, 0)
  T(18, RNE, DSNAN, D1, 0, D1, NV)
  T(19, RNE, DQNAN, DN1, 0, DN1, 0)
  T(18, RNE, DQNANP, DSNAN, 0, DCANON, NV)
  T(18, RNE, D0, DN0, 0, DN0, 0)
  T(19, RNE, DN0, D0, 0, D0, 0)
  // sign injection: no canonicalisation, no flags; unboxed inputs are canonical NaNs
  T(20, RNE, SBAD, SN1, 0, S(0xffc00000), 0)
  T(21, RNE, S1, SBAD, 0, SN1, 0)
  T(22, RNE, SN1, SBAD, 0, SN1, 0)
  T(20, RNE, SSNAN, SN1, 0, S(0xff800001), 0)
  T(21, RNE, SQNANP, S1, 0, S(0xffc12345), 0)
  T(23, RNE, DSNAN, DN1, 0, 0xfff0000000000001, 0)
  // classification (11.9)
  T(24, RNE, SNINF, 0, 0, 1 << 0, 0)
  T(24, RNE, SN1, 0, 0, 1 << 1, 0)
  T(24, RNE, S(0x80000001), 0, 0, 1 << 2, 0)
  T(24, RNE, SN0, 0, 0, 1 << 3, 0)
  T(24, RNE, S0, 0, 0, 1 << 4, 0)
  T(24, RNE, S(0x007fffff), 0, 0, 1 << 5, 0)
  T(24, RNE, S1, 0, 0, 1 << 6, 0)
  T(24, RNE, SINF, 0, 0, 1 << 7, 0)
  T(24, RNE, SSNAN, 0, 0, 1 << 8, 0)
  T(24, RNE, SNSNAN, 0, 0, 1 << 8, 0)
  T(24, RNE, SQNANP, 0, 0, 1 << 9, 0)
  T(24, RNE, SNQNAN, 0, 0, 1 << 9, 0)
  T(24, RNE, SBAD, 0, 0, 1 << 9, 0)
  T(25, RNE, DNINF, 0, 0, 1 << 0, 0)
  T(25, RNE, 0x8000000000000001, 0, 0, 1 << 2, 0)
  T(25, RNE, DN0, 0, 0, 1 << 3, 0)
  T(25, RNE, 0x000fffffffffffff, 0, 0, 1 << 5, 0)
  T(25, RNE, DSNAN, 0, 0, 1 << 8, 0)
  T(25, RNE, DQNANP, 0, 0, 1 << 9, 0)
  // comparisons (11.8): feq is quiet, flt/fle signal on any NaN
  T(26, RNE, SQNAN, S1, 0, 0, 0)
  T(26, RNE, SSNAN, S1, 0, 0, NV)
  T(27, RNE, SQNAN, S1, 0, 0, NV)
  T(28, RNE, S1, SQNAN, 0, 0, NV)
  T(26, RNE, SN0, S0, 0, 1, 0)
  T(27, RNE, SN0, S0, 0, 0, 0)
  T(28, RNE, SN0, S0, 0, 1, 0)
  T(26, RNE, SBAD, SBAD, 0, 0, 0)
  T(28, RNE, SBAD, S1, 0, 0, NV)
  T(29, RNE, DSNAN, DSNAN, 0, 0, NV)
  T(30, RNE, D1, DQNAN, 0, 0, NV)
  T(31, RNE, DN0, D0, 0, 1, 0)
  // conversions between formats
  T(32, RNE, DSNAN, 0, 0, SCANON, NV)
  T(32, RNE, DQNANP, 0, 0, SCANON, 0)
  T(32, RNE, 0x7e37e43c8800759c, 0, 0, SINF, OF | NX)   // 1e300
  T(32, RTZ, 0x7e37e43c8800759c, 0, 0, SMAX, OF | NX)
  T(32, RNE, DN0, 0, 0, SN0, 0)
  T(33, RNE, SSNAN, 0, 0, DCANON, NV)
  T(33, RNE, SQNANP, 0, 0, DCANON, 0)
  T(33, RNE, SBAD, 0, 0, DCANON, 0)
  T(33, RNE, SNINF, 0, 0, DNINF, 0)
  // integer -> FP: rounding of wide unsigned values (no sticky bit lost)
  T(36, RNE, 0xffffffffffffffff, 0, 0, S(0x5f800000), NX)
  T(36, RTZ, 0xffffffffffffffff, 0, 0, S(0x5f7fffff), NX)
  T(36, RDN, 0xffffffffffffffff, 0, 0, S(0x5f7fffff), NX)
  T(36, RUP, 0xffffffffffffffff, 0, 0, S(0x5f800000), NX)
  T(36, RNE, 0x8000008000000001, 0, 0, S(0x5f000001), NX)   // just above a tie
  T(36, RNE, 0x8000008000000000, 0, 0, S(0x5f000000), NX)   // tie: even
  T(36, RMM, 0x8000008000000000, 0, 0, S(0x5f000001), NX)   // tie: away
  T(37, RNE, 0xffffffffffffffff, 0, 0, 0x43f0000000000000, NX)
  T(37, RTZ, 0xffffffffffffffff, 0, 0, 0x43efffffffffffff, NX)
  T(38, RNE, 0xffffffffffffffff, 0, 0, SN1, 0)
  T(38, RNE, 0x8000000000000000, 0, 0, S(0xdf000000), 0)
  T(39, RNE, 0x000000007fffffff, 0, 0, S(0x4f000000), NX)
  T(39, RTZ, 0x000000007fffffff, 0, 0, S(0x4effffff), NX)
  T(40, RMM, 0x00000000ffffffff, 0, 0, S(0x4f800000), NX)
cases_end:
