// Unit tests of the SystemC-free core: decoder/disassembler, execution on a
// flat machine, code invalidation, DMI invalidation, traps.
#include <gtest/gtest.h>

#include "flat_machine.h"
#include "models/cpu/decoder.h"
#include "models/cpu/pipeline.h"
#include "models/cpu/translator.h"

namespace vp::cpu {
namespace {

constexpr uint32_t kAll = kExtI | kExtM | kExtA | kExtF | kExtD | kExtC | kExtZicsr |
                          kExtZifencei | kExtS | kExtU | kExtZba | kExtZbb | kExtZbs;

std::string dis(uint32_t raw, uint64_t pc = 0x80000000) { return disassemble(decode(raw, kAll), pc); }

TEST(Decoder, Disassembles32BitInstructions) {
  EXPECT_EQ(dis(0x00000297), "auipc t0,0x0");
  EXPECT_EQ(dis(0x02828613), "addi a2,t0,40");
  EXPECT_EQ(dis(0xf1402573), "csrr a0,0xf14");
  EXPECT_EQ(dis(0x0202b583), "ld a1,32(t0)");
  EXPECT_EQ(dis(0x00028067), "jr t0");
  EXPECT_EQ(dis(0x00008067), "ret");
  EXPECT_EQ(dis(0x00000013), "nop");
  EXPECT_EQ(dis(0x0020f1d3), "fadd.s ft3,ft1,ft2");
  EXPECT_EQ(dis(0x100525af), "lr.w a1,(a0)");
  EXPECT_EQ(dis(0x20a5a5b3), "sh1add a1,a1,a0");
  EXPECT_EQ(dis(0x6b855513), "rev8 a0,a0");
  EXPECT_EQ(dis(0xfe0008e3, 0x80000010), "beq zero,zero,80000000");
}

TEST(Decoder, ExpandsCompressed) {
  EXPECT_EQ(dis(0x4501), "li a0,0");          // c.li
  EXPECT_EQ(dis(0x8082), "ret");              // c.jr ra
  EXPECT_EQ(dis(0x6008), "ld a0,0(s0)");      // c.ld
  EXPECT_EQ(dis(0x1141), "addi sp,sp,-16");   // c.addi16sp? (c.addi sp)
  EXPECT_EQ(dis(0x0000), "unknown (0x0000)"); // c.unimp
  EXPECT_EQ(decode(0x4501, kAll).len, 2);
  // Every 16-bit pattern decodes without crashing; reserved ones are illegal.
  for (uint32_t c = 0; c < 0x10000; ++c) {
    if ((c & 3) == 3) continue;
    Insn in = decode(c, kAll);
    EXPECT_EQ(in.len, 2);
    (void)disassemble(in, 0);
  }
}

TEST(Decoder, ExtensionsGateDecoding) {
  EXPECT_EQ(decode(0x20a5a5b3, kAll & ~kExtZba).op, Op::ILLEGAL);
  EXPECT_EQ(decode(0x4501, kAll & ~kExtC).op, Op::ILLEGAL);
  EXPECT_EQ(decode(0x0020f1d3, kAll & ~(kExtF | kExtD)).op, Op::ILLEGAL);
  EXPECT_EQ(decode(0x02b50533, kAll & ~kExtM).op, Op::ILLEGAL);  // mul
  EXPECT_EQ(decode(0x02b50533, kAll).op, Op::MUL);
}

// addi a0,a0,1 ; addi a1,a1,-1 ; bnez a1,-8 ; ebreak-free HTIF exit through tohost.
TEST(Core, RunsALoopAndCountsInstructions) {
  test::FlatMachine m;
  m.load_words(0x80000000, {
      0x00150513,  // addi a0,a0,1
      0xfff58593,  // addi a1,a1,-1
      0xfe059ce3,  // bnez a1,-8
      0x0000006f,  // j .
  });
  m.core().set_reg(11, 1000);
  uint64_t done = 0;
  m.core().run(3000, done);
  EXPECT_EQ(m.core().reg(10), 1000u);
  EXPECT_EQ(m.core().pc(), 0x8000000cu);
  EXPECT_EQ(done, 3000u);
  EXPECT_EQ(m.core().instret(), 3000u);
}

TEST(Core, StoreIntoCodeInvalidatesBlocksWithoutFence) {
  test::FlatMachine m;
  // 0: li a0,1 ; 4: sw a1,0(a2) ; 8: j 0  -- the store rewrites insn 0 to li a0,7
  m.load_words(0x80000000, {0x00100513, 0x00b62023, 0xff9ff06f});
  m.core().set_reg(11, 0x00700513);
  m.core().set_reg(12, 0x80000000);
  uint64_t done = 0;
  m.core().run(4, done);  // li, sw, j, li(new)
  EXPECT_EQ(m.core().reg(10), 7u);
}

// LR/SC through a shared reservation monitor (platform/reservation_monitor.h).
// Two cores on two flat machines share one monitor, as two harts of a platform
// do: the monitor knows physical addresses only, so core B's stores to the page
// stand for another hart's stores to shared memory.
constexpr uint32_t kLrD = 0x100535af;  // lr.d a1,(a0)
constexpr uint32_t kScD = 0x18c5362f;  // sc.d a2,a2,(a0)
constexpr uint32_t kSd = 0x00d53023;   // sd a3,0(a0)
constexpr uint32_t kNop = 0x00000013;

TEST(Core, PublishedReservationSurvivesASwitchWithoutStores) {
  platform::ReservationMonitor monitor;  // outlives the cores attached to it
  test::FlatMachine m;
  m.core().set_reservation_monitor(monitor);
  m.load_words(0x80000000, {kLrD, kNop, kScD, 0x0000006f});
  m.core().set_reg(10, 0x80001000);
  m.core().set_reg(12, 5);
  uint64_t done = 0;
  m.core().run(2, done);          // lr.d, nop
  m.core().share_reservation();  // other harts run now (they store elsewhere)
  EXPECT_TRUE(monitor.page_watched(0x80001));
  monitor.store(platform::ReservationMonitor::kNoHart, 0x80001040, 8);  // the next granule
  m.core().run(1, done);
  EXPECT_EQ(m.core().reg(12), 0u) << "sc.d failed";
  EXPECT_FALSE(monitor.watching());
}

TEST(Core, OldReservationIsDroppedAtASwitch) {
  platform::ReservationMonitor monitor;  // outlives the cores attached to it
  test::FlatMachine m;
  m.core().set_reservation_monitor(monitor);
  std::vector<uint32_t> prog = {kLrD};
  // The LR's age is counted from the end of its pre-decoded block (at most 128
  // instructions), so that a reservation is never dropped early.
  for (uint64_t i = 0; i < Core::kReservationWindow + 129; ++i) prog.push_back(kNop);
  prog.push_back(kScD);
  m.load_words(0x80000000, prog);
  m.core().set_reg(10, 0x80001000);
  uint64_t done = 0;
  m.core().run(prog.size() - 1, done);
  m.core().share_reservation();  // no constrained LR/SC loop is this long
  EXPECT_FALSE(monitor.watching());
  m.core().run(1, done);
  EXPECT_EQ(m.core().reg(12), 1u) << "sc.d succeeded after the reservation was dropped";
}

TEST(Core, AnotherCoresFastPathStoreBreaksAPublishedReservation) {
  platform::ReservationMonitor monitor;  // outlives the cores attached to it
  test::FlatMachine a, b;
  a.core().set_reservation_monitor(monitor);
  b.core().set_reservation_monitor(monitor);
  a.load_words(0x80000000, {kLrD, kScD, 0x0000006f});
  b.load_words(0x80000000, {kSd, kSd, 0x0000006f});
  a.core().set_reg(10, 0x80001008);
  b.core().set_reg(10, 0x80001000);
  uint64_t done = 0;
  b.core().run(1, done);          // B's store fills its DMI store path to the page
  a.core().run(1, done);          // A: lr.d
  a.core().share_reservation();  // A is switched out: B's store path to the page is revoked
  b.core().run(1, done);          // B stores to A's granule again
  a.core().run(1, done);          // A: sc.d must fail
  EXPECT_EQ(a.core().reg(12), 1u) << "sc.d succeeded after another core stored to its granule";
}

TEST(Core, DmiInvalidationDropsDecodedCode) {
  test::FlatMachine m;
  m.load_words(0x80000000, {0x00100513, 0x0000006f});  // li a0,1 ; j .
  uint64_t done = 0;
  m.core().run(2, done);
  EXPECT_EQ(m.core().reg(10), 1u);
  m.load_words(0x80000000, {0x00200513});  // changed behind the core's back (e.g. a DMA)
  m.core().invalidate_dmi(0x80000000, 0x80000fff);
  m.core().set_pc(0x80000000);
  m.core().run(1, done);
  EXPECT_EQ(m.core().reg(10), 2u);
}

TEST(Core, IllegalInstructionTrapsToMtvec) {
  test::FlatMachine m;
  m.load_words(0x80000000, {0xffffffff});
  m.load_words(0x80000100, {0x0000006f});
  uint64_t v;
  m.core().set_reg(5, 0x80000100);
  // csrw mtvec, t0 is easier to express by running it:
  m.load_words(0x80000200, {0x30529073, 0xdfdff06f});  // csrw mtvec,t0 ; j 0x80000000
  m.core().set_pc(0x80000200);
  uint64_t done = 0;
  m.core().run(4, done);
  EXPECT_EQ(m.core().pc(), 0x80000100u);
  ASSERT_TRUE(m.core().peek_csr(0x342, v));
  EXPECT_EQ(v, 2u);
  ASSERT_TRUE(m.core().peek_csr(0x343, v));
  EXPECT_EQ(v, 0xffffffffu);
  ASSERT_TRUE(m.core().peek_csr(0x341, v));
  EXPECT_EQ(v, 0x80000000u);
}

// Priv. spec 3.1.10: mcycle counts clock cycles. In pipeline mode those are the
// timing model's (a divide takes its latency), not retired instructions.
TEST(Core, McycleCountsPipelineCycles) {
  test::FlatMachine m;
  Pipeline timing{PipelineConfig{}};
  m.core().set_timing(&timing);
  m.load_words(0x80000000, {
      0x01400293,  // li t0,20
      0x0252c333,  // div t1,t0,t0
      0xfff28293,  // addi t0,t0,-1
      0xfe029ce3,  // bnez t0,-8
      0x0000006f,  // j .
  });
  uint64_t done = 0, mcycle = 0, cycle = 0, minstret = 0;
  m.core().run(61, done);
  ASSERT_EQ(m.core().pc(), 0x80000010u);
  ASSERT_TRUE(m.core().peek_csr(0xb00, mcycle));
  ASSERT_TRUE(m.core().peek_csr(0xc00, cycle));
  ASSERT_TRUE(m.core().peek_csr(0xb02, minstret));
  EXPECT_EQ(minstret, 61u);
  EXPECT_EQ(mcycle, timing.cycles());
  EXPECT_EQ(cycle, mcycle);
  EXPECT_GE(mcycle, 20u * PipelineConfig{}.div_latency);
}

TEST(Core, BusErrorOnFetchIsAnAccessFault) {
  test::FlatMachine m;
  m.core().set_pc(0x40000000);
  uint64_t done = 0, v = 0;
  m.core().run(1, done);
  ASSERT_TRUE(m.core().peek_csr(0x342, v));
  EXPECT_EQ(v, 1u);
  ASSERT_TRUE(m.core().peek_csr(0x343, v));
  EXPECT_EQ(v, 0x40000000u);
}

TEST(Core, TraceNamesRegisterWritten) {
  test::FlatMachine m;
  m.load_words(0x80000000, {0x02a00513, 0x0000006f});  // li a0,42
  std::ostringstream out;
  m.core().set_trace(&out);
  uint64_t done = 0;
  m.core().run(1, done);
  EXPECT_NE(out.str().find("0x0000000080000000 (0x02a00513) li a0,42"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("a0 0x000000000000002a"), std::string::npos) << out.str();
}

// ---------------------------------------------------------------------------
// The translator (models/cpu/translator/): same results and counts as the interpreter.

CoreConfig translating() {
  CoreConfig c;
  c.translate = true;
  c.translate_after = 1;
  return c;
}

TEST(Translator, CountsEveryInstructionOfAPartialBudget) {
  for (uint64_t budget : {1u, 2u, 3u, 4u, 7u, 2999u, 3000u, 3001u}) {
    test::FlatMachine m(1u << 20, translating());
    if (!m.core().translator()) GTEST_SKIP() << "no translator on this host";
    m.load_words(0x80000000, {0x00150513, 0xfff58593, 0xfe059ce3, 0x0000006f});
    m.core().set_reg(11, 1000);
    uint64_t done = 0;
    m.core().run(budget, done);
    test::FlatMachine ref(1u << 20);
    ref.load_words(0x80000000, {0x00150513, 0xfff58593, 0xfe059ce3, 0x0000006f});
    ref.core().set_reg(11, 1000);
    uint64_t ref_done = 0;
    ref.core().run(budget, ref_done);
    EXPECT_EQ(done, budget);
    EXPECT_EQ(m.core().instret(), ref.core().instret()) << budget;
    EXPECT_EQ(m.core().pc(), ref.core().pc()) << budget;
    EXPECT_EQ(m.core().reg(10), ref.core().reg(10)) << budget;
    EXPECT_EQ(m.core().reg(11), ref.core().reg(11)) << budget;
  }
}

TEST(Translator, ChainsBlocksWithoutReturningToTheDispatcher) {
  test::FlatMachine m(1u << 20, translating());
  if (!m.core().translator()) GTEST_SKIP() << "no translator on this host";
  // a two-block loop: addi a0; j +4 | addi a1,-1; bnez a1, back
  m.load_words(0x80000000, {0x00150513, 0x0040006f, 0xfff58593, 0xfe059ae3, 0x0000006f});
  m.core().set_reg(11, 100000);
  uint64_t done = 0;
  m.core().run(400000, done);
  EXPECT_EQ(m.core().reg(10), 100000u);
  EXPECT_EQ(m.core().reg(11), 0u);
  EXPECT_LT(m.core().translator()->stats().entries, 10u);  // linked jumps, not 200000 lookups
}

// wfi with an interrupt pending and enabled in mie but masked by mstatus.MIE does
// not sleep (translated: the direct helper, no executor); without one it sleeps.
TEST(Translator, WfiWithAPendingInterruptIsANoOp) {
  const std::vector<uint32_t> prog = {
      0x00800293,  // li t0,8
      0x3042a073,  // csrs mie,t0 (MSIE)
      0x10500073,  // 8: wfi
      0x00150513,  // addi a0,a0,1
      0xff9ff06f,  // j 8
  };
  test::FlatMachine m(1u << 20, translating());
  if (!m.core().translator()) GTEST_SKIP() << "no translator on this host";
  test::FlatMachine ref(1u << 20);
  uint64_t done = 0, ref_done = 0;
  for (test::FlatMachine* x : {&m, &ref}) {
    x->load_words(0x80000000, prog);
    x->core().set_irq_line(3, true);  // machine software interrupt pending; mstatus.MIE is 0
  }
  EXPECT_EQ(m.core().run(30002, done), RunExit::kBudget);
  EXPECT_EQ(ref.core().run(30002, ref_done), RunExit::kBudget);
  EXPECT_EQ(m.core().reg(10), 10000u);
  EXPECT_EQ(m.core().reg(10), ref.core().reg(10));
  EXPECT_EQ(m.core().pc(), ref.core().pc());
  EXPECT_EQ(m.core().instret(), ref.core().instret());
  EXPECT_GT(m.core().translator()->stats().wfi_no_sleep, 9000u);
  for (test::FlatMachine* x : {&m, &ref}) x->core().set_irq_line(3, false);
  EXPECT_EQ(m.core().run(100, done), RunExit::kWfi);
  EXPECT_EQ(ref.core().run(100, ref_done), RunExit::kWfi);
  EXPECT_EQ(m.core().instret(), ref.core().instret());
  EXPECT_EQ(m.core().pc(), 0x8000000cu);
}

// OpenSBI's HSM wait: wfi with MSIP pending (masked by mstatus.MIE), a load of the
// flag another hart sets, a silent store (the callee saves s0 again), a branch back.
// One run() call repeats the same state, so the dispatcher counts the laps that fit in
// the budget without running them (skip_spin): every count, register and the point the
// budget ends at must be the interpreter's, for budgets ending anywhere in a lap.
namespace spin {
const std::vector<uint32_t> kHsmWait = {
    0x00800293,  // li t0,8
    0x3042a073,  // csrs mie,t0 (MSIE)
    0x10500073,  // 8: wfi
    0x0004b503,  // ld a0,0(s1)
    0x00813423,  // sd s0,8(sp)
    0xff251ae3,  // bne a0,s2,8
    0x00168693,  // addi a3,a3,1
    0x0000006f,  // j .
};
constexpr uint64_t kFlag = 0x80001000, kStack = 0x80002000;
void setup(test::FlatMachine& x, const std::vector<uint32_t>& prog) {
  x.load_words(0x80000000, prog);
  x.core().set_reg(9, kFlag);     // s1
  x.core().set_reg(18, 2);        // s2: the value awaited
  x.core().set_reg(2, kStack);    // sp
  x.core().set_reg(8, 0x1234);    // s0
  x.core().set_reg(7, kFlag);     // t2
  x.core().set_reg(28, test::FlatMachine::kClintBase + 0xbff8);  // t3: mtime
  x.core().set_irq_line(3, true);  // machine software interrupt pending; mstatus.MIE is 0
}
uint64_t ram64(test::FlatMachine& x, uint64_t a) {
  uint64_t v;
  std::memcpy(&v, &x.ram()[a - test::FlatMachine::kRamBase], 8);
  return v;
}
}  // namespace spin

TEST(Translator, WfiSpinLoopIsSkippedExactly) {
  for (uint64_t budget : {1u, 5u, 9u, 10u, 11u, 200u, 100000u, 100001u, 100002u, 100003u}) {
    test::FlatMachine m(1u << 20, translating());
    if (!m.core().translator()) GTEST_SKIP() << "no translator on this host";
    test::FlatMachine ref(1u << 20);
    spin::setup(m, spin::kHsmWait);
    spin::setup(ref, spin::kHsmWait);
    uint64_t done = 0, ref_done = 0;
    // Two calls: the first translates the loop, the second runs it translated.
    for (int call = 0; call < 2; ++call) {
      EXPECT_EQ(m.core().run(budget, done), RunExit::kBudget);
      EXPECT_EQ(ref.core().run(budget, ref_done), RunExit::kBudget);
      EXPECT_EQ(done, ref_done) << budget;
      EXPECT_EQ(m.core().instret(), ref.core().instret()) << budget;
      EXPECT_EQ(m.core().pc(), ref.core().pc()) << budget;
      for (unsigned r = 1; r < 32; ++r) EXPECT_EQ(m.core().reg(r), ref.core().reg(r)) << budget << " x" << r;
      EXPECT_EQ(spin::ram64(m, spin::kStack + 8), spin::ram64(ref, spin::kStack + 8));
    }
    if (budget == 100001u) {
      EXPECT_GT(m.core().translator()->stats().spin_skipped, 90000u);
    }
    // Another hart sets the flag between two calls: the loop ends at once, as on the interpreter.
    for (test::FlatMachine* x : {&m, &ref}) {
      const uint64_t two = 2;
      x->load(spin::kFlag, &two, 8);
    }
    EXPECT_EQ(m.core().run(20, done), RunExit::kBudget);
    EXPECT_EQ(ref.core().run(20, ref_done), RunExit::kBudget);
    EXPECT_EQ(m.core().instret(), ref.core().instret()) << budget;
    EXPECT_EQ(m.core().pc(), 0x8000001cu) << budget;
    EXPECT_EQ(m.core().reg(13), 1u) << budget;
  }
}

// The same shape of loop, but a store that changes memory (a counter) or a load that
// goes over the bus (mtime) each lap: the registers repeat, the state does not, so
// nothing is skipped and the counter counts every lap.
TEST(Translator, WfiLoopWithSideEffectsIsNotSkipped) {
  const std::vector<uint32_t> counting = {
      0x00800293,  // li t0,8
      0x3042a073,  // csrs mie,t0
      0x10500073,  // 8: wfi
      0x0003a303,  // lw t1,0(t2)
      0x00130313,  // addi t1,t1,1
      0x0063a023,  // sw t1,0(t2)
      0x00000313,  // li t1,0
      0xfedff06f,  // j 8
  };
  const std::vector<uint32_t> bus = {
      0x00800293,  // li t0,8
      0x3042a073,  // csrs mie,t0
      0x10500073,  // 8: wfi
      0x000e3303,  // ld t1,0(t3)
      0x00000313,  // li t1,0
      0xff5ff06f,  // j 8
  };
  for (const auto* prog : {&counting, &bus}) {
    test::FlatMachine m(1u << 20, translating());
    if (!m.core().translator()) GTEST_SKIP() << "no translator on this host";
    test::FlatMachine ref(1u << 20);
    spin::setup(m, *prog);
    spin::setup(ref, *prog);
    uint64_t done = 0, ref_done = 0;
    for (int call = 0; call < 3; ++call) {
      m.core().run(60001, done);
      ref.core().run(60001, ref_done);
    }
    EXPECT_EQ(m.core().instret(), ref.core().instret());
    EXPECT_EQ(m.core().pc(), ref.core().pc());
    EXPECT_EQ(spin::ram64(m, spin::kFlag), spin::ram64(ref, spin::kFlag));
    if (prog == &counting) {
      EXPECT_EQ(spin::ram64(m, spin::kFlag), (3 * 60001 - 2) / 6);
    }
    EXPECT_EQ(m.core().translator()->stats().spin_skipped, 0u);
    EXPECT_GT(m.core().translator()->stats().wfi_no_sleep, 10000u);  // translated, not interpreted
  }
}

// The TLB of the context a trap leaves is kept in a bank and comes back with the
// return (Core::update_xlate_ctx). Whatever invalidates TLB entries must reach the banks.
//
// 1. S mode stores to page X (a write TLB entry), traps; M runs code at X (X becomes a
// code page: write entries to it are revoked), returns; S rewrites that code: the store
// must take the slow path (it drops the stale block), so the second trap's call into X
// runs the new code: s2 = 1 + 2.
TEST(Core, TlbBankOfTheTrappedContextLosesWriteEntriesToNewCode) {
  const std::vector<uint32_t> prog = {
      0x00000297, 0x06428293, 0x30529073,  // la t0, handler; csrw mtvec, t0
      0x00000297, 0x02828293, 0x34129073,  // la t0, s_code; csrw mepc, t0
      0x000012b7, 0x8002829b, 0x3002a073,  // li t0, 0x800; csrs mstatus, t0 (MPP = S)
      0x00040537, 0x0015051b, 0x00d51513,  // li a0, 0x80002000 (X)
      0x30200073,                          // mret
      // s_code (S mode):
      0x00100337, 0x6133031b, 0x00652023,  // li t1, `addi a2, zero, 1`; sw t1, 0(a0)
      0x00008337, 0x0673031b, 0x00652223,  // li t1, `ret`; sw t1, 4(a0)
      0x00000073,                          // ecall
      0x002003b7, 0x6133839b, 0x00752023,  // li t2, `addi a2, zero, 2`; sw t2, 0(a0)
      0x00000073,                          // ecall
      0x0000006f,                          // j .
      // handler (M mode):
      0x000500e7, 0x00c90933,              // jalr a0 (X); add s2, s2, a2
      0x341022f3, 0x00428293, 0x34129073,  // mepc += 4
      0x30200073,                          // mret
  };
  for (const bool jit : {false, true}) {
    CoreConfig cfg = jit ? translating() : CoreConfig{};
    cfg.pmp_entries = 0;  // S mode may access everything
    test::FlatMachine m(1u << 20, cfg);
    m.load_words(0x80000000, prog);
    uint64_t done = 0;
    m.core().run(500, done);
    EXPECT_EQ(m.core().reg(18), 3u) << (jit ? "translated" : "interpreted");
    EXPECT_EQ(m.core().pc(), 0x80000060u);
    EXPECT_EQ(m.core().priv(), Priv::S);
  }
}

// 2. S mode loads from page P (a read TLB entry), traps; M takes read permission on P
// away with PMP (a flush) and returns: the restored context must not keep the entry,
// so the second load faults (mcause 5, mtval P) instead of reading.
TEST(Core, TlbFlushEmptiesTheBanksOfOtherContexts) {
  const std::vector<uint32_t> prog = {
      0xfff00293, 0x3b129073,              // csrw pmpaddr1, -1
      0x000022b7, 0xf002829b, 0x3a029073,  // csrw pmpcfg0, 0x1f00 (entry 1: NAPOT all, RWX)
      0x00000297, 0x04828293, 0x30529073,  // la t0, handler; csrw mtvec, t0
      0x00000297, 0x02828293, 0x34129073,  // la t0, s_code; csrw mepc, t0
      0x000012b7, 0x8002829b, 0x3002a073,  // MPP = S
      0x000805b7, 0x0035859b, 0x00c59593,  // li a1, 0x80003000 (P)
      0x30200073,                          // mret
      // s_code (S mode):
      0x0005b303, 0x00000073,              // ld t1, 0(a1); ecall
      0x0005b303, 0x00100a93,              // ld t1, 0(a1); li s5, 1
      0x0000006f,                          // j .
      // handler (M mode):
      0x342029f3, 0x00900293, 0x02599263,  // s3 = mcause; if (s3 != 9) goto 2f
      0x0025d293, 0x1ff2e293, 0x3b029073,  // pmpaddr0 = NAPOT(P, 4 KiB)
      0x3a0c6073,                          // csrs pmpcfg0, 0x18 (entry 0: no access)
      0x341022f3, 0x00428293, 0x34129073,  // mepc += 4
      0x30200073,                          // mret
      0x34302a73, 0x0000006f,              // 2: s4 = mtval; j .
  };
  for (const bool jit : {false, true}) {
    test::FlatMachine m(1u << 20, jit ? translating() : CoreConfig{});
    m.load_words(0x80000000, prog);
    uint64_t done = 0;
    m.core().run(500, done);
    EXPECT_EQ(m.core().reg(19), 5u) << (jit ? "translated" : "interpreted");  // load access fault
    EXPECT_EQ(m.core().reg(20), 0x80003000u);
    EXPECT_EQ(m.core().reg(21), 0u);  // the second load did not complete
    EXPECT_EQ(m.core().priv(), Priv::M);
  }
}

TEST(Translator, StoreIntoTranslatedCodeTakesEffect) {
  test::FlatMachine m(1u << 20, translating());
  if (!m.core().translator()) GTEST_SKIP() << "no translator on this host";
  m.load_words(0x80000000, {0x00100513, 0x00b62023, 0xff9ff06f});
  m.core().set_reg(11, 0x00700513);
  m.core().set_reg(12, 0x80000000);
  uint64_t done = 0;
  m.core().run(4, done);  // li, sw (rewrites the li), j, li (new)
  EXPECT_EQ(m.core().reg(10), 7u);
}

TEST(Translator, DmiInvalidationDropsTranslations) {
  test::FlatMachine m(1u << 20, translating());
  if (!m.core().translator()) GTEST_SKIP() << "no translator on this host";
  m.load_words(0x80000000, {0x00100513, 0x0000006f});
  uint64_t done = 0;
  m.core().run(2, done);
  EXPECT_EQ(m.core().reg(10), 1u);
  m.load_words(0x80000000, {0x00200513});
  m.core().invalidate_dmi(0x80000000, 0x80000fff);
  m.core().set_pc(0x80000000);
  m.core().run(1, done);
  EXPECT_EQ(m.core().reg(10), 2u);
}

TEST(Translator, TrapsAtTheFaultingInstructionWithExactCounts) {
  test::FlatMachine m(1u << 20, translating());
  if (!m.core().translator()) GTEST_SKIP() << "no translator on this host";
  // li a0,1 ; li a1,2 ; ld a2,0(zero) (access fault) ; li a3,3
  m.load_words(0x80000000, {0x00100513, 0x00200593, 0x00003603, 0x00300693});
  m.load_words(0x80000100, {0x0000006f});
  m.core().set_reg(5, 0x80000100);
  m.load_words(0x80000200, {0x30529073, 0xdfdff06f});  // csrw mtvec,t0 ; j 0x80000000
  m.core().set_pc(0x80000200);
  uint64_t done = 0, v = 0;
  m.core().run(6, done);
  EXPECT_EQ(done, 6u);                 // csrw, j, li, li, ld (trapped), j . at the handler
  EXPECT_EQ(m.core().instret(), 5u);   // the trapping load does not retire
  EXPECT_EQ(m.core().reg(11), 2u);
  EXPECT_EQ(m.core().reg(13), 0u);
  ASSERT_TRUE(m.core().peek_csr(0x341, v));
  EXPECT_EQ(v, 0x80000008u);
  ASSERT_TRUE(m.core().peek_csr(0x342, v));
  EXPECT_EQ(v, 5u);
}

TEST(Lockstep, ReportsTheFirstDifferingInstruction) {
  std::ostringstream report;
  test::FlatMachine m(1u << 20, {}, /*lockstep=*/true, report);
  // ld a0,0(a1) ; addi a2,a2,1 ; j 0
  m.load_words(0x80000000, {0x0005b503, 0x00160613, 0xff9ff06f});
  m.load_words(0x80001000, {42});
  m.core().set_reg(11, 0x80001000);
  EXPECT_EQ(m.run(30), 124);  // in step
  EXPECT_FALSE(m.lockstep()->diverged());
  // The interpreter's memory copy changes behind its back: the next load differs.
  const uint64_t other = 43;
  m.lockstep()->shadow().phys_write(0x80001000, &other, 8);
  EXPECT_EQ(m.run(30), 3);
  EXPECT_TRUE(m.lockstep()->diverged());
  EXPECT_NE(report.str().find("a0"), std::string::npos) << report.str();
  EXPECT_NE(report.str().find(">> 0x0000000080000000: ld a0,0(a1)"), std::string::npos) << report.str();
}

}  // namespace
}  // namespace vp::cpu
