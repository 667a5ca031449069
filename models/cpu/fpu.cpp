// F and D extensions (Unpriv. spec chapters 11-12) on the host's IEEE-754 unit:
// rounding mode and exception flags through <cfenv>; RISC-V specifics (NaN
// boxing, canonical NaN, saturating conversions, fmin/fmax, fclass) by hand.
// The host has no RMM mode (round to nearest, ties to max magnitude): results are
// computed in RNE and moved one ulp away from zero when the exact result was a tie,
// which a binary128 evaluation detects (every binary32/64 midpoint is exact there).
// Built with -frounding-math so the compiler keeps the dynamic rounding mode.
#include <cfenv>
#include <cmath>
#include <limits>

#include "models/cpu/core_internal.h"

namespace vp::cpu {
namespace {
constexpr uint32_t kNV = 16, kDZ = 8, kOF = 4, kUF = 2, kNX = 1;
constexpr uint32_t kCanonF = 0x7fc00000u;
constexpr uint64_t kCanonD = 0x7ff8000000000000ull;

float as_f(uint64_t boxed) {
  uint32_t b = (boxed >> 32) == 0xffffffffu ? static_cast<uint32_t>(boxed) : kCanonF;
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}
uint32_t f_bits(uint64_t boxed) {
  return (boxed >> 32) == 0xffffffffu ? static_cast<uint32_t>(boxed) : kCanonF;
}
double as_d(uint64_t v) {
  double d;
  std::memcpy(&d, &v, 8);
  return d;
}
uint64_t box_bits(uint32_t b) { return 0xffffffff00000000ull | b; }
uint64_t box(float f) {
  uint32_t b;
  if (std::isnan(f)) {
    b = kCanonF;
  } else {
    std::memcpy(&b, &f, 4);
  }
  return box_bits(b);
}
uint64_t dbits(double d) {
  if (std::isnan(d)) return kCanonD;
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}
bool is_snan_f(uint32_t b) { return (b & 0x7f800000u) == 0x7f800000u && (b & 0x7fffff) && !(b & 0x400000); }
bool is_snan_d(uint64_t b) {
  return (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b & 0xfffffffffffffull) &&
         !(b & 0x8000000000000ull);
}

uint32_t host_flags() {
  int e = std::fetestexcept(FE_ALL_EXCEPT);
  uint32_t r = 0;
  if (e & FE_INVALID) r |= kNV;
  if (e & FE_DIVBYZERO) r |= kDZ;
  if (e & FE_OVERFLOW) r |= kOF;
  if (e & FE_UNDERFLOW) r |= kUF;
  if (e & FE_INEXACT) r |= kNX;
  return r;
}

int host_round(int rm) {
  switch (rm) {
    case 1: return FE_TOWARDZERO;
    case 2: return FE_DOWNWARD;
    case 3: return FE_UPWARD;
    default: return FE_TONEAREST;
  }
}

// Scoped rounding mode + flag capture.
struct FpEnv {
  explicit FpEnv(int rm) : mode(host_round(rm)) {
    std::feclearexcept(FE_ALL_EXCEPT);
    if (mode != FE_TONEAREST) std::fesetround(mode);
  }
  ~FpEnv() {
    if (mode != FE_TONEAREST) std::fesetround(FE_TONEAREST);
  }
  int mode;
};

using Quad = __float128;

// Unpriv. spec 11.2, RMM: `rne` is the round-to-nearest-even result of an operation
// whose exact value `exact` came from a binary128 evaluation (`exact_known` when
// that evaluation was itself exact). Only a tie can make RMM differ from RNE.
template <typename F>
F rne_to_rmm(F rne, Quad exact, bool exact_known) {
  if (!exact_known || exact != exact || std::isnan(rne) || std::isinf(rne)) return rne;
  const Quad q = rne;
  if (exact == q) return rne;
  const F inf = std::numeric_limits<F>::infinity();
  const F other = std::nextafter(rne, exact > q ? inf : -inf);
  if (std::isinf(other) || exact != (q + Quad(other)) / 2) return rne;  // not a tie
  return std::fabs(other) > std::fabs(rne) ? other : rne;
}

// Round a floating value to an integer per the RISC-V rounding mode.
template <typename F>
F round_rm(F v, int rm) {
  switch (rm) {
    case 0: return std::nearbyint(v);  // host mode is RNE here
    case 1: return std::trunc(v);
    case 2: return std::floor(v);
    case 3: return std::ceil(v);
    default: return std::round(v);  // RMM: ties away from zero
  }
}

// Saturating float -> integer conversion (Unpriv. spec 11.7, table 11.4): NaN
// converts like +inf; only NV when the rounded value does not fit, else NX if inexact.
template <typename I, typename F>
uint64_t cvt_to_int(F v, int rm, uint32_t& flags) {
  const F r = std::isnan(v) ? std::numeric_limits<F>::infinity() : round_rm(v, rm);
  const F lo = static_cast<F>(std::numeric_limits<I>::min());
  // max()+1 is a power of two, exactly representable.
  const F hi_excl = static_cast<F>(std::numeric_limits<I>::max() / 2 + 1) * 2;
  I out;
  if (r < lo) {
    flags |= kNV;
    out = std::numeric_limits<I>::min();
  } else if (r >= hi_excl) {
    flags |= kNV;
    out = std::numeric_limits<I>::max();
  } else {
    out = static_cast<I>(r);
    if (r != v) flags |= kNX;
  }
  // RV64 sign-extends every 32-bit result, fcvt.wu's too.
  if (sizeof(I) == 4) return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(out)));
  return static_cast<uint64_t>(out);
}

