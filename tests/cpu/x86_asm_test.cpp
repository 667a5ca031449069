// x86::Asm (the translator's block assembler) against xbyak: every instruction form the
// translator emits, over all registers and a spread of memory operands (every base and
// index register, all scales, displacements at the disp8/disp32 edges, rip-relative
// targets before and after the code), must produce the bytes xbyak produces at the same
// address. A wrong REX bit, ModRM/SIB choice or immediate size fails here, not in a boot.
#include <gtest/gtest.h>

#include <xbyak/xbyak.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "models/cpu/translator/x86_asm.h"

namespace vp::cpu {
namespace {

namespace X = Xbyak;
using A = x86::Asm;

class Encoder {
 public:
  Encoder() : buf_(1 << 16), gen_(buf_.size(), buf_.data()) {}
  uint8_t* at() { return buf_.data() + 0x8000; }
  // Emits with both at the same address; returns the number of mismatches (and prints).
  int check(const std::string& what, const std::function<void(X::CodeGenerator&)>& fx,
            const std::function<void(A&)>& fa) {
    ++checked_;
    gen_.setSize(0x8000);
    fx(gen_);
    const size_t nx = gen_.getSize() - 0x8000;
    std::vector<uint8_t> want(at(), at() + nx);
    A a(at());
    fa(a);
    const size_t na = static_cast<size_t>(a.getCurr() - at());
    std::vector<uint8_t> got(at(), at() + na);
    if (want == got) return 0;
    std::string w, g;
    char hex[4];
    for (uint8_t b : want) w += (std::snprintf(hex, sizeof hex, "%02x ", b), hex);
    for (uint8_t b : got) g += (std::snprintf(hex, sizeof hex, "%02x ", b), hex);
    ADD_FAILURE() << what << ": xbyak " << w << "/ x86::Asm " << g;
    return 1;
  }
  size_t checked() const { return checked_; }

