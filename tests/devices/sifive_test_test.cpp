// SiFive test finisher: the status word written at offset 0 ends the run.
#include "models/devices/sifive_test.h"

#include <gtest/gtest.h>

#include "platform/simulation.h"
#include "tests/devices/sc_test_main.h"
#include "tests/support/test_initiator.h"

using namespace sc_core;
using vp::dev::SifiveTest;
using vp::platform::stop_request;
using vp::test::make;
using vp::test::TestInitiator;

namespace {

TestInitiator& bench() {
  auto& dev = make<SifiveTest>("finisher");
  auto& cpu = make<TestInitiator>("cpu");
  cpu.socket.bind(dev.socket);
  sc_start(SC_ZERO_TIME);
  vp::platform::clear_stop_request();
  return cpu;
}

TEST(SifiveTest, Pass) {
  auto& cpu = bench();
  EXPECT_EQ(cpu.read32(0), 0u);
  EXPECT_FALSE(stop_request());
  cpu.write32(0, 0x5555);
  ASSERT_TRUE(stop_request());
  EXPECT_EQ(stop_request()->exit_code, 0);
  EXPECT_EQ(stop_request()->reason, "test finisher: pass");
}

TEST(SifiveTest, FailWithCode) {
  auto& cpu = bench();
  cpu.write32(0, (3u << 16) | 0x3333);
  ASSERT_TRUE(stop_request());
  EXPECT_EQ(stop_request()->exit_code, 3);
  EXPECT_EQ(stop_request()->reason, "test finisher: fail (code 3)");
}

TEST(SifiveTest, ResetStops) {
  auto& cpu = bench();
  cpu.write32(0, 0x7777);
  ASSERT_TRUE(stop_request());
  EXPECT_EQ(stop_request()->exit_code, 0);
}

TEST(SifiveTest, IgnoredWrites) {
  auto& cpu = bench();
  cpu.write32(0, 0x1234);  // unknown status
  cpu.write32(4, 0x5555);  // other offset
  uint32_t pass = 0x5555;
  EXPECT_EQ(cpu.debug(tlm::TLM_WRITE_COMMAND, 0, &pass, 4), 4u);  // debug writes never stop
  EXPECT_FALSE(stop_request());
  EXPECT_EQ(cpu.write<uint64_t>(0, 0x5555), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_FALSE(stop_request());
}

struct Writer : sc_module {
  TestInitiator cpu{"cpu"};
  explicit Writer(sc_module_name n) : sc_module(n) { SC_THREAD(run); }
  SC_HAS_PROCESS(Writer);
  void run() {
    wait(5, SC_US);
    cpu.write32(0, (7u << 16) | 0x3333);
    wait(1, SC_US);
    ADD_FAILURE() << "simulation kept running after the finisher write";
  }
};

TEST(SifiveTest, StopsRunningSimulation) {
  auto& dev = make<SifiveTest>("finisher");
  auto& writer = make<Writer>("writer");
  writer.cpu.socket.bind(dev.socket);
  sc_start(1, SC_MS);
  ASSERT_TRUE(stop_request());
  EXPECT_EQ(stop_request()->exit_code, 7);
  EXPECT_EQ(sc_time_stamp(), sc_time(5, SC_US));
}

}  // namespace

VP_SC_TEST_MAIN