template <typename F>
bool inf_times_zero(F a, F b) {
  return (std::isinf(a) && b == 0) || (a == 0 && std::isinf(b));
}

template <typename F>
uint64_t fclass(F v, bool snan) {
  const bool neg = std::signbit(v);
  switch (std::fpclassify(v)) {
    case FP_INFINITE: return neg ? 1u << 0 : 1u << 7;
    case FP_NORMAL: return neg ? 1u << 1 : 1u << 6;
    case FP_SUBNORMAL: return neg ? 1u << 2 : 1u << 5;
    case FP_ZERO: return neg ? 1u << 3 : 1u << 4;
    default: return snan ? 1u << 8 : 1u << 9;
  }
}
}  // namespace

int Core::fp_rm(const Insn& in) {
  int rm = in.rm == 7 ? static_cast<int>(frm_) : in.rm;
  if (rm > 4) illegal(in);
  return rm;
}

// No tie is possible (square roots of binary floats are never midpoints; exact conversions).
static const Quad kNoTie = std::numeric_limits<double>::quiet_NaN();

void Core::exec_fp(const Insn& in) {
  fp_check(in);
  uint64_t* f = f_;
  uint64_t* x = x_;
  uint32_t flags = 0;
  const uint64_t a = f[in.rs1], b = f[in.rs2], c = f[in.rs3];
  switch (in.op) {
// One FP operation: `expr` in the host's rounding mode, `exact_expr` the same in
// binary128 for RMM's tie check (T: float or double; LOAD/STORE: unbox and box).
// `invalid`: a RISC-V invalid case the host may not flag.
#define ARITH_NV(OP, T, LOAD, STORE, expr, exact_expr, invalid)   \
  case Op::OP: {                                                  \
    int rm = fp_rm(in);                                           \
    T r;                                                          \
    {                                                             \
      FpEnv env(rm);                                              \
      T fa = LOAD(a), fb = LOAD(b), fc = LOAD(c);                 \
      (void)fa; (void)fb; (void)fc;                               \
      r = expr;                                                   \
      flags = host_flags();                                       \
      if (invalid) flags |= kNV;                                  \
      if (rm == 4 && (flags & kNX)) {                             \
        Quad qa = fa, qb = fb, qc = fc;                           \
        (void)qa; (void)qb; (void)qc;                             \
        std::feclearexcept(FE_ALL_EXCEPT);                        \
        const Quad exact = exact_expr;                            \
        r = rne_to_rmm(r, exact, !std::fetestexcept(FE_INEXACT)); \
      }                                                           \
    }                                                             \
    f[in.rd] = STORE(r);                                          \
    break;                                                        \
  }
#define ARITH(OP, T, LOAD, STORE, expr, exact_expr) ARITH_NV(OP, T, LOAD, STORE, expr, exact_expr, false)
#define ARITH_S(OP, expr, exact_expr) ARITH(OP, float, as_f, box, expr, exact_expr)
#define ARITH_D(OP, expr, exact_expr) ARITH(OP, double, as_d, dbits, expr, exact_expr)
// Unpriv. spec 11.6: 0 * inf + qNaN is invalid; IEEE 754 leaves it to the
// implementation and x86 (so std::fma) does not raise it.
#define FMA_S(OP, expr, exact_expr) ARITH_NV(OP, float, as_f, box, expr, exact_expr, inf_times_zero(fa, fb))
#define FMA_D(OP, expr, exact_expr) ARITH_NV(OP, double, as_d, dbits, expr, exact_expr, inf_times_zero(fa, fb))
    ARITH_S(FADD_S, fa + fb, qa + qb)
    ARITH_S(FSUB_S, fa - fb, qa - qb)
    ARITH_S(FMUL_S, fa * fb, qa * qb)
    ARITH_S(FDIV_S, fa / fb, qa / qb)
    ARITH_S(FSQRT_S, std::sqrt(fa), kNoTie)
    FMA_S(FMADD_S, std::fma(fa, fb, fc), qa * qb + qc)
    FMA_S(FMSUB_S, std::fma(fa, fb, -fc), qa * qb - qc)
    FMA_S(FNMSUB_S, std::fma(-fa, fb, fc), -qa * qb + qc)
    FMA_S(FNMADD_S, std::fma(-fa, fb, -fc), -qa * qb - qc)
    ARITH_D(FADD_D, fa + fb, qa + qb)
    ARITH_D(FSUB_D, fa - fb, qa - qb)
    ARITH_D(FMUL_D, fa * fb, qa * qb)
    ARITH_D(FDIV_D, fa / fb, qa / qb)
    ARITH_D(FSQRT_D, std::sqrt(fa), kNoTie)
    FMA_D(FMADD_D, std::fma(fa, fb, fc), qa * qb + qc)
    FMA_D(FMSUB_D, std::fma(fa, fb, -fc), qa * qb - qc)
    FMA_D(FNMSUB_D, std::fma(-fa, fb, fc), -qa * qb + qc)
    FMA_D(FNMADD_D, std::fma(-fa, fb, -fc), -qa * qb - qc)
    ARITH_S(FCVT_S_W, static_cast<float>(static_cast<int32_t>(x[in.rs1])), Quad(static_cast<int32_t>(x[in.rs1])))
    ARITH_S(FCVT_S_WU, static_cast<float>(static_cast<uint32_t>(x[in.rs1])), Quad(static_cast<uint32_t>(x[in.rs1])))
    ARITH_S(FCVT_S_L, static_cast<float>(static_cast<int64_t>(x[in.rs1])), Quad(static_cast<int64_t>(x[in.rs1])))
    ARITH_S(FCVT_S_LU, static_cast<float>(x[in.rs1]), Quad(x[in.rs1]))
    ARITH_D(FCVT_D_W, static_cast<double>(static_cast<int32_t>(x[in.rs1])), kNoTie)
    ARITH_D(FCVT_D_WU, static_cast<double>(static_cast<uint32_t>(x[in.rs1])), kNoTie)
    ARITH_D(FCVT_D_L, static_cast<double>(static_cast<int64_t>(x[in.rs1])), Quad(static_cast<int64_t>(x[in.rs1])))
    ARITH_D(FCVT_D_LU, static_cast<double>(x[in.rs1]), Quad(x[in.rs1]))
    ARITH_S(FCVT_S_D, static_cast<float>(as_d(a)), Quad(as_d(a)))
    ARITH_D(FCVT_D_S, static_cast<double>(as_f(a)), kNoTie)
#undef FMA_S
#undef FMA_D
#undef ARITH_S
#undef ARITH_D
#undef ARITH
#undef ARITH_NV
    case Op::FSGNJ_S: f[in.rd] = box_bits((f_bits(a) & 0x7fffffffu) | (f_bits(b) & 0x80000000u)); break;
    case Op::FSGNJN_S: f[in.rd] = box_bits((f_bits(a) & 0x7fffffffu) | (~f_bits(b) & 0x80000000u)); break;
    case Op::FSGNJX_S: f[in.rd] = box_bits(f_bits(a) ^ (f_bits(b) & 0x80000000u)); break;
    case Op::FSGNJ_D: f[in.rd] = (a & ~(1ull << 63)) | (b & (1ull << 63)); break;
    case Op::FSGNJN_D: f[in.rd] = (a & ~(1ull << 63)) | (~b & (1ull << 63)); break;
    case Op::FSGNJX_D: f[in.rd] = a ^ (b & (1ull << 63)); break;
    case Op::FMIN_S: case Op::FMAX_S: {
      const uint32_t ba = f_bits(a), bb = f_bits(b);
      const float fa = as_f(a), fb = as_f(b);
      if (is_snan_f(ba) || is_snan_f(bb)) flags |= kNV;
      const bool is_max = in.op == Op::FMAX_S;
      uint32_t r;
      if (std::isnan(fa) && std::isnan(fb)) r = kCanonF;
      else if (std::isnan(fa)) r = bb;
      else if (std::isnan(fb)) r = ba;
      else if (fa == fb) r = is_max ? (ba & bb) : (ba | bb);  // -0 < +0
      else r = ((fa < fb) != is_max) ? ba : bb;
      f[in.rd] = box_bits(r);
      break;
    }
    case Op::FMIN_D: case Op::FMAX_D: {
      const double fa = as_d(a), fb = as_d(b);
      if (is_snan_d(a) || is_snan_d(b)) flags |= kNV;
      const bool is_max = in.op == Op::FMAX_D;
      uint64_t r;
      if (std::isnan(fa) && std::isnan(fb)) r = kCanonD;
      else if (std::isnan(fa)) r = b;
      else if (std::isnan(fb)) r = a;
      else if (fa == fb) r = is_max ? (a & b) : (a | b);
      else r = ((fa < fb) != is_max) ? a : b;
      f[in.rd] = r;
      break;
    }
    case Op::FCVT_W_S: x[in.rd] = cvt_to_int<int32_t>(as_f(a), fp_rm(in), flags); break;
    case Op::FCVT_WU_S: x[in.rd] = cvt_to_int<uint32_t>(as_f(a), fp_rm(in), flags); break;
    case Op::FCVT_L_S: x[in.rd] = cvt_to_int<int64_t>(as_f(a), fp_rm(in), flags); break;
    case Op::FCVT_LU_S: x[in.rd] = cvt_to_int<uint64_t>(as_f(a), fp_rm(in), flags); break;
    case Op::FCVT_W_D: x[in.rd] = cvt_to_int<int32_t>(as_d(a), fp_rm(in), flags); break;
    case Op::FCVT_WU_D: x[in.rd] = cvt_to_int<uint32_t>(as_d(a), fp_rm(in), flags); break;
    case Op::FCVT_L_D: x[in.rd] = cvt_to_int<int64_t>(as_d(a), fp_rm(in), flags); break;
    case Op::FCVT_LU_D: x[in.rd] = cvt_to_int<uint64_t>(as_d(a), fp_rm(in), flags); break;
    case Op::FMV_X_W: x[in.rd] = static_cast<uint64_t>(sext32(a)); break;
    case Op::FMV_W_X: f[in.rd] = box_bits(static_cast<uint32_t>(x[in.rs1])); break;
    case Op::FMV_X_D: x[in.rd] = a; break;
    case Op::FMV_D_X: f[in.rd] = x[in.rs1]; break;
    case Op::FCLASS_S: x[in.rd] = fclass(as_f(a), is_snan_f(f_bits(a))); break;
    case Op::FCLASS_D: x[in.rd] = fclass(as_d(a), is_snan_d(a)); break;
    case Op::FEQ_S: case Op::FLT_S: case Op::FLE_S: {
      const float fa = as_f(a), fb = as_f(b);
      const bool nan = std::isnan(fa) || std::isnan(fb);
      if (in.op == Op::FEQ_S ? (is_snan_f(f_bits(a)) || is_snan_f(f_bits(b))) : nan) flags |= kNV;
      x[in.rd] = nan ? 0 : in.op == Op::FEQ_S ? fa == fb : in.op == Op::FLT_S ? fa < fb : fa <= fb;
      break;
    }
    case Op::FEQ_D: case Op::FLT_D: case Op::FLE_D: {
      const double fa = as_d(a), fb = as_d(b);
      const bool nan = std::isnan(fa) || std::isnan(fb);
      if (in.op == Op::FEQ_D ? (is_snan_d(a) || is_snan_d(b)) : nan) flags |= kNV;
      x[in.rd] = nan ? 0 : in.op == Op::FEQ_D ? fa == fb : in.op == Op::FLT_D ? fa < fb : fa <= fb;
      break;
    }
    default:
      illegal(in);
  }
  fflags_ |= flags;
  fp_dirty();
}

}  // namespace vp::cpu
