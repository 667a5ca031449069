#include <gtest/gtest.h>

#include "models/mem/ram.h"
#include "platform/router.h"
#include "tests/support/test_initiator.h"

using namespace vp;
using tlm::TLM_READ_COMMAND;
using tlm::TLM_WRITE_COMMAND;

namespace {

struct Fixture {
  platform::Router bus{"bus", platform::RouterConfig{sc_core::sc_time(5, sc_core::SC_NS), 2, 2}};
  mem::Ram low{"low", mem::RamConfig{0x1000}};
  mem::Ram high{"high", mem::RamConfig{0x10000}};
  test::TestInitiator cpu{"cpu"};
  test::TestInitiator dma{"dma"};

  Fixture() {
    bus.map(low.socket, 0x1000, 0x1000, "low");
    bus.map(high.socket, 0x80000000, 0x10000, "high");
    bus.bind_initiator(cpu.socket);
    bus.bind_initiator(dma.socket);
  }
};

}  // namespace

TEST(Router, DecodesAndTranslates) {
  Fixture f;
  EXPECT_EQ(f.cpu.write32(0x1004, 0x11223344), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(f.cpu.write32(0x80000004, 0x55667788), tlm::TLM_OK_RESPONSE);
  // Each target sees its own offset.
  uint32_t v;
  std::memcpy(&v, f.low.data() + 4, 4);
  EXPECT_EQ(v, 0x11223344u);
  std::memcpy(&v, f.high.data() + 4, 4);
  EXPECT_EQ(v, 0x55667788u);
  EXPECT_EQ(f.dma.read32(0x1004), 0x11223344u) << "a second initiator sees the same memory";
  EXPECT_EQ(f.bus.decode(0x1fff)->name, "low");
  EXPECT_EQ(f.bus.decode(0x2000), nullptr);
}

TEST(Router, AnnotatesLatency) {
  Fixture f;
  f.cpu.delay = sc_core::SC_ZERO_TIME;
  f.cpu.read32(0x1000);
  EXPECT_EQ(f.cpu.delay, sc_core::sc_time(5, sc_core::SC_NS));
}

TEST(Router, UnmappedIsAddressError) {
  Fixture f;
  tlm::tlm_response_status s;
  f.cpu.read<uint32_t>(0x0, &s);
  EXPECT_EQ(s, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  f.cpu.read<uint32_t>(0x3000, &s);
  EXPECT_EQ(s, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(f.cpu.write32(0x90000000, 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  // An access straddling the end of a window is refused, not truncated.
  f.cpu.read<uint64_t>(0x1ffc, &s);
  EXPECT_EQ(s, tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST(Router, ForwardsDmiWithTranslation) {
  Fixture f;
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(f.cpu.get_dmi(0x80000100, dmi));
  EXPECT_EQ(dmi.get_start_address(), 0x80000000u);
  EXPECT_EQ(dmi.get_end_address(), 0x8000ffffu);
  EXPECT_EQ(dmi.get_dmi_ptr(), f.high.data());
  EXPECT_TRUE(dmi.is_read_write_allowed());
  EXPECT_EQ(dmi.get_read_latency(), sc_core::sc_time(5, sc_core::SC_NS));
  // A window smaller than the target clips the DMI range.
  EXPECT_FALSE(f.cpu.get_dmi(0x4000, dmi)) << "unmapped: no DMI";
}

TEST(Router, InvalidationReachesEveryInitiator) {
  Fixture f;
  f.high.invalidate_dmi();
  ASSERT_EQ(f.cpu.invalidations.size(), 1u);
  ASSERT_EQ(f.dma.invalidations.size(), 1u);
  EXPECT_EQ(f.cpu.invalidations[0].first, 0x80000000u);
  EXPECT_EQ(f.cpu.invalidations[0].second, 0x8000ffffu);
  f.low.invalidate_dmi();
  EXPECT_EQ(f.dma.invalidations.back().first, 0x1000u);
  EXPECT_EQ(f.dma.invalidations.back().second, 0x1fffu);
}

TEST(Router, DebugTransport) {
  Fixture f;
  uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(f.cpu.debug(TLM_WRITE_COMMAND, 0x80000010, data, 8), 8u);
  uint8_t back[8] = {};
  EXPECT_EQ(f.dma.debug(TLM_READ_COMMAND, 0x80000010, back, 8), 8u);
  EXPECT_EQ(std::memcmp(data, back, 8), 0);
  EXPECT_EQ(f.cpu.debug(TLM_READ_COMMAND, 0x5000, back, 8), 0u) << "unmapped";
  EXPECT_EQ(f.cpu.debug(TLM_READ_COMMAND, 0x1ffc, back, 8), 4u) << "clipped at the window's end";
}

TEST(Router, NestedRouters) {
  platform::Router top{"top", platform::RouterConfig{sc_core::SC_ZERO_TIME, 1, 1}};
  platform::Router sub{"sub", platform::RouterConfig{sc_core::SC_ZERO_TIME, 1, 1}};
  mem::Ram ram{"ram", mem::RamConfig{0x1000}};
  test::TestInitiator cpu{"cpu"};
  top.bind_initiator(cpu.socket);
  top.map(sub, 0x10000000, 0x100000, "sub");
  sub.map(ram.socket, 0x2000, 0x1000, "ram");
  EXPECT_EQ(cpu.write32(0x10002008, 0xcafe), tlm::TLM_OK_RESPONSE);
  uint32_t v;
  std::memcpy(&v, ram.data() + 8, 4);
  EXPECT_EQ(v, 0xcafeu);
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(cpu.get_dmi(0x10002000, dmi));
  EXPECT_EQ(dmi.get_start_address(), 0x10002000u);
  EXPECT_EQ(dmi.get_end_address(), 0x10002fffu);
  ram.invalidate_dmi();
  ASSERT_EQ(cpu.invalidations.size(), 1u);
  EXPECT_EQ(cpu.invalidations[0].first, 0x10002000u);
}

TEST(Router, WorksBeforeAndAfterSimulationStarts) {
  Fixture f;
  uint32_t v = 0x1234;
  EXPECT_EQ(f.cpu.debug(TLM_WRITE_COMMAND, 0x80000000, &v, 4), 4u) << "loaders run before sc_start";
  sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_US));
  EXPECT_EQ(f.dma.read32(0x80000000), 0x1234u);
  f.high.invalidate_dmi();
  EXPECT_EQ(f.cpu.invalidations.size(), 1u);
}
