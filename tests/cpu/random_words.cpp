// Random test input for the hart, deterministic per seed:
//   cpu_random_words SEED N            N random 32-bit words as `.word` lines (code that
//                                      mostly traps; programs/random.S runs it in U-mode)
//   cpu_random_words --program SEED N  a random but valid program of N chunks, the body of
//                                      programs/random_program.S: integer, M, A, F/D
//                                      instructions on random registers, loads and stores
//                                      (aligned and misaligned) into a data page, forward
//                                      branches, counted loops, calls, CSR accesses,
//                                      rounding-mode changes and traps (ecall, ebreak,
//                                      illegal, access faults) that the handler skips.
// Programs always end: branches only go forward, loops count down tp. The lock-step
// tests (cpu.lockstep.random_program_*) compare translated code with the interpreter.
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;  // xorshift64
    return s;
  }
  unsigned below(unsigned n) { return static_cast<unsigned>(next() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }
  template <size_t N>
  const char* pick(const char* const (&a)[N]) { return a[below(N)]; }
};

void random_words(uint64_t seed, unsigned n) {
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (unsigned i = 0; i < n; ++i) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;  // xorshift64
    uint32_t w = static_cast<uint32_t>(s >> 16);
    // Half of the words get a valid 32-bit major opcode so that more of them decode.
    if (i & 1) w |= 3;
    std::printf("  .word 0x%08x\n", w);
  }
}

// Registers the random code may write: not zero, ra (calls), sp, gp (test number),
// tp (loop counter), s0 (data page), t6 (address scratch).
const unsigned kWritable[] = {5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
                              19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30};

class Program {
 public:
  Program(uint64_t seed, unsigned chunks) : r_(seed), chunks_(chunks) {}

  void emit() {
    // Random initial register values and FP values from the data page.
    for (unsigned x : kWritable) line("li %s, 0x%llx", xn(x), static_cast<unsigned long long>(value()));
    for (unsigned f = 0; f < 32; ++f) line("fld f%u, %u(s0)", f, 8 * r_.below(256));
    for (unsigned i = 0; i < chunks_; ++i) chunk(false);
    line("j random_done");
    for (unsigned k = 0; k < kFunctions; ++k) {  // leaf functions called by `call`
      std::printf("random_fn%u:\n", k);
      for (unsigned i = 0, n = 1 + r_.below(4); i < n; ++i) alu();
      line("ret");
    }
    std::printf("random_done:\n");
    line("j random_pass");
    // The data page: random doublewords (also the FP registers' first values).
    std::printf("  .data\n  .align 12\nrandom_data:\n");
    for (unsigned i = 0; i < 512; ++i) line(".dword 0x%016llx", static_cast<unsigned long long>(value()));
  }

 private:
  static constexpr unsigned kFunctions = 4;
  static const char* xn(unsigned r) {
    static const char* const n[32] = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
                                      "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
                                      "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
    return n[r];
  }
  void line(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
    va_list ap;
    va_start(ap, fmt);
    std::printf("  ");
    std::vprintf(fmt, ap);
    std::printf("\n");
    va_end(ap);
  }
  uint64_t value() {
    switch (r_.below(6)) {
      case 0: return r_.below(16);
      case 1: return ~0ull - r_.below(16);
      case 2: return 1ull << r_.below(64);
      case 3: return 0x8000000000000000ull + r_.below(4);
      case 4: return static_cast<uint64_t>(static_cast<int32_t>(r_.next()));
      default: return r_.next();
    }
  }
  const char* rd() { return xn(kWritable[r_.below(sizeof kWritable / sizeof kWritable[0])]); }
  const char* rs() { return xn(r_.below(32)); }
  unsigned fr() { return r_.below(32); }
  const char* rm() {
    static const char* const m[] = {"", ", rne", ", rtz", ", rdn", ", rup", ", rmm", ", dyn"};
    return m[r_.below(7)];
  }

  void alu() {
    static const char* const rr[] = {"add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and",
                                     "addw", "subw", "sllw", "srlw", "sraw", "mul", "mulh", "mulhsu",
                                     "mulhu", "div", "divu", "rem", "remu", "mulw", "divw", "divuw",
                                     "remw", "remuw"};
    static const char* const ri[] = {"addi", "slti", "sltiu", "xori", "ori", "andi", "addiw"};
    static const char* const sh[] = {"slli", "srli", "srai"};
    static const char* const shw[] = {"slliw", "srliw", "sraiw"};
    switch (r_.below(6)) {
      case 0: case 1: line("%s %s, %s, %s", r_.pick(rr), rd(), rs(), rs()); break;
      case 2: line("%s %s, %s, %d", r_.pick(ri), rd(), rs(), static_cast<int>(r_.below(4096)) - 2048); break;
      case 3: line("%s %s, %s, %u", r_.pick(sh), rd(), rs(), r_.below(64)); break;
      case 4: line("%s %s, %s, %u", r_.pick(shw), rd(), rs(), r_.below(32)); break;
      default:
        if (r_.chance(50))
          line("lui %s, 0x%x", rd(), r_.below(1u << 20));
        else
          line("auipc %s, 0x%x", rd(), r_.below(1u << 20));
        break;
    }
  }

  // t6 = s0 + (reg & 0xff8) + misalignment: an address in the data page.
  void address(unsigned align) {
    line("andi t6, %s, 0x7f8", rs());
    line("add t6, t6, s0");
    if (align > 1 && r_.chance(15)) line("addi t6, t6, %u", 1 + r_.below(align - 1));  // misaligned
  }

  void memory() {
    static const char* const loads[] = {"lb", "lh", "lw", "ld", "lbu", "lhu", "lwu"};
    static const unsigned lsize[] = {1, 2, 4, 8, 1, 2, 4};
    static const char* const stores[] = {"sb", "sh", "sw", "sd"};
    const unsigned k = r_.below(10);
    if (k < 4) {
      const unsigned i = r_.below(7);
      address(lsize[i]);
      line("%s %s, %d(t6)", loads[i], rd(), static_cast<int>(r_.below(8)) * static_cast<int>(lsize[i]));
    } else if (k < 7) {
      const unsigned i = r_.below(4);
      address(1u << i);
      line("%s %s, %u(t6)", stores[i], rs(), r_.below(8) << i);
    } else if (k < 9) {
      address(8);
      if (r_.chance(50))
        line("%s f%u, 0(t6)", r_.chance(50) ? "fld" : "flw", fr());
      else
        line("%s f%u, 8(t6)", r_.chance(50) ? "fsd" : "fsw", fr());
    } else {  // atomics on an aligned doubleword
      static const char* const amo[] = {"amoswap", "amoadd", "amoxor", "amoand", "amoor",
                                        "amomin", "amomax", "amominu", "amomaxu"};
      line("andi t6, %s, 0x7f8", rs());
      line("add t6, t6, s0");
      const char* w = r_.chance(50) ? ".w" : ".d";
      switch (r_.below(3)) {
        case 0: line("%s%s %s, %s, (t6)", r_.pick(amo), w, rd(), rs()); break;
        case 1: line("lr%s %s, (t6)", w, rd()); break;
        default: line("sc%s %s, %s, (t6)", w, rd(), rs()); break;
      }
    }
  }

