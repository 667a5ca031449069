#pragma once
// A small x86-64 assembler for translated blocks: only the instruction forms BlockEmitter
// uses, with xbyak's spelling (mov, add, lea, qword[r15 + d], ...) and encoded byte for
// byte as xbyak 6.x encodes them (same REX, ModRM/SIB, displacement, immediate and jump
// sizes; tests/cpu/x86_asm_test.cpp compares the two for every register combination).
// It writes straight into the code buffer: no operand validation at run time, no label
// hash maps, no heap allocation. Translating a block with xbyak cost ~45,000 host
// instructions (its general encoder and label manager); this is a few per byte.
//
// Labels are plain structs holding up to kSites unresolved jumps; a short (rel8) jump to a
// label bound later must land within 127 bytes, as with xbyak's T_AUTO default.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <type_traits>

namespace vp::cpu::x86 {

#define VP_X86_INLINE inline __attribute__((always_inline))

struct Reg8;
struct Reg16;
struct Reg32;
struct Reg64;

struct Reg {
  uint8_t idx;
  uint8_t bits;
  bool opx = false;  // an opcode extension in ModRM.reg, not a register
  constexpr int getIdx() const { return idx; }
  constexpr Reg8 cvt8() const;
  constexpr Reg16 cvt16() const;
  constexpr Reg32 cvt32() const;
  constexpr Reg64 cvt64() const;
  // spl, bpl, sil, dil: need a REX prefix (without one these encodings are ah..bh).
  constexpr bool ext8() const { return bits == 8 && idx >= 4 && idx < 8 && !opx; }
};
struct Reg64 : Reg {
  constexpr explicit Reg64(int i = 0) : Reg{static_cast<uint8_t>(i), 64} {}
};
struct Reg32 : Reg {
  constexpr explicit Reg32(int i = 0) : Reg{static_cast<uint8_t>(i), 32} {}
};
struct Reg16 : Reg {
  constexpr explicit Reg16(int i = 0) : Reg{static_cast<uint8_t>(i), 16} {}
};
struct Reg8 : Reg {
  constexpr explicit Reg8(int i = 0) : Reg{static_cast<uint8_t>(i), 8} {}
};
struct Xmm {
  uint8_t idx;
  constexpr explicit Xmm(int i = 0) : idx(static_cast<uint8_t>(i)) {}
  constexpr int getIdx() const { return idx; }
};
constexpr Reg8 Reg::cvt8() const { return Reg8(idx); }
constexpr Reg16 Reg::cvt16() const { return Reg16(idx); }
constexpr Reg32 Reg::cvt32() const { return Reg32(idx); }
constexpr Reg64 Reg::cvt64() const { return Reg64(idx); }

inline constexpr Reg64 rax(0), rcx(1), rdx(2), rbx(3), rsp(4), rbp(5), rsi(6), rdi(7), r8(8), r9(9),
    r10(10), r11(11), r12(12), r13(13), r14(14), r15(15);
inline constexpr Reg32 eax(0), ecx(1), edx(2);
inline constexpr Reg8 al(0), cl(1), dl(2);
inline constexpr Xmm xmm0(0), xmm1(1);

// [base + index * scale + disp], or [rip + disp] with disp the absolute target.
struct RegExp {
  int8_t base = -1;
  int8_t index = -1;
  uint8_t scale = 1;
  bool rip = false;
  int64_t disp = 0;
  constexpr RegExp() = default;
  constexpr RegExp(const Reg64& r) : base(static_cast<int8_t>(r.idx)) {}  // NOLINT: implicit as in xbyak
};
inline RegExp operator*(const Reg64& r, int scale) {
  RegExp e;
  if (scale == 1) {
    e.base = static_cast<int8_t>(r.idx);
  } else {
    e.index = static_cast<int8_t>(r.idx);
    e.scale = static_cast<uint8_t>(scale);
  }
  return e;
}
// As xbyak: base + base makes the second an index (scale 1); rsp (not r12) is swapped to base.
inline RegExp operator+(const RegExp& a, const RegExp& b) {
  RegExp r = a;
  if (r.index < 0) {
    r.index = b.index;
    r.scale = b.scale;
  }
  if (b.base >= 0) {
    if (r.base >= 0) {
      r.index = b.base;
      r.scale = 1;
      if (r.index == 4) {
        const int8_t t = r.base;
        r.base = r.index;
        r.index = t;
      }
    } else {
      r.base = b.base;
    }
  }
  r.disp += b.disp;
  return r;
}
template <class T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
inline RegExp operator+(RegExp e, T d) {
  e.disp += static_cast<int64_t>(d);
  return e;
}
struct Rip {};
inline RegExp operator+(Rip, const void* p) {
  RegExp e;
  e.rip = true;
  e.disp = static_cast<int64_t>(reinterpret_cast<uintptr_t>(p));
  return e;
}

struct Mem {
  RegExp e;
  uint8_t bits;  // 0: unsized (ptr)
};
struct AddressFrame {
  uint8_t bits;
  Mem operator[](const RegExp& e) const { return Mem{e, bits}; }
};

struct Label {
  static constexpr int kSites = 4;
  const uint8_t* pos = nullptr;  // bound address, or null
  uint8_t* site[kSites];         // unresolved displacement fields
  uint8_t size[kSites];          // 1 or 4 bytes
  uint8_t n = 0;
  const uint8_t* getAddress() const { return pos; }
};

// Condition codes (the low nibble of jcc/setcc/cmovcc).
enum Cond : uint8_t {
  kO = 0, kNO = 1, kB = 2, kAE = 3, kE = 4, kNE = 5, kBE = 6, kA = 7,
  kS = 8, kNS = 9, kP = 10, kNP = 11, kL = 12, kGE = 13, kLE = 14, kG = 15,
};

class Asm {
 public:
  static constexpr AddressFrame ptr{0}, byte{8}, word{16}, dword{32}, qword{64};
  static constexpr Rip rip{};
  enum JumpType { T_AUTO, T_NEAR };

  explicit Asm(uint8_t* p = nullptr) : p_(p) {}
  uint8_t* getCurr() const { return p_; }
  void setCurr(uint8_t* p) { p_ = p; }

  void db(unsigned b) { *p_++ = static_cast<uint8_t>(b); }
  void dd(uint32_t v) {
    std::memcpy(p_, &v, 4);
    p_ += 4;
  }
  void dq(uint64_t v) {
    std::memcpy(p_, &v, 8);
    p_ += 8;
  }

  // --- integer ---------------------------------------------------------------
  void mov(const Reg& d, const Reg& s) { rr(s, d, d.bits == 8 ? 0x88 : 0x89); }
  void mov(const Reg& d, const Mem& m) {
    if (d.bits == 64 && base_disp(m))
      p_ = put_base_disp(p_, 0x8B, d, m.e);
    else
      rm(d, m, d.bits == 8 ? 0x8A : 0x8B);
  }
  void mov(const Mem& m, const Reg& s) {
    if (s.bits == 64 && base_disp(m))
      p_ = put_base_disp(p_, 0x89, s, m.e);
    else
      rm(s, m, s.bits == 8 ? 0x88 : 0x89);
  }
  void mov(const Reg& d, uint64_t imm) {
    uint8_t* p;
    if (d.bits == 64 && (imm >> 32) == 0) {  // mov r32, imm32 (zero-extends)
      p = put_rex_rr(p_, Reg{0, 0, true}, Reg{d.idx, 32});
      *p++ = static_cast<uint8_t>(0xB8 | (d.idx & 7));
    } else if (d.bits == 64 && fits32(imm)) {  // mov r64, simm32
      p = put_rex_rr(p_, Reg{0, 0, true}, d);
      *p++ = 0xC7;
      *p++ = static_cast<uint8_t>(0xC0 | (d.idx & 7));
    } else if (d.bits == 64) {  // movabs
      p = put_rex_rr(p_, Reg{0, 0, true}, d);
      *p++ = static_cast<uint8_t>(0xB8 | (d.idx & 7));
      std::memcpy(p, &imm, 8);
      p_ = p + 8;
      return;
    } else {  // 32 bits (8/16 unused)
      p = put_rex_rr(p_, Reg{0, 0, true}, d);
      *p++ = static_cast<uint8_t>(0xB8 | (d.idx & 7));
    }
    const uint32_t v = static_cast<uint32_t>(imm);
    std::memcpy(p, &v, 4);
    p_ = p + 4;
  }
  void mov(const Mem& m, uint64_t imm) {
    const int n = m.bits / 8 > 4 ? 4 : m.bits / 8;
    rm(Reg{0, m.bits, true}, m, m.bits == 8 ? 0xC6 : 0xC7, -1, -1, n);
    imm_bytes(static_cast<uint32_t>(imm), n);
  }
  void lea(const Reg& d, const Mem& m) { rm(d, m, 0x8D); }
  void movsxd(const Reg& d, const Reg& s) { rr(d, s, 0x63); }
  void movsxd(const Reg& d, const Mem& m) { rm(d, m, 0x63); }
  void movsx(const Reg& d, const Reg& s) { rr(d, s, 0x0F, s.bits == 16 ? 0xBF : 0xBE); }
  void movsx(const Reg& d, const Mem& m) { rm(d, m, 0x0F, m.bits == 16 ? 0xBF : 0xBE); }
  void movzx(const Reg& d, const Reg& s) { rr(d, s, 0x0F, s.bits == 16 ? 0xB7 : 0xB6); }
  void movzx(const Reg& d, const Mem& m) { rm(d, m, 0x0F, m.bits == 16 ? 0xB7 : 0xB6); }

#define VP_X86_ALU(name, ext)                                           \
  void name(const Reg& d, const Reg& s) { alu_rr(ext, d, s); }           \
  void name(const Reg& d, const Mem& m) { alu_rm(ext, d, m); }           \
  void name(const Mem& m, const Reg& s) { alu_mr(ext, m, s); }           \
  void name(const Reg& d, uint32_t imm) { alu_ri(ext, d, imm); }         \
  void name(const Mem& m, uint32_t imm) { alu_mi(ext, m, imm); }
  VP_X86_ALU(add, 0)
  VP_X86_ALU(or_, 1)
  VP_X86_ALU(and_, 4)
  VP_X86_ALU(sub, 5)
  VP_X86_ALU(xor_, 6)
  VP_X86_ALU(cmp, 7)
#undef VP_X86_ALU

  void shl(const Reg& d, int imm) { shift_i(4, d, imm); }
  void shr(const Reg& d, int imm) { shift_i(5, d, imm); }
  void sar(const Reg& d, int imm) { shift_i(7, d, imm); }
  void shl(const Reg& d, const Reg8&) { shift_cl(4, d); }  // by cl
  void shr(const Reg& d, const Reg8&) { shift_cl(5, d); }
  void sar(const Reg& d, const Reg8&) { shift_cl(7, d); }

  void not_(const Reg& r) { grp3(2, r); }
  void neg(const Reg& r) { grp3(3, r); }
  void mul(const Reg& r) { grp3(4, r); }
  void imul(const Reg& r) { grp3(5, r); }
  void div(const Reg& r) { grp3(6, r); }
  void idiv(const Reg& r) { grp3(7, r); }
  void imul(const Reg& d, const Reg& s) { rr(d, s, 0x0F, 0xAF); }
  void inc(const Reg& r) {
    p_ = put_rex_rr(p_, Reg{0, r.bits, true}, r);
    db(r.bits == 8 ? 0xFE : 0xFF);
    modrm(3, 0, r.idx);
  }
  void test(const Reg& a, const Reg& b) { rr(b, a, a.bits == 8 ? 0x84 : 0x85); }
  void test(const Reg& r, uint32_t imm) {
    const int n = r.bits / 8 > 4 ? 4 : r.bits / 8;
    if (r.idx == 0) {
      p_ = put_rex_rr(p_, Reg{0, 0, true}, r);
      db(r.bits == 8 ? 0xA8 : 0xA9);
    } else {
      rr(Reg{0, r.bits, true}, r, r.bits == 8 ? 0xF6 : 0xF7);
    }
    imm_bytes(imm, n);
  }
  void bswap(const Reg& r) { rr(Reg{1, 32, true}, r, 0x0F); }
  void cqo() {
    db(0x48);
    db(0x99);
  }
  void cdq() { db(0x99); }
  void setcc(Cond c, const Reg& r8) { rr(Reg{0, 8, true}, r8, 0x0F, 0x90 | c); }
  void cmovcc(Cond c, const Reg& d, const Reg& s) { rr(d, s, 0x0F, 0x40 | c); }
  void sete(const Reg& r) { setcc(kE, r); }
  void setnp(const Reg& r) { setcc(kNP, r); }
  void seta(const Reg& r) { setcc(kA, r); }
  void setae(const Reg& r) { setcc(kAE, r); }
  void setb(const Reg& r) { setcc(kB, r); }
  void setl(const Reg& r) { setcc(kL, r); }
  void cmovne(const Reg& d, const Reg& s) { cmovcc(kNE, d, s); }
  void cmovg(const Reg& d, const Reg& s) { cmovcc(kG, d, s); }
  void cmovl(const Reg& d, const Reg& s) { cmovcc(kL, d, s); }
  void cmova(const Reg& d, const Reg& s) { cmovcc(kA, d, s); }
  void cmovb(const Reg& d, const Reg& s) { cmovcc(kB, d, s); }

  // --- SSE -------------------------------------------------------------------
  void movsd(const Xmm& x, const Mem& m) { sse_m(0xF2, 0x10, x, m); }
  void movsd(const Mem& m, const Xmm& x) { sse_m(0xF2, 0x11, x, m); }
  void addsd(const Xmm& x, const Mem& m) { sse_m(0xF2, 0x58, x, m); }
  void subsd(const Xmm& x, const Mem& m) { sse_m(0xF2, 0x5C, x, m); }
  void mulsd(const Xmm& x, const Mem& m) { sse_m(0xF2, 0x59, x, m); }
  void divsd(const Xmm& x, const Mem& m) { sse_m(0xF2, 0x5E, x, m); }
  void sqrtsd(const Xmm& x, const Xmm& y) { sse_r(0xF2, 0x51, Reg{x.idx, 128}, Reg{y.idx, 128}); }
  void addss(const Xmm& x, const Xmm& y) { sse_r(0xF3, 0x58, Reg{x.idx, 128}, Reg{y.idx, 128}); }
  void subss(const Xmm& x, const Xmm& y) { sse_r(0xF3, 0x5C, Reg{x.idx, 128}, Reg{y.idx, 128}); }
  void mulss(const Xmm& x, const Xmm& y) { sse_r(0xF3, 0x59, Reg{x.idx, 128}, Reg{y.idx, 128}); }
  void divss(const Xmm& x, const Xmm& y) { sse_r(0xF3, 0x5E, Reg{x.idx, 128}, Reg{y.idx, 128}); }
  void sqrtss(const Xmm& x, const Xmm& y) { sse_r(0xF3, 0x51, Reg{x.idx, 128}, Reg{y.idx, 128}); }
  void ucomiss(const Xmm& x, const Xmm& y) { sse_r(0, 0x2E, Reg{x.idx, 128}, Reg{y.idx, 128}); }
  void ucomisd(const Xmm& x, const Xmm& y) { sse_r(0x66, 0x2E, Reg{x.idx, 128}, Reg{y.idx, 128}); }
  void comiss(const Xmm& x, const Xmm& y) { sse_r(0, 0x2F, Reg{x.idx, 128}, Reg{y.idx, 128}); }
  void comisd(const Xmm& x, const Xmm& y) { sse_r(0x66, 0x2F, Reg{x.idx, 128}, Reg{y.idx, 128}); }
  void cvtss2sd(const Xmm& x, const Xmm& y) { sse_r(0xF3, 0x5A, Reg{x.idx, 128}, Reg{y.idx, 128}); }
  void cvtsd2ss(const Xmm& x, const Mem& m) { sse_m(0xF2, 0x5A, x, m); }
  void cvtsi2sd(const Xmm& x, const Reg& r) { sse_r(0xF2, 0x2A, Reg{x.idx, 128}, r); }
  void movd(const Xmm& x, const Reg& r) { sse_r(0x66, 0x6E, Reg{x.idx, 128}, r); }
  void movd(const Reg& r, const Xmm& x) { sse_r(0x66, 0x7E, Reg{x.idx, 128}, r); }
  void movq(const Reg& r, const Xmm& x) { sse_r(0x66, 0x7E, Reg{x.idx, 128}, r); }
  void ldmxcsr(const Mem& m) { rm(Reg{2, 32, true}, m, 0x0F, 0xAE); }
  void stmxcsr(const Mem& m) { rm(Reg{3, 32, true}, m, 0x0F, 0xAE); }

