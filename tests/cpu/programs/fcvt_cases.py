#!/usr/bin/env python3
"""Cases for fcvt_int.S: every FP->integer conversion (fcvt.{w,wu,l,lu}.{s,d})
of special and boundary inputs in every rounding mode, with the result and the
flags the unprivileged spec requires (section 11.7 and its table of FCVT
results): round the exact input by the rounding mode; if the rounded value does
not fit, the result is clipped (NaN and +inf give the maximum, -inf the
minimum) and only NV is set; otherwise NX is set when rounding changed the
value. 32-bit results are sign-extended to 64 bits on RV64. An improperly
NaN-boxed single is a canonical NaN (11.2).

Prints an assembly include: one CASE(op, rm, input, result, flags) per line.
"""
import math
import sys
from fractions import Fraction

NV, NX = 0x10, 0x01
RNE, RTZ, RDN, RUP, RMM = range(5)
# op index (the order of the dispatch table in fcvt_int.S), precision, width, signed
OPS = [
    ("fcvt.w.s", "s", 32, True), ("fcvt.wu.s", "s", 32, False),
    ("fcvt.l.s", "s", 64, True), ("fcvt.lu.s", "s", 64, False),
    ("fcvt.w.d", "d", 32, True), ("fcvt.wu.d", "d", 32, False),
    ("fcvt.l.d", "d", 64, True), ("fcvt.lu.d", "d", 64, False),
]


def decode(bits, prec):
    """Value of an encoding: a Fraction, +-inf as float, or None for NaN."""
    if prec == "s":
        if bits >> 32 != 0xFFFFFFFF:
            return None  # not NaN-boxed: canonical NaN
        bits &= 0xFFFFFFFF
        ebits, fbits, bias = 8, 23, 127
    else:
        ebits, fbits, bias = 11, 52, 1023
    sign = bits >> (ebits + fbits) & 1
    exp = bits >> fbits & ((1 << ebits) - 1)
    frac = bits & ((1 << fbits) - 1)
    if exp == (1 << ebits) - 1:
        if frac:
            return None
        return -math.inf if sign else math.inf
    if exp == 0:
        mag = Fraction(frac, 1 << fbits) * Fraction(2) ** (1 - bias)
    else:
        mag = (1 + Fraction(frac, 1 << fbits)) * Fraction(2) ** (exp - bias)
    return -mag if sign else mag


def round_to_int(x, rm):
    fl = math.floor(x)
    frac = x - fl
    if rm == RTZ:
        return math.trunc(x)
    if rm == RDN:
        return fl
    if rm == RUP:
        return math.ceil(x)
    if frac > Fraction(1, 2):
        return fl + 1
    if frac < Fraction(1, 2):
        return fl
    if rm == RNE:
        return fl if fl % 2 == 0 else fl + 1
    return fl + 1 if x > 0 else fl  # RMM: ties away from zero


def convert(bits, prec, width, signed, rm):
    lo = -(1 << (width - 1)) if signed else 0
    hi = (1 << (width - 1)) - 1 if signed else (1 << width) - 1
    v = decode(bits, prec)
    if v is None or v == math.inf:
        result, flags = hi, NV
    elif v == -math.inf:
        result, flags = lo, NV
    else:
        r = round_to_int(v, rm)
        if r < lo:
            result, flags = lo, NV
        elif r > hi:
            result, flags = hi, NV
        else:
            result, flags = r, (NX if r != v else 0)
    if width == 32:  # RV64: sign-extend the 32-bit result
        result &= 0xFFFFFFFF
        if result >> 31:
            result -= 1 << 32
    return result & 0xFFFFFFFFFFFFFFFF, flags


BOX = 0xFFFFFFFF00000000
SINGLES = [
    0x00000000, 0x80000000, 0x00000001, 0x80000001,   # +-0, +-min subnormal
    0x3EFFFFFF, 0x3F000000, 0xBF000000, 0x3F7FFFFF,   # 0.49999997, +-0.5, 0.99999994
    0x3F800000, 0xBF800000, 0x3FC00000, 0xBFC00000,   # +-1, +-1.5
    0x40200000, 0xC0200000, 0x40600000, 0xC0600000,   # +-2.5, +-3.5
    0x4EFFFFFF, 0x4F000000, 0xCF000000, 0xCF000001,   # 2^31-128, 2^31, -2^31, below -2^31
    0x4F7FFFFF, 0x4F800000, 0x5EFFFFFF, 0x5F000000,   # 2^32-256, 2^32, 2^63-2^39, 2^63
    0xDF000000, 0xDF000001, 0x5F7FFFFF, 0x5F800000,   # -2^63, below, 2^64-2^40, 2^64
    0x7F7FFFFF, 0xFF7FFFFF, 0x7F800000, 0xFF800000,   # +-max, +-inf
    0x7FC00000, 0xFFC00000, 0x7F800001, 0xFF800001,   # +-qNaN, +-sNaN
    0x7FC12345,
]
DOUBLES = [
    0x0000000000000000, 0x8000000000000000, 0x0000000000000001, 0x8000000000000001,
    0x3FDFFFFFFFFFFFFF, 0x3FE0000000000000, 0xBFE0000000000000, 0xBFDFFFFFFFFFFFFF,
    0x3FF0000000000000, 0xBFF0000000000000, 0x3FF8000000000000, 0xBFF8000000000000,
    0x4004000000000000, 0xC004000000000000, 0x400C000000000000, 0xC00C000000000000,
    0x41DFFFFFFFC00000, 0x41DFFFFFFFE00000, 0x41DFFFFFFFF00000,  # 2^31-1, 2^31-0.5, 2^31-0.25
    0x41E0000000000000, 0xC1E0000000000000, 0xC1E0000000100000,  # 2^31, -2^31, -2^31-0.5
    0xC1E0000000080000, 0xC1E0000000200000,                      # -2^31-0.25, -2^31-1
    0x41EFFFFFFFE00000, 0x41EFFFFFFFF00000, 0x41EFFFFFFFF80000,  # 2^32-1, 2^32-0.5, 2^32-0.25
    0x41F0000000000000, 0x43DFFFFFFFFFFFFF, 0x43E0000000000000,  # 2^32, 2^63-1024, 2^63
    0xC3E0000000000000, 0xC3E0000000000001, 0x43EFFFFFFFFFFFFF,  # -2^63, below, 2^64-2048
    0x43F0000000000000, 0x7FEFFFFFFFFFFFFF, 0xFFEFFFFFFFFFFFFF,  # 2^64, +-max
    0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000, 0xFFF8000000000000,
    0x7FF0000000000001, 0xFFF0000000000001, 0x7FF800000000ABCD,
]


def main():
    out = sys.stdout
    out.write("/* Generated by fcvt_cases.py: CASE(op, rm, input, result, flags). */\n")
    for op, (name, prec, width, signed) in enumerate(OPS):
        inputs = [BOX | b for b in SINGLES] + [0x000000003F800000] if prec == "s" else DOUBLES
        for bits in inputs:
            for rm in range(5):
                result, flags = convert(bits, prec, width, signed, rm)
                out.write(f"CASE({op}, {rm}, 0x{bits:016x}, 0x{result:016x}, 0x{flags:02x})"
                          f"  /* {name} */\n")


if __name__ == "__main__":
    main()