 private:
  std::vector<uint8_t> buf_;
  X::CodeGenerator gen_;
  size_t checked_ = 0;
};

X::Reg64 xq(int i) { return X::Reg64(i); }
X::Reg32 xd(int i) { return X::Reg32(i); }
X::Reg16 xw(int i) { return X::Reg16(i); }
X::Reg8 xb(int i) { return X::Reg64(i).cvt8(); }  // spl..dil with REX, as cvt8 gives them
x86::Reg64 aq(int i) { return x86::Reg64(i); }

// A memory operand in both spellings.
struct MemCase {
  int base, index, scale;  // index -1: none
  int64_t disp;
  std::string name() const {
    return "[r" + std::to_string(base) + (index >= 0 ? "+r" + std::to_string(index) + "*" + std::to_string(scale) : "") +
           "+" + std::to_string(disp) + "]";
  }
  X::RegExp x() const {
    X::RegExp e = index >= 0 ? xq(base) + xq(index) * scale : X::RegExp(xq(base));
    return e + static_cast<int>(disp);
  }
  x86::RegExp a() const {
    x86::RegExp e = index >= 0 ? aq(base) + aq(index) * scale : x86::RegExp(aq(base));
    return e + static_cast<int>(disp);
  }
};

std::vector<MemCase> mem_cases() {
  std::vector<MemCase> v;
  const int64_t disps[] = {0, 8, -8, 127, 128, -128, -129, 0x1234, -0x12345};
  for (int b = 0; b < 16; ++b)
    for (int64_t d : disps) v.push_back({b, -1, 1, d});
  for (int b = 0; b < 16; ++b)
    for (int i = 0; i < 16; ++i) {
      if (i == 4) continue;  // rsp is no index
      for (int s : {1, 2, 8}) v.push_back({b, i, s, b == i ? 0 : 0x40});
    }
  return v;
}

TEST(TranslatorX86Asm, RegisterFormsMatchXbyak) {
  Encoder e;
  int bad = 0;
  for (int d = 0; d < 16; ++d) {
    for (int s = 0; s < 16; ++s) {
      const std::string rs = " r" + std::to_string(d) + ",r" + std::to_string(s);
#define RR(name, XT, AT)                                                                          \
  bad += e.check(std::string(#name " " #XT) + rs, [&](X::CodeGenerator& g) { g.name(X::XT(d), X::XT(s)); },         \
                 [&](A& a) { a.name(x86::AT(d), x86::AT(s)); });
      RR(mov, Reg64, Reg64) RR(mov, Reg32, Reg32)
      RR(add, Reg64, Reg64) RR(add, Reg32, Reg32)
      RR(sub, Reg64, Reg64) RR(sub, Reg32, Reg32)
      RR(and_, Reg64, Reg64) RR(or_, Reg64, Reg64) RR(xor_, Reg64, Reg64) RR(xor_, Reg32, Reg32)
      RR(cmp, Reg64, Reg64) RR(cmp, Reg32, Reg32)
      RR(test, Reg64, Reg64) RR(test, Reg32, Reg32)
      RR(imul, Reg64, Reg64) RR(imul, Reg32, Reg32)
      RR(cmovne, Reg64, Reg64) RR(cmovne, Reg32, Reg32) RR(cmovg, Reg64, Reg64) RR(cmovl, Reg64, Reg64)
      RR(cmova, Reg64, Reg64) RR(cmovb, Reg64, Reg64)
#undef RR
      bad += e.check("movsxd" + rs, [&](X::CodeGenerator& g) { g.movsxd(xq(d), xd(s)); },
                     [&](A& a) { a.movsxd(aq(d), aq(s).cvt32()); });
      bad += e.check("movsx8" + rs, [&](X::CodeGenerator& g) { g.movsx(xq(d), xb(s)); },
                     [&](A& a) { a.movsx(aq(d), aq(s).cvt8()); });
      bad += e.check("movsx16" + rs, [&](X::CodeGenerator& g) { g.movsx(xq(d), xw(s)); },
                     [&](A& a) { a.movsx(aq(d), aq(s).cvt16()); });
      bad += e.check("movzx16" + rs, [&](X::CodeGenerator& g) { g.movzx(xd(d), xw(s)); },
                     [&](A& a) { a.movzx(aq(d).cvt32(), aq(s).cvt16()); });
      bad += e.check("movzx8" + rs, [&](X::CodeGenerator& g) { g.movzx(xd(d), xb(s)); },
                     [&](A& a) { a.movzx(aq(d).cvt32(), aq(s).cvt8()); });
      if (d != 4 || s != 4)  // [rsp + rsp] does not exist
        bad += e.check("lea base+index" + rs, [&](X::CodeGenerator& g) { g.lea(xq(d), g.ptr[xq(s) + xq(d)]); },
                     [&](A& a) { a.lea(aq(d), A::ptr[aq(s) + aq(d)]); });
    }
    const std::string r = " r" + std::to_string(d);
    // One register (and an immediate).
    const uint64_t imms[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0x12345678, 0x7fffffff, 0x80000000,
                             0xffffffff, 0x100000000ull, ~0ull, ~0ull - 1, 0xffffffff80000000ull,
                             0xffffffff7fffffffull, 0x7ff8000000000000ull, 0x123456789abcdefull};
    for (uint64_t imm : imms) {
      const std::string ri = r + "," + std::to_string(imm);
      bad += e.check("mov64 imm" + ri, [&](X::CodeGenerator& g) { g.mov(xq(d), imm); },
                     [&](A& a) { a.mov(aq(d), imm); });
      const uint32_t i32 = static_cast<uint32_t>(imm);
      bad += e.check("mov32 imm" + ri, [&](X::CodeGenerator& g) { g.mov(xd(d), i32); },
                     [&](A& a) { a.mov(aq(d).cvt32(), i32); });
#define RI(name)                                                                                  \
  bad += e.check(#name "64 imm" + ri, [&](X::CodeGenerator& g) { g.name(xq(d), i32); },          \
                 [&](A& a) { a.name(aq(d), i32); });                                              \
  bad += e.check(#name "32 imm" + ri, [&](X::CodeGenerator& g) { g.name(xd(d), i32); },          \
                 [&](A& a) { a.name(aq(d).cvt32(), i32); });
      if (x86::Asm::dword.bits && (static_cast<int64_t>(static_cast<int32_t>(i32)) == static_cast<int64_t>(imm) ||
                                   imm <= 0xffffffffu)) {
        RI(add) RI(sub) RI(and_) RI(or_) RI(xor_) RI(cmp)
      }
#undef RI
    }
    for (int sh : {0, 1, 4, 12, 31, 32, 63}) {
      const std::string rsh = r + "," + std::to_string(sh);
#define SH(name)                                                                                  \
  bad += e.check(#name "64" + rsh, [&](X::CodeGenerator& g) { g.name(xq(d), sh); },              \
                 [&](A& a) { a.name(aq(d), sh); });                                               \
  if (sh < 32)                                                                                    \
    bad += e.check(#name "32" + rsh, [&](X::CodeGenerator& g) { g.name(xd(d), sh); },            \
                   [&](A& a) { a.name(aq(d).cvt32(), sh); });
      SH(shl) SH(shr) SH(sar)
#undef SH
    }
#define R1(name)                                                                                  \
  bad += e.check(#name "64" + r, [&](X::CodeGenerator& g) { g.name(xq(d)); }, [&](A& a) { a.name(aq(d)); }); \
  bad += e.check(#name "32" + r, [&](X::CodeGenerator& g) { g.name(xd(d)); },                   \
                 [&](A& a) { a.name(aq(d).cvt32()); });
    R1(not_) R1(neg) R1(mul) R1(imul) R1(div) R1(idiv) R1(inc)
#undef R1
    bad += e.check("shl cl" + r, [&](X::CodeGenerator& g) { g.shl(xq(d), X::util::cl); },
                   [&](A& a) { a.shl(aq(d), x86::cl); });
    bad += e.check("shr cl" + r, [&](X::CodeGenerator& g) { g.shr(xq(d), X::util::cl); },
                   [&](A& a) { a.shr(aq(d), x86::cl); });
    bad += e.check("sar cl 32" + r, [&](X::CodeGenerator& g) { g.sar(xd(d), X::util::cl); },
                   [&](A& a) { a.sar(aq(d).cvt32(), x86::cl); });
    bad += e.check("bswap" + r, [&](X::CodeGenerator& g) { g.bswap(xq(d)); }, [&](A& a) { a.bswap(aq(d)); });
#define SET(name)                                                                                 \
  bad += e.check(#name + r, [&](X::CodeGenerator& g) { g.name(xb(d)); }, [&](A& a) { a.name(aq(d).cvt8()); });
    SET(sete) SET(setnp) SET(seta) SET(setae) SET(setb) SET(setl)
#undef SET
    for (uint32_t imm : {1u, 7u, 0x80u, 0x12345u}) {
      bad += e.check("test64 imm" + r, [&](X::CodeGenerator& g) { g.test(xq(d), imm); },
                     [&](A& a) { a.test(aq(d), imm); });
      bad += e.check("test8 imm" + r, [&](X::CodeGenerator& g) { g.test(xb(d), imm & 0xff); },
                     [&](A& a) { a.test(aq(d).cvt8(), imm & 0xff); });
    }
    for (int x = 0; x < 2; ++x) {
      const std::string rx = r + ",xmm" + std::to_string(x);
      bad += e.check("cvtsi2sd" + rx, [&](X::CodeGenerator& g) { g.cvtsi2sd(X::Xmm(x), xq(d)); },
                     [&](A& a) { a.cvtsi2sd(x86::Xmm(x), aq(d)); });
      bad += e.check("movd x,r" + rx, [&](X::CodeGenerator& g) { g.movd(X::Xmm(x), xd(d)); },
                     [&](A& a) { a.movd(x86::Xmm(x), aq(d).cvt32()); });
      bad += e.check("movd r,x" + rx, [&](X::CodeGenerator& g) { g.movd(xd(d), X::Xmm(x)); },
                     [&](A& a) { a.movd(aq(d).cvt32(), x86::Xmm(x)); });
      bad += e.check("movq r,x" + rx, [&](X::CodeGenerator& g) { g.movq(xq(d), X::Xmm(x)); },
                     [&](A& a) { a.movq(aq(d), x86::Xmm(x)); });
    }
  }
  for (int x = 0; x < 2; ++x)
    for (int y = 0; y < 2; ++y) {
      const std::string xy = " xmm" + std::to_string(x) + ",xmm" + std::to_string(y);
#define XX(name)                                                                                  \
  bad += e.check(#name + xy, [&](X::CodeGenerator& g) { g.name(X::Xmm(x), X::Xmm(y)); },         \
                 [&](A& a) { a.name(x86::Xmm(x), x86::Xmm(y)); });
      XX(sqrtsd) XX(addss) XX(subss) XX(mulss) XX(divss) XX(sqrtss) XX(ucomiss) XX(ucomisd) XX(comiss)
      XX(comisd) XX(cvtss2sd)
#undef XX
    }
  bad += e.check("cqo", [](X::CodeGenerator& g) { g.cqo(); }, [](A& a) { a.cqo(); });
  bad += e.check("cdq", [](X::CodeGenerator& g) { g.cdq(); }, [](A& a) { a.cdq(); });
  EXPECT_EQ(bad, 0);
  EXPECT_GT(e.checked(), 10000u);
}

TEST(TranslatorX86Asm, MemoryFormsMatchXbyak) {
  Encoder e;
  int bad = 0;
  for (const MemCase& m : mem_cases()) {
    const std::string mn = " " + m.name();
    for (int r = 0; r < 16; r += (m.index >= 0 ? 5 : 1)) {
      const std::string rn = mn + ",r" + std::to_string(r);
      bad += e.check("mov r,m" + rn, [&](X::CodeGenerator& g) { g.mov(xq(r), g.qword[m.x()]); },
                     [&](A& a) { a.mov(aq(r), A::qword[m.a()]); });
      bad += e.check("mov r32,m" + rn, [&](X::CodeGenerator& g) { g.mov(xd(r), g.dword[m.x()]); },
                     [&](A& a) { a.mov(aq(r).cvt32(), A::dword[m.a()]); });
      bad += e.check("mov m,r" + rn, [&](X::CodeGenerator& g) { g.mov(g.qword[m.x()], xq(r)); },
                     [&](A& a) { a.mov(A::qword[m.a()], aq(r)); });
      bad += e.check("mov ptr,r" + rn, [&](X::CodeGenerator& g) { g.mov(g.ptr[m.x()], xq(r)); },
                     [&](A& a) { a.mov(A::ptr[m.a()], aq(r)); });
      bad += e.check("mov m32,r" + rn, [&](X::CodeGenerator& g) { g.mov(g.dword[m.x()], xd(r)); },
                     [&](A& a) { a.mov(A::dword[m.a()], aq(r).cvt32()); });
      bad += e.check("mov m16,r" + rn, [&](X::CodeGenerator& g) { g.mov(g.word[m.x()], xw(r)); },
                     [&](A& a) { a.mov(A::word[m.a()], aq(r).cvt16()); });
      bad += e.check("mov m8,r" + rn, [&](X::CodeGenerator& g) { g.mov(g.byte[m.x()], xb(r)); },
                     [&](A& a) { a.mov(A::byte[m.a()], aq(r).cvt8()); });
      bad += e.check("lea" + rn, [&](X::CodeGenerator& g) { g.lea(xq(r), g.ptr[m.x()]); },
                     [&](A& a) { a.lea(aq(r), A::ptr[m.a()]); });
      bad += e.check("lea32" + rn, [&](X::CodeGenerator& g) { g.lea(xd(r), g.ptr[m.x()]); },
                     [&](A& a) { a.lea(aq(r).cvt32(), A::ptr[m.a()]); });
      bad += e.check("cmp r,m" + rn, [&](X::CodeGenerator& g) { g.cmp(xq(r), g.ptr[m.x()]); },
                     [&](A& a) { a.cmp(aq(r), A::ptr[m.a()]); });
      bad += e.check("add r,m" + rn, [&](X::CodeGenerator& g) { g.add(xq(r), g.ptr[m.x()]); },
                     [&](A& a) { a.add(aq(r), A::ptr[m.a()]); });
      bad += e.check("movsxd r,m" + rn, [&](X::CodeGenerator& g) { g.movsxd(xq(r), g.dword[m.x()]); },
                     [&](A& a) { a.movsxd(aq(r), A::dword[m.a()]); });
      bad += e.check("movsx r,m8" + rn, [&](X::CodeGenerator& g) { g.movsx(xq(r), g.byte[m.x()]); },
                     [&](A& a) { a.movsx(aq(r), A::byte[m.a()]); });
      bad += e.check("movsx r,m16" + rn, [&](X::CodeGenerator& g) { g.movsx(xq(r), g.word[m.x()]); },
                     [&](A& a) { a.movsx(aq(r), A::word[m.a()]); });
      bad += e.check("movzx r32,m8" + rn, [&](X::CodeGenerator& g) { g.movzx(xd(r), g.byte[m.x()]); },
                     [&](A& a) { a.movzx(aq(r).cvt32(), A::byte[m.a()]); });
      bad += e.check("movzx r32,m16" + rn, [&](X::CodeGenerator& g) { g.movzx(xd(r), g.word[m.x()]); },
                     [&](A& a) { a.movzx(aq(r).cvt32(), A::word[m.a()]); });
    }
    for (uint64_t imm : {0ull, 1ull, 0x80ull, 0x7fffffffull, ~0ull}) {
      const std::string in = mn + "," + std::to_string(imm);
      bad += e.check("mov m64,imm" + in, [&](X::CodeGenerator& g) { g.mov(g.qword[m.x()], imm); },
                     [&](A& a) { a.mov(A::qword[m.a()], imm); });
      bad += e.check("mov m32,imm" + in, [&](X::CodeGenerator& g) { g.mov(g.dword[m.x()], imm & 0xffffffff); },
                     [&](A& a) { a.mov(A::dword[m.a()], imm & 0xffffffff); });
      bad += e.check("mov m16,imm" + in, [&](X::CodeGenerator& g) { g.mov(g.word[m.x()], imm & 0xffff); },
                     [&](A& a) { a.mov(A::word[m.a()], imm & 0xffff); });
      bad += e.check("mov m8,imm" + in, [&](X::CodeGenerator& g) { g.mov(g.byte[m.x()], imm & 0xff); },
                     [&](A& a) { a.mov(A::byte[m.a()], imm & 0xff); });
      const uint32_t i32 = static_cast<uint32_t>(imm);
      bad += e.check("or m64,imm" + in, [&](X::CodeGenerator& g) { g.or_(g.qword[m.x()], i32); },
                     [&](A& a) { a.or_(A::qword[m.a()], i32); });
      bad += e.check("and m32,imm" + in, [&](X::CodeGenerator& g) { g.and_(g.dword[m.x()], i32); },
                     [&](A& a) { a.and_(A::dword[m.a()], i32); });
      bad += e.check("cmp m8,imm" + in, [&](X::CodeGenerator& g) { g.cmp(g.byte[m.x()], i32 & 0xff); },
                     [&](A& a) { a.cmp(A::byte[m.a()], i32 & 0xff); });
    }
    for (int x = 0; x < 2; ++x) {
      const std::string xn = mn + ",xmm" + std::to_string(x);
#define XM(name)                                                                                  \
  bad += e.check(#name + xn, [&](X::CodeGenerator& g) { g.name(X::Xmm(x), g.qword[m.x()]); },    \
                 [&](A& a) { a.name(x86::Xmm(x), A::qword[m.a()]); });
      XM(movsd) XM(addsd) XM(subsd) XM(mulsd) XM(divsd) XM(cvtsd2ss)
#undef XM
      bad += e.check("movsd m,x" + xn, [&](X::CodeGenerator& g) { g.movsd(g.qword[m.x()], X::Xmm(x)); },
                     [&](A& a) { a.movsd(A::qword[m.a()], x86::Xmm(x)); });
    }
    bad += e.check("call" + mn, [&](X::CodeGenerator& g) { g.call(g.ptr[m.x()]); },
                   [&](A& a) { a.call(A::ptr[m.a()]); });
    bad += e.check("ldmxcsr" + mn, [&](X::CodeGenerator& g) { g.ldmxcsr(g.dword[m.x()]); },
                   [&](A& a) { a.ldmxcsr(A::dword[m.a()]); });
    bad += e.check("stmxcsr" + mn, [&](X::CodeGenerator& g) { g.stmxcsr(g.dword[m.x()]); },
                   [&](A& a) { a.stmxcsr(A::dword[m.a()]); });
  }
  EXPECT_EQ(bad, 0);
  EXPECT_GT(e.checked(), 20000u);
}

// rip-relative operands (with and without an immediate after the displacement) and
// absolute jumps, to targets before and after the code.
TEST(TranslatorX86Asm, RipRelativeAndAbsoluteTargetsMatchXbyak) {
  Encoder e;
  int bad = 0;
  for (int64_t off : {-0x7000, -200, -1, 0, 3, 100, 0x7000}) {
    const uint8_t* t = e.at() + off;
    const std::string tn = " " + std::to_string(off);
    bad += e.check("call [rip]" + tn, [&](X::CodeGenerator& g) { g.call(g.ptr[g.rip + t]); },
                   [&](A& a) { a.call(A::ptr[A::rip + t]); });
    bad += e.check("mov r32,[rip]" + tn, [&](X::CodeGenerator& g) { g.mov(X::util::ecx, g.ptr[g.rip + t]); },
                   [&](A& a) { a.mov(x86::ecx, A::ptr[A::rip + t]); });
    bad += e.check("mov [rip],r32" + tn, [&](X::CodeGenerator& g) { g.mov(g.ptr[g.rip + t], X::util::ecx); },
                   [&](A& a) { a.mov(A::ptr[A::rip + t], x86::ecx); });
    bad += e.check("lea [rip]" + tn, [&](X::CodeGenerator& g) { g.lea(X::util::rsi, g.ptr[g.rip + t]); },
                   [&](A& a) { a.lea(x86::rsi, A::ptr[A::rip + t]); });
    bad += e.check("mov dword[rip],imm" + tn, [&](X::CodeGenerator& g) { g.mov(g.dword[g.rip + t], 77u); },
                   [&](A& a) { a.mov(A::dword[A::rip + t], 77u); });
    bad += e.check("mov byte[rip],imm" + tn, [&](X::CodeGenerator& g) { g.mov(g.byte[g.rip + t], 1); },
                   [&](A& a) { a.mov(A::byte[A::rip + t], 1); });
    bad += e.check("cmp byte[rip],imm" + tn, [&](X::CodeGenerator& g) { g.cmp(g.byte[g.rip + t], 0); },
                   [&](A& a) { a.cmp(A::byte[A::rip + t], 0); });
    bad += e.check("or dword[rip],imm" + tn, [&](X::CodeGenerator& g) { g.or_(g.dword[g.rip + t], 3 << 13); },
                   [&](A& a) { a.or_(A::dword[A::rip + t], 3 << 13); });
    bad += e.check("and dword[rip],imm" + tn,
                   [&](X::CodeGenerator& g) { g.and_(g.dword[g.rip + t], ~(3u << 13)); },
                   [&](A& a) { a.and_(A::dword[A::rip + t], ~(3u << 13)); });
    bad += e.check("ldmxcsr [rip]" + tn, [&](X::CodeGenerator& g) { g.ldmxcsr(g.dword[g.rip + t]); },
                   [&](A& a) { a.ldmxcsr(A::dword[A::rip + t]); });
    bad += e.check("jmp abs" + tn, [&](X::CodeGenerator& g) { g.jmp(t, X::CodeGenerator::T_NEAR); },
                   [&](A& a) { a.jmp(t); });
  }
  EXPECT_EQ(bad, 0);
}

// Jumps to labels: forward short (T_AUTO) and near, backward at both distances, several
// jumps to one label.
TEST(TranslatorX86Asm, LabelJumpsMatchXbyak) {
  Encoder e;
  int bad = 0;
  for (int gap : {0, 1, 60, 120, 125, 126, 127, 130, 300}) {
    const std::string gn = " gap " + std::to_string(gap);
    auto pad_x = [gap](X::CodeGenerator& g) {
      for (int k = 0; k < gap; ++k) g.db(0x90);
    };
    auto pad_a = [gap](A& a) {
      for (int k = 0; k < gap; ++k) a.db(0x90);
    };
    if (gap <= 120) {
      bad += e.check("forward short" + gn,
                     [&](X::CodeGenerator& g) {
                       X::Label l;
                       g.jz(l);
                       g.jmp(l);
                       pad_x(g);
                       g.L(l);
                       g.ret();
                     },
                     [&](A& a) {
                       x86::Label l;
                       a.jz(l);
                       a.jmp(l);
                       pad_a(a);
                       a.L(l);
                       a.db(0xC3);
                     });
    }
    bad += e.check("forward near" + gn,
                   [&](X::CodeGenerator& g) {
                     X::Label l;
                     g.jb(l, X::CodeGenerator::T_NEAR);
                     g.jae(l, X::CodeGenerator::T_NEAR);
                     g.jne(l, X::CodeGenerator::T_NEAR);
                     pad_x(g);
                     g.jmp(l, X::CodeGenerator::T_NEAR);
                     g.L(l);
                   },
                   [&](A& a) {
                     x86::Label l;
                     a.jb(l, A::T_NEAR);
                     a.jae(l, A::T_NEAR);
                     a.jne(l, A::T_NEAR);
                     pad_a(a);
                     a.jmp(l, A::T_NEAR);
                     a.L(l);
                   });
    bad += e.check("backward" + gn,
                   [&](X::CodeGenerator& g) {
                     X::Label l;
                     g.L(l);
                     pad_x(g);
                     g.jmp(l, X::CodeGenerator::T_NEAR);
                     g.jl(l);
                     g.jp(l);
                     g.jge(l);
                   },
                   [&](A& a) {
                     x86::Label l;
                     a.L(l);
                     pad_a(a);
                     a.jmp(l, A::T_NEAR);
                     a.jl(l);
                     a.jp(l);
                     a.jge(l);
                   });
  }
  EXPECT_EQ(bad, 0);
}

}  // namespace
}  // namespace vp::cpu