  // --- control flow ----------------------------------------------------------
  void jmp(const void* target) {  // rel32 (xbyak: jmp(addr, T_NEAR))
    db(0xE9);
    rel32_to(target);
  }
  void call(const Mem& m) { rm(Reg{2, 0, true}, m, 0xFF); }
  void jmp(Label& l, JumpType t = T_AUTO) { jump(l, t, 0xEB, 0xE9, 0); }
  void jcc(Cond c, Label& l, JumpType t = T_AUTO) { jump(l, t, 0x70 | c, 0x80 | c, 0x0F); }
  void je(Label& l, JumpType t = T_AUTO) { jcc(kE, l, t); }
  void jz(Label& l, JumpType t = T_AUTO) { jcc(kE, l, t); }
  void jne(Label& l, JumpType t = T_AUTO) { jcc(kNE, l, t); }
  void jnz(Label& l, JumpType t = T_AUTO) { jcc(kNE, l, t); }
  void jl(Label& l, JumpType t = T_AUTO) { jcc(kL, l, t); }
  void jge(Label& l, JumpType t = T_AUTO) { jcc(kGE, l, t); }
  void jb(Label& l, JumpType t = T_AUTO) { jcc(kB, l, t); }
  void jae(Label& l, JumpType t = T_AUTO) { jcc(kAE, l, t); }
  void jp(Label& l, JumpType t = T_AUTO) { jcc(kP, l, t); }
  // Binds `l` here and resolves the jumps already made to it.
  void L(Label& l) {
    l.pos = p_;
    for (int k = 0; k < l.n; ++k) {
      const int64_t rel = p_ - (l.site[k] + l.size[k]);
      if (l.size[k] == 1) {
        if (rel < -128 || rel > 127) std::abort();  // a short jump too far: an emitter bug
        *l.site[k] = static_cast<uint8_t>(rel);
      } else {
        const int32_t r = static_cast<int32_t>(rel);
        std::memcpy(l.site[k], &r, 4);
      }
    }
    l.n = 0;
  }

 private:
  static bool fits8(uint32_t x) { return 0xFFFFFF80u <= x || x <= 0x7Fu; }
  static bool fits16(uint32_t x) { return 0xFFFF8000u <= x || x <= 0x7FFFu; }
  static bool fits32(uint64_t x) { return static_cast<int64_t>(x) == static_cast<int32_t>(x); }
  static bool is32or64(int bits) { return bits == 32 || bits == 64; }

  void modrm(int mod, int r, int m) { db((mod << 6) | ((r & 7) << 3) | (m & 7)); }
  void imm_bytes(uint32_t v, int n) { p_ = put_imm(p_, v, n); }
  void rel32_to(const void* target) {
    const int64_t rel = static_cast<const uint8_t*>(target) - (p_ + 4);
    dd(static_cast<uint32_t>(static_cast<int32_t>(rel)));
  }
  // The encoders below write through a local pointer (a byte store through p_ would
  // make the compiler reload p_ after every byte).
  VP_X86_INLINE static uint8_t* put_imm(uint8_t* p, uint32_t v, int n) {
    for (int k = 0; k < n; ++k) *p++ = static_cast<uint8_t>(v >> (8 * k));
    return p;
  }
  // Operand-size and REX prefixes, register `r` in ModRM.reg, register `b` in ModRM.rm.
  VP_X86_INLINE static uint8_t* put_rex_rr(uint8_t* p, const Reg& r, const Reg& b) {
    if ((r.bits == 16 && !is32or64(b.bits)) || (b.bits == 16 && !is32or64(r.bits))) *p++ = 0x66;
    uint8_t rex = (r.bits == 64 ? 8 : 0) | (r.idx & 8 ? 4 : 0) | (b.bits == 64 ? 8 : 0) | (b.idx & 8 ? 1 : 0);
    if (rex || r.ext8() || b.ext8()) rex |= 0x40;
    if (rex) *p++ = rex;
    return p;
  }
  VP_X86_INLINE static uint8_t* put_rex_rm(uint8_t* p, const Reg& r, const Mem& m) {
    if ((r.bits == 16 && !is32or64(m.bits)) || (m.bits == 16 && !is32or64(r.bits))) *p++ = 0x66;
    uint8_t rx = (m.e.index >= 0 && (m.e.index & 8) ? 2 : 0) | (m.e.base >= 0 && (m.e.base & 8) ? 1 : 0);
    if (rx) rx |= 0x40;
    uint8_t rr = (r.bits == 64 ? 8 : 0) | (r.idx & 8 ? 4 : 0);
    if (rr || r.ext8()) rr |= 0x40;
    if (rx | rr) *p++ = rx | rr;
    return p;
  }
  VP_X86_INLINE static uint8_t* put_ops(uint8_t* p, int op0, int op1, int op2) {
    *p++ = static_cast<uint8_t>(op0);
    if (op1 >= 0) *p++ = static_cast<uint8_t>(op1);
    if (op2 >= 0) *p++ = static_cast<uint8_t>(op2);
    return p;
  }
  // ModRM (+ SIB, displacement) for a memory operand; imm_size: immediate bytes after it
  // (a rip-relative displacement counts from the end of the instruction).
  VP_X86_INLINE static uint8_t* put_mem(uint8_t* p, int r, const Mem& m, int imm_size) {
    const RegExp& e = m.e;
    const int reg = (r & 7) << 3;
    if (e.rip) {
      *p = static_cast<uint8_t>(reg | 5);
      const int32_t rel = static_cast<int32_t>(e.disp - static_cast<int64_t>(reinterpret_cast<uintptr_t>(p + 5)) - imm_size);
      std::memcpy(p + 1, &rel, 4);
      return p + 5;
    }
    const uint32_t disp = static_cast<uint32_t>(e.disp);
    const bool has_base = e.base >= 0, has_index = e.index >= 0;
    int mod = 2;
    if (!has_base || ((e.base & 7) != 5 && disp == 0))
      mod = 0;
    else if (fits8(disp))
      mod = 1;
    const int base = has_base ? (e.base & 7) : 5;
    if (has_index || (has_base && (e.base & 7) == 4) || !has_base) {
      *p++ = static_cast<uint8_t>(mod << 6 | reg | 4);
      const int ss = e.scale == 8 ? 3 : e.scale == 4 ? 2 : e.scale == 2 ? 1 : 0;
      *p++ = static_cast<uint8_t>(ss << 6 | (has_index ? (e.index & 7) : 4) << 3 | base);
    } else {
      *p++ = static_cast<uint8_t>(mod << 6 | reg | base);
    }
    if (mod == 1) {
      *p++ = static_cast<uint8_t>(disp);
    } else if (mod == 2 || !has_base) {
      std::memcpy(p, &disp, 4);
      p += 4;
    }
    return p;
  }
  // [base + disp] with a base that needs no SIB byte and no forced displacement (not
  // rsp/r12/rbp/r13), the form of every guest register spill and reload (r15-based).
  static bool base_disp(const Mem& m) {
    return !m.e.rip && m.e.index < 0 && m.e.base >= 0 && ((m.e.base & 7) < 4 || (m.e.base & 7) > 5) &&
           fits32(static_cast<uint64_t>(m.e.disp));
  }
  // REX.W op ModRM [disp8|disp32], as put_rex_rm/put_mem encode it for a 64-bit register.
  static uint8_t* put_base_disp(uint8_t* p, int op, const Reg& r, const RegExp& e) {
    *p++ = static_cast<uint8_t>(0x48 | (r.idx & 8 ? 4 : 0) | (e.base & 8 ? 1 : 0));
    *p++ = static_cast<uint8_t>(op);
    const int reg = (r.idx & 7) << 3, base = e.base & 7;
    const uint32_t disp = static_cast<uint32_t>(e.disp);
    if (disp == 0) {
      *p++ = static_cast<uint8_t>(reg | base);
    } else if (fits8(disp)) {
      *p++ = static_cast<uint8_t>(0x40 | reg | base);
      *p++ = static_cast<uint8_t>(disp);
    } else {
      *p++ = static_cast<uint8_t>(0x80 | reg | base);
      std::memcpy(p, &disp, 4);
      p += 4;
    }
    return p;
  }
  VP_X86_INLINE void rr(const Reg& r, const Reg& b, int op0, int op1 = -1, int op2 = -1) {
    uint8_t* p = put_ops(put_rex_rr(p_, r, b), op0, op1, op2);
    *p++ = static_cast<uint8_t>(0xC0 | (r.idx & 7) << 3 | (b.idx & 7));
    p_ = p;
  }
  VP_X86_INLINE void rm(const Reg& r, const Mem& m, int op0, int op1 = -1, int op2 = -1, int imm_size = 0) {
    p_ = put_mem(put_ops(put_rex_rm(p_, r, m), op0, op1, op2), r.idx, m, imm_size);
  }
  void sse_r(int pref, int op, const Reg& r, const Reg& b) {
    if (pref) db(pref);
    rr(r, b, 0x0F, op);
  }
  void sse_m(int pref, int op, const Xmm& x, const Mem& m) {
    if (pref) db(pref);
    rm(Reg{x.idx, 128}, m, 0x0F, op);
  }
  void alu_rr(int ext, const Reg& d, const Reg& s) { rr(s, d, (ext << 3) | (d.bits == 8 ? 0 : 1)); }
  void alu_rm(int ext, const Reg& d, const Mem& m) { rm(d, m, (ext << 3) | 2 | (d.bits == 8 ? 0 : 1)); }
  void alu_mr(int ext, const Mem& m, const Reg& s) { rm(s, m, (ext << 3) | (s.bits == 8 ? 0 : 1)); }
  static int imm_bits(uint32_t imm, int op_bits) {
    int b = fits8(imm) ? 8 : fits16(imm) ? 16 : 32;
    if (op_bits == 8) b = 8;
    if (is32or64(op_bits) && b == 16) b = 32;
    return b;
  }
  void alu_ri(int ext, const Reg& d, uint32_t imm) {
    const int ib = imm_bits(imm, d.bits);
    if (d.idx == 0 && (d.bits == ib || (d.bits == 64 && ib == 32))) {  // al/eax/rax short form
      p_ = put_rex_rr(p_, Reg{0, 0, true}, d);
      db((ext << 3) | 4 | (ib == 8 ? 0 : 1));
    } else {
      const int tmp = ib < (d.bits < 32 ? d.bits : 32) ? 2 : 0;
      rr(Reg{static_cast<uint8_t>(ext), d.bits, true}, d, 0x80 | tmp | (d.bits == 8 ? 0 : 1));
    }
    imm_bytes(imm, ib / 8);
  }
  void alu_mi(int ext, const Mem& m, uint32_t imm) {
    const int ib = imm_bits(imm, m.bits);
    const int tmp = ib < (m.bits < 32 ? m.bits : 32) ? 2 : 0;
    rm(Reg{static_cast<uint8_t>(ext), m.bits, true}, m, 0x80 | tmp | (m.bits == 8 ? 0 : 1), -1, -1, ib / 8);
    imm_bytes(imm, ib / 8);
  }
  void shift_i(int ext, const Reg& d, int imm) {
    rr(Reg{static_cast<uint8_t>(ext), d.bits, true}, d, (imm == 1 ? 0xD0 : 0xC0) | (d.bits == 8 ? 0 : 1));
    if (imm != 1) db(imm);
  }
  void shift_cl(int ext, const Reg& d) { rr(Reg{static_cast<uint8_t>(ext), d.bits, true}, d, d.bits == 8 ? 0xD2 : 0xD3); }
  void grp3(int ext, const Reg& r) { rr(Reg{static_cast<uint8_t>(ext), r.bits, true}, r, r.bits == 8 ? 0xF6 : 0xF7); }
  void jump(Label& l, JumpType t, int short_op, int long_op, int long_pref) {
    if (l.pos) {
      const int64_t disp = l.pos - p_;
      if (t != T_NEAR && disp - 2 >= -128 && disp - 2 <= 127) {
        db(short_op);
        db(static_cast<uint8_t>(disp - 2));
      } else {
        if (long_pref) db(long_pref);
        db(long_op);
        dd(static_cast<uint32_t>(static_cast<int32_t>(disp - (long_pref ? 6 : 5))));
      }
      return;
    }
    if (l.n == Label::kSites) std::abort();  // more jumps to one label than the emitter makes
    if (t == T_NEAR) {
      if (long_pref) db(long_pref);
      db(long_op);
      l.site[l.n] = p_;
      l.size[l.n++] = 4;
      dd(0);
    } else {
      db(short_op);
      l.site[l.n] = p_;
      l.size[l.n++] = 1;
      db(0);
    }
  }

  uint8_t* p_;
};

}  // namespace vp::cpu::x86
