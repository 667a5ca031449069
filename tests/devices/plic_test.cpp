// PLIC driven at register level; interrupt sources are driven through the
// input lines the builder would bind ("10", "irq[10]").
#include "models/devices/plic.h"

#include <gtest/gtest.h>

#include "tests/devices/sc_test_main.h"
#include "tests/support/test_initiator.h"

using namespace sc_core;
using vp::dev::Plic;
using vp::dev::PlicConfig;
using vp::platform::IrqIn;
using vp::platform::IrqOut;
using vp::test::make;
using vp::test::TestInitiator;

namespace {

constexpr uint64_t prio(unsigned s) { return 4 * s; }
constexpr uint64_t kPending = 0x1000;
constexpr uint64_t enable(unsigned c, unsigned word = 0) { return 0x2000 + 0x80 * c + 4 * word; }
constexpr uint64_t threshold(unsigned c) { return 0x200000 + 0x1000 * c; }
constexpr uint64_t claim(unsigned c) { return 0x200004 + 0x1000 * c; }

struct Bench {
  Plic& plic;
  TestInitiator& cpu;
  std::vector<IrqOut> src;  // drives plic inputs 0..sources-1 (0 unused)
  std::vector<IrqIn> ctx;   // what the harts would see

  explicit Bench(PlicConfig config = {})
      : plic(make<Plic>("plic", config)), cpu(make<TestInitiator>("cpu")), src(config.sources),
        ctx(config.contexts) {
    cpu.socket.bind(plic.socket);
    for (unsigned s = 1; s < config.sources; ++s) src[s].bind(*plic.irq_in(std::to_string(s), -1));
    for (unsigned c = 0; c < config.contexts; ++c) plic.irq_out("ctx", int(c))->bind(ctx[c]);
    sc_start(SC_ZERO_TIME);
  }
};

TEST(Plic, PortNames) {
  Bench b;
  EXPECT_EQ(b.plic.irq_in("10", -1), b.plic.irq_in("irq", 10));
  EXPECT_NE(b.plic.irq_in("95", -1), nullptr);
  EXPECT_EQ(b.plic.irq_in("0", -1), nullptr);   // source 0 is reserved
  EXPECT_EQ(b.plic.irq_in("96", -1), nullptr);  // out of range
  EXPECT_EQ(b.plic.irq_in("x1", -1), nullptr);
  EXPECT_NE(b.plic.irq_out("ctx", 1), nullptr);
  EXPECT_EQ(b.plic.irq_out("ctx", 2), nullptr);
}

TEST(Plic, PriorityEnableThresholdGating) {
  Bench b;
  b.src[5].raise();
  EXPECT_EQ(b.cpu.read32(kPending), 1u << 5);
  EXPECT_FALSE(b.ctx[0].level());  // priority 0 = never
  b.cpu.write32(prio(5), 0xff);
  EXPECT_EQ(b.cpu.read32(prio(5)), 7u);  // 3 priority bits
  EXPECT_FALSE(b.ctx[0].level());  // not enabled
  b.cpu.write32(enable(0), 1u << 5);
  EXPECT_TRUE(b.ctx[0].level());
  EXPECT_FALSE(b.ctx[1].level());
  b.cpu.write32(threshold(0), 7);
  EXPECT_FALSE(b.ctx[0].level());  // priority must exceed the threshold
  b.cpu.write32(threshold(0), 6);
  EXPECT_TRUE(b.ctx[0].level());
  b.cpu.write32(enable(1), 1u << 5);
  EXPECT_TRUE(b.ctx[1].level());
  b.cpu.write32(enable(0), 0);
  EXPECT_FALSE(b.ctx[0].level());
}

TEST(Plic, ClaimHighestPriorityLowestIdOnTies) {
  Bench b;
  for (unsigned s : {3u, 4u, 40u}) {
    b.cpu.write32(prio(s), s == 40 ? 5 : 2);
    b.src[s].raise();
  }
  b.cpu.write32(enable(0, 0), (1u << 3) | (1u << 4));
  b.cpu.write32(enable(0, 1), 1u << (40 - 32));
  EXPECT_EQ(b.cpu.read32(kPending + 4), 1u << 8);
  EXPECT_EQ(b.cpu.read32(claim(0)), 40u);
  EXPECT_EQ(b.cpu.read32(kPending + 4), 0u);  // claim clears pending
  EXPECT_EQ(b.cpu.read32(claim(0)), 3u);      // tie: lowest id
  EXPECT_EQ(b.cpu.read32(claim(0)), 4u);
  EXPECT_FALSE(b.ctx[0].level());
  EXPECT_EQ(b.cpu.read32(claim(0)), 0u);
}

TEST(Plic, GatewayHoldsUntilComplete) {
  Bench b;
  b.cpu.write32(prio(10), 1);
  b.cpu.write32(enable(0), 1u << 10);
  b.src[10].raise();
  EXPECT_TRUE(b.ctx[0].level());
  EXPECT_EQ(b.cpu.read32(claim(0)), 10u);
  EXPECT_FALSE(b.ctx[0].level());
  b.src[10].lower();
  b.src[10].raise();  // level high again while claimed: no new request
  EXPECT_EQ(b.cpu.read32(kPending), 0u);
  EXPECT_FALSE(b.ctx[0].level());
  b.cpu.write32(claim(0), 10);  // complete; level still high -> pending again
  EXPECT_EQ(b.cpu.read32(kPending), 1u << 10);
  EXPECT_TRUE(b.ctx[0].level());
  EXPECT_EQ(b.cpu.read32(claim(0)), 10u);
  b.src[10].lower();
  b.cpu.write32(claim(0), 10);
  EXPECT_EQ(b.cpu.read32(kPending), 0u);
  EXPECT_FALSE(b.ctx[0].level());
}

TEST(Plic, PendingSurvivesLevelDropBeforeClaim) {
  Bench b;
  b.cpu.write32(prio(7), 1);
  b.cpu.write32(enable(0), 1u << 7);
  b.src[7].raise();
  b.src[7].lower();  // PLIC spec: the request stays pending until claimed
  EXPECT_TRUE(b.ctx[0].level());
  EXPECT_EQ(b.cpu.read32(claim(0)), 7u);
}

TEST(Plic, IgnoredCompletions) {
  Bench b;
  b.cpu.write32(prio(9), 1);
  b.cpu.write32(enable(0), 1u << 9);
  b.src[9].raise();
  EXPECT_EQ(b.cpu.read32(claim(0)), 9u);
  b.cpu.write32(claim(1), 9);  // not enabled for context 1: ignored
  EXPECT_EQ(b.cpu.read32(kPending), 0u);
  b.cpu.write32(claim(0), 200);  // out of range: ignored
  b.cpu.write32(claim(0), 8);    // not claimed: ignored
  EXPECT_EQ(b.cpu.read32(kPending), 0u);
  b.cpu.write32(claim(0), 9);
  EXPECT_EQ(b.cpu.read32(kPending), 1u << 9);
}

TEST(Plic, OutOfRangeAndReservedRegisters) {
  Bench b;
  b.cpu.write32(prio(0), 5);  // source 0 does not exist
  EXPECT_EQ(b.cpu.read32(prio(0)), 0u);
  b.cpu.write32(prio(100), 5);  // beyond sources: ignored
  EXPECT_EQ(b.cpu.read32(prio(100)), 0u);
  b.cpu.write32(enable(0, 0), 0xffffffff);
  EXPECT_EQ(b.cpu.read32(enable(0, 0)), 0xfffffffeu);  // bit 0 hardwired to 0
  b.cpu.write32(enable(0, 2), 0xffffffff);
  EXPECT_EQ(b.cpu.read32(enable(0, 2)), 0xffffffffu);  // sources 64..95
  b.cpu.write32(enable(0, 3), 0xffffffff);
  EXPECT_EQ(b.cpu.read32(enable(0, 3)), 0u);
  b.cpu.write32(threshold(2), 3);  // no context 2
  EXPECT_EQ(b.cpu.read32(threshold(2)), 0u);
  tlm::tlm_response_status status;
  b.cpu.read<uint8_t>(prio(1), &status);
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  b.cpu.read<uint64_t>(prio(2), &status);
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST(Plic, DebugReadDoesNotClaim) {
  Bench b;
  b.cpu.write32(prio(2), 1);
  b.cpu.write32(enable(0), 1u << 2);
  b.src[2].raise();
  uint32_t id = 0;
  EXPECT_EQ(b.cpu.debug(tlm::TLM_READ_COMMAND, claim(0), &id, 4), 4u);
  EXPECT_EQ(id, 2u);
  EXPECT_TRUE(b.ctx[0].level());
  EXPECT_EQ(b.cpu.read32(claim(0)), 2u);
}

TEST(Plic, DebugDumpOfAWindow) {
  Bench b;
  b.cpu.write32(prio(1), 3);
  b.cpu.write32(prio(2), 5);
  uint8_t bytes[16] = {};
  EXPECT_EQ(b.cpu.debug(tlm::TLM_READ_COMMAND, 0, bytes, 16), 16u);  // split into 4-byte reads
  EXPECT_EQ(bytes[4], 3);
  EXPECT_EQ(bytes[8], 5);
}

TEST(Plic, ConfigurableSizes) {
  PlicConfig config;
  config.sources = 33;
  config.contexts = 3;
  config.priority_bits = 2;
  Bench b(config);
  b.cpu.write32(prio(32), 0xff);
  EXPECT_EQ(b.cpu.read32(prio(32)), 3u);
  b.cpu.write32(enable(2, 1), 0xffffffff);
  EXPECT_EQ(b.cpu.read32(enable(2, 1)), 1u);  // only source 32 exists in word 1
  b.src[32].raise();
  EXPECT_TRUE(b.ctx[2].level());
  EXPECT_EQ(b.cpu.read32(claim(2)), 32u);
}

}  // namespace

VP_SC_TEST_MAIN
