// rtl.dpi_target's bus functional model (the testbench hosting vp masters `mem`):
// its writes land in platform memory and, being no processor's, are reported to
// the platform's reservation monitor (an LR reservation on the bytes breaks, one
// elsewhere stays; an observer such as lock-step checking gets the bytes).
#include <gtest/gtest.h>

#include "models/rtl/dpi_target.h"
#include "platform/builder.h"
#include "platform/loader.h"
#include "tests/devices/sc_test_main.h"
#include "tests/rtl/rtl_registry.h"
#include "tests/support/store_probe.h"

using namespace vp::platform;
using vp::rtl::DpiTarget;

namespace {

TEST(DpiTarget, BusWritesReachTheReservationMonitor) {
  const char* yaml = R"(
components:
  bus: { type: router }
  ram: { type: mem.ram, size: 64KiB }
  tb: { type: rtl.dpi_target, size: 0x1000 }
bind:
  - tb.mem -> bus
  - bus: { ram: 0x80000000, tb: 0x10000000 }
)";
  auto p = build_platform(load_platform_string(yaml), vp::test::rtl_registry());
  auto* tb = dynamic_cast<DpiTarget*>(p->find("tb"));
  ASSERT_TRUE(tb);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  vp::test::StoreProbe hit(p->reservations()), miss(p->reservations(), false);
  hit.reserve(0x80000100);
  miss.reserve(0x80000140);
  const uint64_t v = 0x1122334455667788ull;
  ASSERT_EQ(tb->bus_start(true, 0x80000108, 8, v), 1);
  sc_core::sc_start(1, sc_core::SC_US);
  uint64_t data = 0;
  ASSERT_EQ(tb->bus_poll(&data), 0);
  uint64_t back = 0;
  ASSERT_EQ(p->read_physical(0x80000108, &back, 8), 8u);
  EXPECT_EQ(back, v);
  EXPECT_FALSE(hit.holds());
  EXPECT_TRUE(miss.holds());
  EXPECT_TRUE(hit.saw(0x80000108, &v, 8));
  p.release();
}

}  // namespace

VP_SC_TEST_MAIN
