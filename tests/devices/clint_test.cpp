// CLINT driven at register level: mtime follows SystemC time, mtip rises at
// exactly the time mtime reaches mtimecmp.
#include "models/devices/clint.h"

#include <gtest/gtest.h>

#include "platform/time_counter.h"
#include "tests/devices/sc_test_main.h"
#include "tests/support/test_initiator.h"

using namespace sc_core;
using vp::dev::Clint;
using vp::dev::ClintConfig;
using vp::platform::IrqIn;
using vp::test::make;
using vp::test::TestInitiator;

namespace {

constexpr uint64_t msip(unsigned h) { return 4 * h; }
constexpr uint64_t mtimecmp(unsigned h) { return 0x4000 + 8 * h; }
constexpr uint64_t kMtime = 0xbff8;

struct Bench {
  Clint& clint;
  TestInitiator& cpu;
  std::vector<IrqIn> mtip, msip;
  sc_time rise_time = SC_ZERO_TIME;  // when mtip[0] last rose

  explicit Bench(ClintConfig config = {})
      : clint(make<Clint>("clint", config)), cpu(make<TestInitiator>("cpu")), mtip(config.harts),
        msip(config.harts) {
    cpu.socket.bind(clint.socket);
    for (unsigned h = 0; h < config.harts; ++h) {
      clint.irq_out("mtip", int(h))->bind(mtip[h]);
      clint.irq_out("msip", int(h))->bind(msip[h]);
    }
    mtip[0].on_change([this](bool level) {
      if (level) rise_time = sc_time_stamp();
    });
    sc_start(SC_ZERO_TIME);
  }
};

TEST(Clint, MtimeFollowsSimulationTime) {
  Bench b;  // 10 MHz: one tick per 100ns
  EXPECT_EQ(b.cpu.read<uint64_t>(kMtime), 0u);
  sc_start(1, SC_MS);
  b.cpu.delay = SC_ZERO_TIME;
  EXPECT_EQ(b.cpu.read<uint64_t>(kMtime), 10'000u);
  // The initiator's annotated delay (10ns latency of the first read + 1us) counts.
  b.cpu.delay = sc_time(1, SC_US);
  EXPECT_EQ(b.cpu.read<uint64_t>(kMtime), 10'010u);
  EXPECT_EQ(b.cpu.delay, sc_time(1010, SC_NS));
  b.cpu.delay = sc_time(99, SC_NS);
  EXPECT_EQ(b.cpu.read<uint64_t>(kMtime), 10'000u);  // not yet a full tick
}

TEST(Clint, MtimecmpResetValue) {
  Bench b;
  EXPECT_EQ(b.cpu.read<uint64_t>(mtimecmp(0)), ~uint64_t(0));
  EXPECT_EQ(b.cpu.read32(mtimecmp(0)), 0xffffffffu);
  EXPECT_EQ(b.cpu.read32(mtimecmp(0) + 4), 0xffffffffu);
  EXPECT_FALSE(b.mtip[0].level());
}

TEST(Clint, MtipRisesExactlyAtMtimecmp) {
  Bench b;
  b.cpu.write<uint64_t>(mtimecmp(0), 12'345);  // 1.2345 ms at 10 MHz
  EXPECT_FALSE(b.mtip[0].level());
  sc_start(1234499, SC_NS);
  EXPECT_FALSE(b.mtip[0].level());
  sc_start(2, SC_NS);
  EXPECT_TRUE(b.mtip[0].level());
  EXPECT_EQ(b.rise_time, sc_time(1'234'500, SC_NS));
  // Moving mtimecmp into the future lowers mtip at once and re-arms the timer.
  b.cpu.delay = SC_ZERO_TIME;
  b.cpu.write<uint64_t>(mtimecmp(0), 20'000);
  EXPECT_FALSE(b.mtip[0].level());
  sc_start(1, SC_MS);
  EXPECT_TRUE(b.mtip[0].level());
  EXPECT_EQ(b.rise_time, sc_time(2, SC_MS));
}

TEST(Clint, MtimecmpInThePastRaisesImmediately) {
  Bench b;
  sc_start(10, SC_US);
  b.cpu.write<uint64_t>(mtimecmp(0), 50);
  EXPECT_TRUE(b.mtip[0].level());
  b.cpu.write<uint64_t>(mtimecmp(0), 101);
  EXPECT_FALSE(b.mtip[0].level());
}

TEST(Clint, WritingMtimeSetsOffset) {
  Bench b;
  sc_start(1, SC_MS);
  b.cpu.delay = SC_ZERO_TIME;
  b.cpu.write<uint64_t>(kMtime, 1'000'000);
  b.cpu.delay = SC_ZERO_TIME;
  EXPECT_EQ(b.cpu.read<uint64_t>(kMtime), 1'000'000u);
  b.cpu.write<uint64_t>(mtimecmp(0), 1'000'100);  // 10us later
  sc_start(9, SC_US);
  EXPECT_FALSE(b.mtip[0].level());
  sc_start(2, SC_US);
  EXPECT_TRUE(b.mtip[0].level());
  EXPECT_EQ(b.rise_time, sc_time(1010, SC_US));
}

TEST(Clint, Msip) {
  ClintConfig config;
  config.harts = 2;
  Bench b(config);
  b.cpu.write32(msip(1), 0xffffffff);
  EXPECT_EQ(b.cpu.read32(msip(1)), 1u);  // bit 0 only
  EXPECT_TRUE(b.msip[1].level());
  EXPECT_FALSE(b.msip[0].level());
  b.cpu.write32(msip(1), 0);
  EXPECT_FALSE(b.msip[1].level());
  b.cpu.write32(msip(5), 1);  // no hart 5: ignored
  EXPECT_EQ(b.cpu.read32(msip(5)), 0u);
  tlm::tlm_response_status status;
  b.cpu.read<uint64_t>(msip(0), &status);
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST(Clint, HalfAndFullWidthAccess) {
  ClintConfig config;
  config.harts = 2;
  Bench b(config);
  b.cpu.write32(mtimecmp(1), 0x89abcdef);
  b.cpu.write32(mtimecmp(1) + 4, 0x01234567);
  EXPECT_EQ(b.cpu.read<uint64_t>(mtimecmp(1)), 0x0123456789abcdefu);
  EXPECT_EQ(b.clint.mtimecmp(1), 0x0123456789abcdefu);
  b.cpu.write<uint64_t>(kMtime, 0x0000000500000007);
  b.cpu.delay = SC_ZERO_TIME;
  EXPECT_EQ(b.cpu.read32(kMtime + 4), 5u);
  EXPECT_EQ(b.cpu.read32(kMtime), 7u);
  tlm::tlm_response_status status;
  b.cpu.read<uint64_t>(mtimecmp(0) + 4, &status);  // misaligned
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  b.cpu.read<uint16_t>(kMtime, &status);
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST(Clint, Timebase) {
  ClintConfig config;
  config.timebase_hz = 1'000'000;  // 1 MHz
  Bench b(config);
  b.cpu.write<uint64_t>(mtimecmp(0), 3);
  sc_start(5, SC_US);
  EXPECT_EQ(b.rise_time, sc_time(3, SC_US));
  b.cpu.delay = SC_ZERO_TIME;
  EXPECT_EQ(b.cpu.read<uint64_t>(kMtime), 5u);
}

// ---- Line-by-line checks against the RISC-V ACLINT specification (MTIMER and
// MSWI in the SiFive CLINT layout: MSWI at 0x0000, MTIMER at 0x4000) ----

// MTIMER: "The machine-level timer interrupt of a HART is pending whenever MTIME
// is greater than or equal to the value in the corresponding MTIMECMP register
// whereas [it] is cleared whenever MTIME is less than" it: writes to MTIME in
// either direction re-evaluate it at once, and the comparison is unsigned.
TEST(ClintSpec, MtipFollowsWritesToMtime) {
  Bench b;
  b.cpu.write<uint64_t>(mtimecmp(0), 1'000);
  EXPECT_FALSE(b.mtip[0].level());
  b.cpu.write<uint64_t>(kMtime, 1'000);         // equal: pending
  EXPECT_TRUE(b.mtip[0].level());
  b.cpu.write<uint64_t>(kMtime, 999);           // back below: cleared
  EXPECT_FALSE(b.mtip[0].level());
  b.cpu.write32(kMtime + 4, 1);                 // high half only: 2^32 + 999
  EXPECT_TRUE(b.mtip[0].level());
  b.cpu.write<uint64_t>(mtimecmp(0), 0x8000000000000000ull);
  EXPECT_FALSE(b.mtip[0].level());              // unsigned: 2^63 is far ahead
  b.cpu.write<uint64_t>(kMtime, 0xfffffffffffffff0ull);
  EXPECT_TRUE(b.mtip[0].level());
}

// After MTIME is written backwards the timer fires when the new count reaches
// MTIMECMP, not at the time the old count would have.
TEST(ClintSpec, TimerRearmsAfterMtimeMovesBack) {
  Bench b;
  b.cpu.write<uint64_t>(mtimecmp(0), 1'000);    // 100 us at 10 MHz
  sc_start(50, SC_US);
  b.cpu.delay = SC_ZERO_TIME;
  b.cpu.write<uint64_t>(kMtime, 0);
  sc_start(60, SC_US);                          // t = 110 us: the old deadline passed
  EXPECT_FALSE(b.mtip[0].level());
  sc_start(50, SC_US);
  EXPECT_TRUE(b.mtip[0].level());
  EXPECT_EQ(b.rise_time, sc_time(150, SC_US));
}

// One MTIMECMP per hart, each driving its own MTIP; one MTIME for all.
TEST(ClintSpec, PerHartCompareRegisters) {
  ClintConfig config;
  config.harts = 3;
  Bench b(config);
  b.cpu.write<uint64_t>(mtimecmp(0), 500);
  b.cpu.write<uint64_t>(mtimecmp(1), 100);
  b.cpu.write<uint64_t>(mtimecmp(2), 300);
  sc_start(20, SC_US);                          // mtime = 200
  EXPECT_FALSE(b.mtip[0].level());
  EXPECT_TRUE(b.mtip[1].level());
  EXPECT_FALSE(b.mtip[2].level());
  b.cpu.delay = SC_ZERO_TIME;
  b.cpu.write<uint64_t>(kMtime, 400);
  EXPECT_FALSE(b.mtip[0].level());
  EXPECT_TRUE(b.mtip[1].level());
  EXPECT_TRUE(b.mtip[2].level());
  EXPECT_EQ(b.cpu.read<uint64_t>(mtimecmp(1)), 100u);
  EXPECT_EQ(b.cpu.read<uint64_t>(mtimecmp(3)), 0u);  // no hart 3: reserved
}

// "On reset, MTIME is cleared to zero"; "On reset, each MSIP register is cleared
// to zero" (and so are the software interrupt lines).
TEST(ClintSpec, ResetValues) {
  ClintConfig config;
  config.harts = 2;
  Bench b(config);
  EXPECT_EQ(b.cpu.read<uint64_t>(kMtime), 0u);
  for (unsigned h = 0; h < 2; ++h) {
    EXPECT_EQ(b.cpu.read32(msip(h)), 0u);
    EXPECT_FALSE(b.msip[h].level());
  }
}

// MSWI: "Each MSIP register is a 32-bit wide WARL register where the upper 31
// bits are tied to zero ... A machine-level software interrupt for a HART is
// pending or cleared by writing '1' or '0'"; other harts are not affected;
// offsets past the last hart (up to 0x3ffc, reserved) read 0 and ignore writes.
TEST(ClintSpec, MsipSetAndClearPerHart) {
  ClintConfig config;
  config.harts = 2;
  Bench b(config);
  b.cpu.write32(msip(0), 0xfffffffe);           // bit 0 clear: not pending
  EXPECT_EQ(b.cpu.read32(msip(0)), 0u);
  EXPECT_FALSE(b.msip[0].level());
  b.cpu.write32(msip(0), 1);
  EXPECT_TRUE(b.msip[0].level());
  EXPECT_FALSE(b.msip[1].level());
  b.cpu.write32(0x3ffc, 1);
  EXPECT_EQ(b.cpu.read32(0x3ffc), 0u);
  b.cpu.write32(msip(0), 0);
  EXPECT_FALSE(b.msip[0].level());
}

// The direct view a hart's `time` CSR asks for (platform/time_counter.h): offered only
// for an 8-byte read of mtime, and equal to what a bus read returns at any later time,
// including after the guest moved mtime.
TEST(Clint, TimeCounterMatchesBusReads) {
  Bench b;
  sc_start(3, SC_MS);
  vp::platform::TimeCounterExtension ext;
  auto ask = [&](uint64_t addr, unsigned len) {
    ext.counter = nullptr;
    uint64_t v = 0;
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(addr);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    gp.set_extension(&ext);
    sc_time delay(250, SC_NS);
    b.cpu.socket->b_transport(gp, delay);
    gp.clear_extension(&ext);
    return v;
  };
  ask(kMtime, 4);
  EXPECT_EQ(ext.counter, nullptr);  // a half of mtime: no counter
  ask(mtimecmp(0), 8);
  EXPECT_EQ(ext.counter, nullptr);
  const uint64_t v = ask(kMtime, 8);
  ASSERT_NE(ext.counter, nullptr);
  EXPECT_EQ(ext.arrival_delay, sc_time(250, SC_NS));
  EXPECT_EQ(v, 30'002u);
  EXPECT_EQ(ext.counter->value_at(sc_time_stamp() + ext.arrival_delay), v);
  const vp::platform::TimeCounter& counter = *ext.counter;
  for (uint64_t ns : {0, 99, 100, 12'345, 999'999}) {
    b.cpu.delay = sc_time(double(ns), SC_NS);
    const sc_time at = sc_time_stamp() + b.cpu.delay;
    EXPECT_EQ(counter.value_at(at), b.cpu.read<uint64_t>(kMtime)) << ns << " ns";
  }
  b.cpu.delay = SC_ZERO_TIME;
  b.cpu.write<uint64_t>(kMtime, 7);  // the guest moves mtime
  sc_start(1, SC_US);
  b.cpu.delay = SC_ZERO_TIME;
  EXPECT_EQ(counter.value_at(sc_time_stamp()), b.cpu.read<uint64_t>(kMtime));
  EXPECT_EQ(counter.value_at(sc_time_stamp()), 7u + 10u);  // 10 ticks after the write
}

}  // namespace

VP_SC_TEST_MAIN
