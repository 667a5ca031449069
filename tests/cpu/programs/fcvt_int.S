// FP -> integer conversions (fcvt.{w,wu,l,lu}.{s,d}) against the unprivileged
// spec's rules for every rounding mode: the cases come from fcvt_cases.py.
// On a mismatch the failing case's index is in s2 (and case_index in memory);
// the exit code is 2 for a wrong result, 3 for wrong flags.
#include "test.h"
TEST_BEGIN
  la s0, cases
  la s1, cases_end
  li s2, 0
1:
  ld a1, 0(s0)                 // input (singles NaN-boxed)
  ld a2, 8(s0)                 // expected result
  lbu a3, 16(s0)               // op
  lbu a4, 17(s0)               // rounding mode
  lbu a5, 18(s0)               // expected flags
  la t0, case_index; sd s2, 0(t0)
  fmv.d.x fa0, a1
  fsrm a4
  fsflags zero
  la t1, ops; slli t0, a3, 3; add t1, t1, t0
  jalr t1
  frflags a6
  li gp, 2; bne a0, a2, fail
  li gp, 3; bne a6, a5, fail
  addi s0, s0, 24
  addi s2, s2, 1
  bltu s0, s1, 1b
  fsrm zero
  j pass

  .option push
  .option norvc
  .align 3
ops:                           // 8 bytes each, dynamic rounding mode (frm)
  fcvt.w.s a0, fa0; ret
  fcvt.wu.s a0, fa0; ret
  fcvt.l.s a0, fa0; ret
  fcvt.lu.s a0, fa0; ret
  fcvt.w.d a0, fa0; ret
  fcvt.wu.d a0, fa0; ret
  fcvt.l.d a0, fa0; ret
  fcvt.lu.d a0, fa0; ret
  .option pop
TEST_END
  .data
  .align 3
case_index: .dword 0
#define CASE(op, rm, in, out, flags) .dword in, out; .byte op, rm, flags, 0, 0, 0, 0, 0;
cases:
#include "fcvt_cases.inc"
cases_end:
