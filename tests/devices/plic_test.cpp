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

// ---- Line-by-line checks against the RISC-V PLIC specification 1.0.0 ----

// "Interrupt Claim Process": "The PLIC can perform a claim at any time and the
// claim operation is not affected by the setting of the priority threshold
// register." "It is always legal for a hart to perform a claim even if the EIP
// is not set" (polling with the threshold at its maximum).
TEST(PlicSpec, ClaimIgnoresThreshold) {
  Bench b;
  b.cpu.write32(prio(6), 2);
  b.cpu.write32(enable(0), 1u << 6);
  b.cpu.write32(threshold(0), 7);
  b.src[6].raise();
  EXPECT_FALSE(b.ctx[0].level());               // masked: no notification
  EXPECT_EQ(b.cpu.read32(claim(0)), 6u);        // but claimable
  EXPECT_EQ(b.cpu.read32(kPending), 0u);
  b.cpu.write32(threshold(0), 2);               // priority equal to threshold: same
  b.cpu.write32(claim(0), 6);                   // complete; level still high
  EXPECT_FALSE(b.ctx[0].level());
  uint32_t id = 0;
  b.cpu.debug(tlm::TLM_READ_COMMAND, claim(0), &id, 4);
  EXPECT_EQ(id, 6u);                            // a debug read shows the same claim
  EXPECT_EQ(b.cpu.read32(claim(0)), 6u);
}

// "Interrupt Priorities": "The priority value 0 is reserved to mean 'never
// interrupt'" and "effectively disables the interrupt": no notification, and a
// claim does not return it (its pending bit stays set).
TEST(PlicSpec, PriorityZeroNeverInterruptsNorClaims) {
  Bench b;
  b.cpu.write32(enable(0), 1u << 4);
  b.src[4].raise();
  EXPECT_EQ(b.cpu.read32(kPending), 1u << 4);
  EXPECT_FALSE(b.ctx[0].level());
  EXPECT_EQ(b.cpu.read32(claim(0)), 0u);
  EXPECT_EQ(b.cpu.read32(kPending), 1u << 4);
  b.cpu.write32(prio(4), 1);                    // becomes active: notified now
  EXPECT_TRUE(b.ctx[0].level());
  EXPECT_EQ(b.cpu.read32(claim(0)), 4u);
}

// "interrupt priority increases with increasing integer values"; "each priority
// register must support any combination of values in the bits that are
// variable"; registers are WARL (3 bits here: 0..7).
TEST(PlicSpec, EveryPriorityValueOrders) {
  Bench b;
  for (uint32_t v = 0; v < 8; ++v) {
    b.cpu.write32(prio(1 + v), v);
    EXPECT_EQ(b.cpu.read32(prio(1 + v)), v);
  }
  b.cpu.write32(prio(20), 0xfffffff9u);
  EXPECT_EQ(b.cpu.read32(prio(20)), 1u);        // only the variable bits are kept
  b.cpu.write32(enable(0), 0x1feu);             // sources 1..8
  for (unsigned s = 1; s <= 8; ++s) b.src[s].raise();
  for (unsigned want = 8; want >= 2; --want) EXPECT_EQ(b.cpu.read32(claim(0)), want);
  EXPECT_EQ(b.cpu.read32(claim(0)), 0u);        // source 1 has priority 0
}

// "Interrupt Pending Bits": bit (N mod 32) of word (N/32); bit 0 of word 0 is
// hardwired to zero; the array is read-only. "A pending bit in the PLIC core can
// be cleared by setting the associated enable bit then performing a claim."
TEST(PlicSpec, PendingArrayLayoutAndClearing) {
  Bench b;
  b.cpu.write32(prio(33), 1);
  b.src[33].raise();
  b.src[63].raise();
  EXPECT_EQ(b.cpu.read32(kPending), 0u);
  EXPECT_EQ(b.cpu.read32(kPending + 4), (1u << 1) | (1u << 31));
  b.cpu.write32(kPending + 4, 0);               // read-only
  b.cpu.write32(kPending, 0xffffffff);
  EXPECT_EQ(b.cpu.read32(kPending + 4), (1u << 1) | (1u << 31));
  EXPECT_EQ(b.cpu.read32(kPending), 0u);
  EXPECT_EQ(b.cpu.read32(claim(0)), 0u);        // not enabled: nothing to claim
  b.cpu.write32(enable(0, 1), 1u << 1);
  EXPECT_EQ(b.cpu.read32(claim(0)), 33u);
  EXPECT_EQ(b.cpu.read32(kPending + 4), 1u << 31);
}

