// F/D: results, exception flags, rounding modes, NaN boxing, canonical NaN, conversions.
#include "test.h"
#define FS(freg, bits) li t0, bits; fmv.w.x freg, t0
#define FD(freg, bits) li t0, bits; fmv.d.x freg, t0
#define FLAGS(n, val) csrrw a0, fflags, zero; CHECK(n, a0, val)
#define ONE_S 0x3f800000
#define TWO_S 0x40000000
#define ONE_D 0x3ff0000000000000
TEST_BEGIN
  FS(f1, ONE_S); FS(f2, TWO_S)
  fadd.s f3, f1, f2; fmv.x.w a0, f3; CHECK(1, a0, 0x40400000)
  FLAGS(2, 0)
  fmv.w.x f4, zero
  fdiv.s f3, f1, f4; fmv.x.w a0, f3; CHECK(3, a0, 0x7f800000)  // 1/0 = inf
  FLAGS(4, 0x08)                                                // DZ
  FS(f5, 0xbf800000)                                            // -1.0
  fsqrt.s f3, f5; fmv.x.w a0, f3; CHECK(5, a0, 0x7fc00000)      // canonical NaN
  FLAGS(6, 0x10)                                                // NV
  FS(f6, 0x30800000)                                            // 2^-30
  fadd.s f3, f1, f6; FLAGS(7, 0x01)                             // NX
  // rounding of conversions
  FS(f7, 0x40200000)                                            // 2.5
  fcvt.w.s a0, f7, rne; CHECK(10, a0, 2)
  fcvt.w.s a0, f7, rmm; CHECK(11, a0, 3)
  fcvt.w.s a0, f7, rtz; CHECK(12, a0, 2)
  fcvt.w.s a0, f7, rup; CHECK(13, a0, 3)
  fcvt.w.s a0, f7, rdn; CHECK(14, a0, 2)
  fneg.s f8, f7
  fcvt.w.s a0, f8, rdn; CHECK(15, a0, -3)
  fcvt.w.s a0, f8, rmm; CHECK(16, a0, -3)
  FLAGS(17, 0x01)
  // dynamic rounding mode from frm
  csrwi frm, 3                                                   // RUP
  fcvt.w.s a0, f7; CHECK(18, a0, 3)
  csrwi frm, 0
  FLAGS(19, 0x01)
  // saturation
  li t0, 0x7fc00000; fmv.w.x f9, t0
  fcvt.w.s a0, f9, rtz; CHECK(20, a0, 0x7fffffff)               // NaN -> max
  FLAGS(21, 0x10)
  fcvt.wu.s a0, f5, rtz; CHECK(22, a0, 0)                        // -1 -> 0
  FLAGS(23, 0x10)
  FS(f10, 0xbf000000)                                            // -0.5
  fcvt.wu.s a0, f10, rtz; CHECK(24, a0, 0)
  FLAGS(25, 0x01)                                                // only inexact
  FD(f11, 0x46293e5939a08cea)                                    // 1e30
  fcvt.l.d a0, f11, rtz; CHECK(26, a0, 0x7fffffffffffffff)
  fcvt.w.d a0, f11, rtz; CHECK(27, a0, 0x7fffffff)
  fneg.d f12, f11
  fcvt.l.d a0, f12, rtz; CHECK(28, a0, 0x8000000000000000)
  fcvt.lu.d a0, f11, rtz; CHECK(29, a0, -1)
  FLAGS(30, 0x10)
  fcvt.wu.s a0, f7, rtz; CHECK(31, a0, 2)
  FS(f13, 0x4f800000)                                            // 2^32
  fcvt.wu.s a0, f13, rtz; CHECK(32, a0, 0xffffffffffffffff)      // saturates, sign-extended
  FLAGS(33, 0x11)
  // int -> float
  li a1, -7; fcvt.s.w f3, a1; fmv.x.w a0, f3; CHECK(35, a0, 0xffffffffc0e00000)
  li a1, 0xffffffff; fcvt.s.wu f3, a1; fmv.x.w a0, f3; CHECK(36, a0, 0x4f800000)
  FLAGS(37, 0x01)
  li a1, 3; fcvt.d.l f3, a1; fmv.x.d a0, f3; CHECK(38, a0, 0x4008000000000000)
  // NaN boxing
  FD(f14, ONE_D)
  fadd.s f3, f14, f14; fmv.x.d a0, f3; CHECK(40, a0, 0xffffffff7fc00000)
  la s0, fdata
  flw f3, 0(s0); fmv.x.d a0, f3; CHECK(41, a0, 0xffffffff3f800000)
  fsd f14, 8(s0); ld a0, 8(s0); CHECK(42, a0, ONE_D)
  fld f15, 8(s0); fmv.x.d a0, f15; CHECK(43, a0, ONE_D)
  fsw f1, 16(s0); lw a0, 16(s0); CHECK(44, a0, ONE_S)
  // min/max
  fmin.s f3, f9, f1; fmv.x.w a0, f3; CHECK(50, a0, ONE_S)         // qNaN ignored
  FLAGS(51, 0)
  FS(f16, 0x80000000)                                              // -0
  fmin.s f3, f4, f16; fmv.x.w a0, f3; CHECK(52, a0, 0xffffffff80000000)
  fmax.s f3, f16, f4; fmv.x.w a0, f3; CHECK(53, a0, 0)
  FS(f17, 0x7f800001)                                              // sNaN
  fmax.s f3, f17, f1; fmv.x.w a0, f3; CHECK(54, a0, ONE_S)
  FLAGS(55, 0x10)
  fmin.s f3, f17, f9; fmv.x.w a0, f3; CHECK(56, a0, 0x7fc00000)
  FLAGS(57, 0x10)
  // classify
  FS(f18, 0xff800000)
  fclass.s a0, f18; CHECK(60, a0, 0x1)
  fclass.s a0, f4; CHECK(61, a0, 0x10)
  fclass.s a0, f17; CHECK(62, a0, 0x100)
  fclass.s a0, f9; CHECK(63, a0, 0x200)
  fclass.d a0, f12; CHECK(64, a0, 0x2)
  FS(f19, 0x00000001)
  fclass.s a0, f19; CHECK(65, a0, 0x20)
  // compares
  feq.s a0, f9, f9; CHECK(70, a0, 0)
  FLAGS(71, 0)                                                     // quiet compare
  flt.s a0, f9, f1; CHECK(72, a0, 0)
  FLAGS(73, 0x10)                                                  // signaling compare
  fle.s a0, f1, f1; CHECK(74, a0, 1)
  flt.d a0, f12, f11; CHECK(75, a0, 1)
  // fused multiply-add
  FD(f20, 0x4000000000000000)                                      // 2.0
  FD(f21, 0x4008000000000000)                                      // 3.0
  fmadd.d f3, f20, f21, f14; fmv.x.d a0, f3; CHECK(80, a0, 0x401c000000000000)   // 7
  fmsub.d f3, f20, f21, f14; fmv.x.d a0, f3; CHECK(81, a0, 0x4014000000000000)   // 5
  fnmadd.d f3, f20, f21, f14; fmv.x.d a0, f3; CHECK(82, a0, 0xc01c000000000000)  // -7
  fnmsub.d f3, f20, f21, f14; fmv.x.d a0, f3; CHECK(83, a0, 0xc014000000000000)  // -5
  fmadd.s f3, f2, f2, f1; fmv.x.w a0, f3; CHECK(84, a0, 0x40a00000)              // 5
  // double <-> single
  FD(f22, 0x3fd5555555555555)                                      // 1/3
  fcvt.s.d f3, f22; fmv.x.w a0, f3; CHECK(90, a0, 0x3eaaaaab)
  FLAGS(91, 0x01)
  fcvt.d.s f3, f1; fmv.x.d a0, f3; CHECK(92, a0, ONE_D)
  // sign injection
  fsgnjn.d f3, f14, f14; fmv.x.d a0, f3; CHECK(93, a0, 0xbff0000000000000)
  fsgnjx.d f3, f12, f12; fmv.x.d a0, f3; CHECK(94, a0, 0x46293e5939a08cea)
  fabs.s f3, f5; fmv.x.w a0, f3; CHECK(95, a0, ONE_S)
  // overflow/underflow flags
  FD(f23, 0x7fefffffffffffff)
  fmul.d f3, f23, f20; FLAGS(96, 0x05)                             // OF|NX
  FD(f24, 0x0010000000000000)
  FD(f25, 0x3fe0000000000001)
  fmul.d f3, f24, f25; FLAGS(97, 0x03)                             // UF|NX
  // fcsr layout
  li t0, 0x45; csrw fcsr, t0; csrr a0, frm; CHECK(98, a0, 2); csrr a0, fflags; CHECK(99, a0, 5)
  csrwi fcsr, 0
  // reserved rounding mode in frm -> illegal instruction on dynamic-rm use
  csrwi frm, 5
  EXPECT_TRAP(1f)
  fadd.s f3, f1, f2
  j fail
