// The four devices built from YAML by the platform builder, wired as on the
// QEMU virt board, and reached through the router's debug transport.
#include <libfdt.h>

#include <gtest/gtest.h>

#include "models/devices/ns16550.h"
#include "models/devices/plic.h"
#include "platform/builder.h"
#include "platform/loader.h"
#include "tests/devices/sc_test_main.h"

using namespace vp::platform;

namespace {

const char* kYaml = R"(
platform: devices
components:
  bus:   { type: router }
  test:  { type: dev.sifive_test }
  clint: { type: dev.clint, harts: 1, timebase: 10MHz }
  plic:  { type: dev.plic, sources: 96, contexts: 2 }
  uart0: { type: dev.ns16550, console: null, capture: true }
bind:
  - bus:
      test:  0x100000
      clint: 0x2000000
      plic:  0xc000000
      uart0: 0x10000000
irq:
  - uart0.irq -> plic.10
)";

Registry& registry() {
  static Registry r = [] {
    Registry reg;
    register_platform_types(reg);
    register_device_types(reg);
    return reg;
  }();
  return r;
}

TEST(DevicesIntegration, UartInterruptReachesPlic) {
  auto platform = build_platform(load_platform_string(kYaml), registry());
  auto* uart = dynamic_cast<vp::dev::Ns16550*>(platform->find("uart0"));
  auto* plic = dynamic_cast<vp::dev::Plic*>(platform->find("plic"));
  ASSERT_TRUE(uart && plic);
  const uint8_t ch = 'A', thre = vp::dev::Ns16550::kIerThre;
  EXPECT_EQ(platform->write_physical(0x10000000, &ch, 1), 1u);
  EXPECT_EQ(uart->take_output(), "A");
  platform->write_physical(0x10000001, &thre, 1);
  EXPECT_TRUE(uart->irq.level());
  EXPECT_TRUE(plic->pending(10));
  uint64_t mtimecmp = 0;
  EXPECT_EQ(platform->read_physical(0x2004000, &mtimecmp, 8), 8u);
  EXPECT_EQ(mtimecmp, ~uint64_t(0));
  platform.release();  // SystemC modules outlive the test
}

TEST(DevicesIntegration, TimerArmedBeforeSimulationStarts) {
  auto platform = build_platform(load_platform_string(kYaml), registry());
  auto* clint = platform->find("clint");
  // Platform::elaborate() (simcontext->elaborate()) leaves SystemC 2.3.4 in a
  // state where sc_start() throws E554, so elaborate by a zero-time start here.
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  const uint64_t cmp = 50;  // 5us at 10 MHz, written by a loader before sc_start
  EXPECT_EQ(platform->write_physical(0x2004000, &cmp, 8), 8u);
  EXPECT_FALSE(clint->irq_out("mtip", 0)->level());
  sc_core::sc_start(4, sc_core::SC_US);
  EXPECT_FALSE(clint->irq_out("mtip", 0)->level());
  sc_core::sc_start(2, sc_core::SC_US);
  EXPECT_TRUE(clint->irq_out("mtip", 0)->level());
  platform.release();
}

TEST(DevicesIntegration, DeviceTree) {
  auto platform = build_platform(load_platform_string(kYaml), registry());
  const std::vector<uint8_t> blob = platform->device_tree();
  const void* fdt = blob.data();
  const int serial = fdt_path_offset(fdt, "/soc/serial@10000000");
  const int plic = fdt_path_offset(fdt, "/soc/plic@c000000");
  ASSERT_GE(serial, 0);
  ASSERT_GE(plic, 0);
  EXPECT_GE(fdt_path_offset(fdt, "/soc/clint@2000000"), 0);
  EXPECT_GE(fdt_path_offset(fdt, "/soc/test@100000"), 0);
  EXPECT_GE(fdt_path_offset(fdt, "/poweroff"), 0);
  EXPECT_EQ(fdt_get_phandle(fdt, plic),
            fdt32_to_cpu(*static_cast<const fdt32_t*>(fdt_getprop(fdt, serial, "interrupt-parent", nullptr))));
  EXPECT_EQ(fdt32_to_cpu(*static_cast<const fdt32_t*>(fdt_getprop(fdt, serial, "interrupts", nullptr))), 10u);
  platform.release();
}

}  // namespace

VP_SC_TEST_MAIN