// "Interrupt Enables": per context, packed like the pending bits; a source
// enabled for one context only notifies that one.
TEST(PlicSpec, EnablesArePerContext) {
  Bench b;
  b.cpu.write32(prio(45), 3);
  b.cpu.write32(enable(1, 1), 1u << 13);
  EXPECT_EQ(b.cpu.read32(enable(0, 1)), 0u);
  EXPECT_EQ(b.cpu.read32(enable(1, 1)), 1u << 13);
  b.src[45].raise();
  EXPECT_FALSE(b.ctx[0].level());
  EXPECT_TRUE(b.ctx[1].level());
  EXPECT_EQ(b.cpu.read32(claim(0)), 0u);
  EXPECT_EQ(b.cpu.read32(claim(1)), 45u);
}

// "Priority Thresholds": "mask all PLIC interrupts of a priority less than or
// equal to threshold"; threshold is WARL.
TEST(PlicSpec, ThresholdMasksLessOrEqual) {
  Bench b;
  b.cpu.write32(prio(3), 4);
  b.cpu.write32(enable(0), 1u << 3);
  b.src[3].raise();
  for (uint32_t t = 0; t < 8; ++t) {
    b.cpu.write32(threshold(0), t);
    EXPECT_EQ(b.cpu.read32(threshold(0)), t);
    EXPECT_EQ(b.ctx[0].level(), 4 > t) << "threshold " << t;
  }
  b.cpu.write32(threshold(0), 0xfffffffau);
  EXPECT_EQ(b.cpu.read32(threshold(0)), 2u);
}

// "Interrupt Notifications": multicast to every enabled target; "a second
// target can respond and claim an interrupt while a notification to the first
// target is still in flight, such that ... it finds it has no active interrupts".
// "Interrupt Claim Process": after a claim, lower-priority pending interrupts
// keep EIP set.
TEST(PlicSpec, MulticastAndEipAfterClaim) {
  Bench b;
  b.cpu.write32(prio(11), 5);
  b.cpu.write32(prio(12), 1);
  b.cpu.write32(enable(0), (1u << 11) | (1u << 12));
  b.cpu.write32(enable(1), 1u << 11);
  b.src[11].raise();
  b.src[12].raise();
  EXPECT_TRUE(b.ctx[0].level());
  EXPECT_TRUE(b.ctx[1].level());
  EXPECT_EQ(b.cpu.read32(claim(1)), 11u);       // the fastest responder
  EXPECT_FALSE(b.ctx[1].level());
  EXPECT_TRUE(b.ctx[0].level());                // 12 still pending for context 0
  EXPECT_EQ(b.cpu.read32(claim(0)), 12u);
  EXPECT_EQ(b.cpu.read32(claim(0)), 0u);
  EXPECT_FALSE(b.ctx[0].level());
}

// "Interrupt Completion": "The PLIC does not check whether the completion ID is
// the same as the last claim ID for that target": another target for which the
// source is enabled may complete it.
TEST(PlicSpec, CompletionByAnotherEnabledTarget) {
  Bench b;
  b.cpu.write32(prio(14), 1);
  b.cpu.write32(enable(0), 1u << 14);
  b.cpu.write32(enable(1), 1u << 14);
  b.src[14].raise();
  EXPECT_EQ(b.cpu.read32(claim(0)), 14u);
  b.cpu.write32(claim(1), 14);                  // completes the gateway
  EXPECT_EQ(b.cpu.read32(kPending), 1u << 14);  // level still high: new request
}

// "Interrupt Gateways": at most one request per source pending; a level source
// that stays high while pending does not queue a second request.
TEST(PlicSpec, OneRequestPerSourceAtATime) {
  Bench b;
  b.cpu.write32(prio(5), 1);
  b.cpu.write32(enable(0), 1u << 5);
  b.src[5].raise();
  b.src[5].lower();
  b.src[5].raise();                             // a second assertion before the claim
  EXPECT_EQ(b.cpu.read32(claim(0)), 5u);
  b.src[5].lower();
  b.cpu.write32(claim(0), 5);
  EXPECT_EQ(b.cpu.read32(kPending), 0u);        // no queued request
  EXPECT_EQ(b.cpu.read32(claim(0)), 0u);
}

// "Memory Map": 32-bit registers; context blocks 0x1000 apart (threshold at +0,
// claim/complete at +4, the rest reserved), enable blocks 0x80 apart.
TEST(PlicSpec, ContextBlockLayout) {
  Bench b;
  b.cpu.write32(threshold(1), 5);
  EXPECT_EQ(b.cpu.read32(0x201000), 5u);
  EXPECT_EQ(b.cpu.read32(0x200000), 0u);
  b.cpu.write32(0x200008, 0xffffffff);          // reserved
  EXPECT_EQ(b.cpu.read32(0x200008), 0u);
  EXPECT_EQ(b.cpu.read32(0x200ffc), 0u);
  b.cpu.write32(0x2080, 1u << 3);               // context 1, sources 0..31
  EXPECT_EQ(b.cpu.read32(enable(1)), 1u << 3);
  EXPECT_EQ(b.cpu.read32(enable(0)), 0u);
}

}  // namespace

VP_SC_TEST_MAIN