  void fp() {
    static const char* const arith[] = {"fadd", "fsub", "fmul", "fdiv"};
    static const char* const sgn[] = {"fsgnj", "fsgnjn", "fsgnjx", "fmin", "fmax"};
    static const char* const cmp[] = {"feq", "flt", "fle"};
    static const char* const fma[] = {"fmadd", "fmsub", "fnmsub", "fnmadd"};
    const char* w = r_.chance(50) ? ".d" : ".s";
    switch (r_.below(11)) {
      case 0: case 1: case 2: line("%s%s f%u, f%u, f%u%s", r_.pick(arith), w, fr(), fr(), fr(), rm()); break;
      case 3: line("fsqrt%s f%u, f%u%s", w, fr(), fr(), rm()); break;
      case 4: line("%s%s f%u, f%u, f%u", r_.pick(sgn), w, fr(), fr(), fr()); break;
      case 5: line("%s%s %s, f%u, f%u", r_.pick(cmp), w, rd(), fr(), fr()); break;
      case 6: line("%s%s f%u, f%u, f%u, f%u%s", r_.pick(fma), w, fr(), fr(), fr(), fr(), rm()); break;
      case 7: {
        static const char* const to_int[] = {"w", "wu", "l", "lu"};
        if (r_.chance(50))
          line("fcvt.%s%s %s, f%u%s", r_.pick(to_int), w, rd(), fr(), rm());
        else if (const char* from = r_.pick(to_int); w[1] == 'd' && from[0] == 'w')
          line("fcvt%s.%s f%u, %s", w, from, fr(), rs());  // exact: no rounding mode
        else
          line("fcvt%s.%s f%u, %s%s", w, from, fr(), rs(), rm());
        break;
      }
      case 8:
        if (r_.chance(50))
          line("fcvt.s.d f%u, f%u%s", fr(), fr(), rm());
        else
          line("fcvt.d.s f%u, f%u", fr(), fr());
        break;
      case 9: {
        switch (r_.below(5)) {
          case 0: line("fmv.x.d %s, f%u", rd(), fr()); break;
          case 1: line("fmv.d.x f%u, %s", fr(), rs()); break;
          case 2: line("fmv.x.w %s, f%u", rd(), fr()); break;
          case 3: line("fmv.w.x f%u, %s", fr(), rs()); break;
          default: line("fclass%s %s, f%u", w, rd(), fr()); break;
        }
        break;
      }
      default:  // rounding mode and flags
        switch (r_.below(3)) {
          case 0: line("fsrmi %s, %u", rd(), r_.below(5)); break;
          case 1: line("frflags %s", rd()); break;
          default: line("fsflags %s", rs()); break;
        }
        break;
    }
  }

  void system() {
    switch (r_.below(8)) {
      case 0: line("ecall"); break;
      case 1: line("ebreak"); break;
      case 2: line(".word 0xffffffff"); break;            // illegal
      case 3: line("ld %s, 0(zero)", rd()); break;        // access fault (no memory at 0)
      case 4: line("csrr %s, minstret", rd()); break;
      case 5: line("csrr %s, mcycle", rd()); break;
      case 6: line("csrw sscratch, %s", rs()); break;  // (mscratch belongs to the handler)
      default: line("csrr %s, sscratch", rd()); break;
    }
  }

  void chunk(bool in_loop) {
    const unsigned k = r_.below(100);
    if (k < 40) {
      alu();
    } else if (k < 62) {
      memory();
    } else if (k < 80) {
      fp();
    } else if (k < 86) {
      system();
    } else if (k < 92) {  // forward branch over a few chunks
      static const char* const br[] = {"beq", "bne", "blt", "bge", "bltu", "bgeu"};
      const unsigned label = next_label_++;
      line("%s %s, %s, 9%uf", r_.pick(br), rs(), rs(), label % 10);
      for (unsigned i = 0, n = r_.below(4); i < n; ++i) alu();
      std::printf("9%u:\n", label % 10);
    } else if (k < 96 && !in_loop) {  // a counted loop
      line("li tp, %u", 2 + r_.below(20));
      std::printf("8:\n");
      for (unsigned i = 0, n = 1 + r_.below(6); i < n; ++i) chunk(true);
      line("addi tp, tp, -1");
      line("bnez tp, 8b");
    } else {
      line("call random_fn%u", r_.below(kFunctions));
    }
  }

  Rng r_;
  unsigned chunks_;
  unsigned next_label_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--program") == 0) {
    const uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 0) : 1;
    const unsigned n = argc > 3 ? static_cast<unsigned>(std::strtoul(argv[3], nullptr, 0)) : 1000;
    Program(seed, n).emit();
    return 0;
  }
  const uint64_t seed = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 1;
  const unsigned n = argc > 2 ? static_cast<unsigned>(std::strtoul(argv[2], nullptr, 0)) : 4096;
  random_words(seed, n);
  return 0;
}