1: NO_TRAP
  csrr a0, mcause; CHECK(100, a0, 2)
  csrwi frm, 0
  // FS = Off -> FP instructions are illegal
  li t0, MSTATUS_FS; csrc mstatus, t0
  EXPECT_TRAP(1f)
  fadd.s f3, f1, f2
  j fail
1: NO_TRAP
  csrr a0, mcause; CHECK(101, a0, 2)
  csrr a0, mtval; li t0, 0x0020f1d3; CHECK(102, a0, 0x0020f1d3)
  li t0, MSTATUS_FS; csrs mstatus, t0
  fadd.s f3, f1, f2
  csrr a0, mstatus; srli a0, a0, 63; CHECK(103, a0, 1)               // SD set (FS dirty)
  // RMM (round to nearest, ties to max magnitude) on arithmetic: exact ties move away from zero.
  FS(f1, ONE_S); FS(f2, 0x33800000)                                    // 1 + 2^-24: a tie
  fadd.s f3, f1, f2, rne; fmv.x.w a0, f3; CHECK(110, a0, 0x3f800000)
  fadd.s f3, f1, f2, rmm; fmv.x.w a0, f3; CHECK(111, a0, 0x3f800001)
  fneg.s f4, f1; fneg.s f5, f2
  fadd.s f3, f4, f5, rmm; fmv.x.w a0, f3; CHECK(112, a0, 0xffffffffbf800001)
  FLAGS(113, 1)                                                        // NX only
  FD(f6, ONE_D); FD(f7, 0x3ca0000000000000)                            // 1 + 2^-53: a tie
  fadd.d f3, f6, f7, rne; fmv.x.d a0, f3; CHECK(114, a0, 0x3ff0000000000000)
  fadd.d f3, f6, f7, rmm; fmv.x.d a0, f3; CHECK(115, a0, 0x3ff0000000000001)
  fmadd.d f3, f6, f6, f7, rmm; fmv.x.d a0, f3; CHECK(116, a0, 0x3ff0000000000001)
  li a1, 16777217; fcvt.s.w f3, a1, rne; fmv.x.w a0, f3; CHECK(117, a0, 0x4b800000)
  fcvt.s.w f3, a1, rmm; fmv.x.w a0, f3; CHECK(118, a0, 0x4b800001)      // 2^24+1: a tie
  FS(f8, 0x40400000)                                                   // 1/3 is no tie: RMM = RNE
  fdiv.s f3, f1, f8, rmm; fmv.x.w a0, f3; CHECK(119, a0, 0x3eaaaaab)
  j pass
TEST_END
  .data
  .align 3
fdata: .word 0x3f800000, 0
  .dword 0, 0
