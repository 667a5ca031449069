#include <gtest/gtest.h>

extern "C" {
#include <libfdt.h>
}

#include "platform/builder.h"
#include "platform/loader.h"
#include "tests/platform/test_components.h"

using namespace vp::platform;

TEST(DeviceTree, MemoryNodeAndChosen) {
  auto spec = load_platform_string(R"(
platform: dt
components:
  bus: { type: router }
  ram: { type: mem.ram, size: 128MiB }
bind:
  - bus: { ram: 0x80000000 }
boot: { bootargs: "console=ttyS0" }
)");
  auto registry = vp::test::test_registry();
  auto platform = build_platform(spec, registry);
  auto blob = platform->device_tree();
  const void* fdt = blob.data();
  ASSERT_EQ(fdt_check_header(fdt), 0);
  int mem = fdt_path_offset(fdt, "/memory@80000000");
  ASSERT_GE(mem, 0);
  int len = 0;
  auto* reg = static_cast<const fdt32_t*>(fdt_getprop(fdt, mem, "reg", &len));
  ASSERT_EQ(len, 16);
  EXPECT_EQ(fdt32_to_cpu(reg[0]), 0u);
  EXPECT_EQ(fdt32_to_cpu(reg[1]), 0x80000000u);
  EXPECT_EQ(fdt32_to_cpu(reg[3]), 128u << 20);
  EXPECT_STREQ(static_cast<const char*>(fdt_getprop(fdt, mem, "device_type", nullptr)), "memory");
  int chosen = fdt_path_offset(fdt, "/chosen");
  ASSERT_GE(chosen, 0);
  EXPECT_STREQ(static_cast<const char*>(fdt_getprop(fdt, chosen, "bootargs", nullptr)), "console=ttyS0");
  auto blob2 = platform->device_tree("root=/dev/vda");
  chosen = fdt_path_offset(blob2.data(), "/chosen");
  EXPECT_STREQ(static_cast<const char*>(fdt_getprop(blob2.data(), chosen, "bootargs", nullptr)), "root=/dev/vda");
}
