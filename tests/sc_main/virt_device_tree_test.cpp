// The device tree of configs/virt.yaml, as Linux and OpenSBI read it.
#include <gtest/gtest.h>

extern "C" {
#include <libfdt.h>
}

#include <string>
#include <vector>

#include "platform/builder.h"
#include "platform/loader.h"

using namespace vp::platform;

namespace {

struct Dt {
  std::vector<uint8_t> blob;
  const void* fdt() const { return blob.data(); }
  int node(const char* path) const { return fdt_path_offset(fdt(), path); }
  std::vector<uint32_t> cells(const char* path, const char* prop) const {
    int len = 0;
    auto* p = static_cast<const fdt32_t*>(fdt_getprop(fdt(), node(path), prop, &len));
    std::vector<uint32_t> out;
    for (int i = 0; p && i < len / 4; ++i) out.push_back(fdt32_to_cpu(p[i]));
    return out;
  }
  std::string str(const char* path, const char* prop) const {
    auto* p = static_cast<const char*>(fdt_getprop(fdt(), node(path), prop, nullptr));
    return p ? p : "";
  }
  uint32_t phandle(const char* path) const { return fdt_get_phandle(fdt(), node(path)); }
};

Dt virt_dt() {
  auto platform = build_platform(load_platform_file(VP_SOURCE_DIR "/configs/virt.yaml"));
  return Dt{platform->device_tree()};
}

}  // namespace

TEST(VirtDeviceTree, NodesAndInterruptWiring) {
  Dt dt = virt_dt();
  ASSERT_EQ(fdt_check_header(dt.fdt()), 0);
  ASSERT_GE(dt.node("/cpus/cpu@0"), 0);
  EXPECT_EQ(dt.str("/cpus/cpu@0", "device_type"), "cpu");
  EXPECT_EQ(dt.str("/cpus/cpu@0", "riscv,isa").rfind("rv64imafdc", 0), 0u);
  EXPECT_EQ(dt.cells("/cpus", "timebase-frequency"), std::vector<uint32_t>{10000000});
  const uint32_t intc = dt.phandle("/cpus/cpu@0/interrupt-controller");
  ASSERT_NE(intc, 0u);

  EXPECT_EQ(dt.cells("/memory@80000000", "reg"), (std::vector<uint32_t>{0, 0x80000000, 0, 0x10000000}));

  // PLIC contexts: M-mode external (11) then S-mode external (9) of hart 0.
  ASSERT_GE(dt.node("/soc/plic@c000000"), 0);
  EXPECT_EQ(dt.cells("/soc/plic@c000000", "interrupts-extended"), (std::vector<uint32_t>{intc, 11, intc, 9}));
  EXPECT_EQ(dt.cells("/soc/plic@c000000", "riscv,ndev"), std::vector<uint32_t>{95});
  const uint32_t plic = dt.phandle("/soc/plic@c000000");
  ASSERT_NE(plic, 0u);

  // CLINT: software (3) and timer (7) interrupts of hart 0.
  auto clint = dt.cells("/soc/clint@2000000", "interrupts-extended");
  EXPECT_EQ(clint, (std::vector<uint32_t>{intc, 3, intc, 7}));

  EXPECT_EQ(dt.str("/soc/serial@10000000", "compatible"), "ns16550a");
  EXPECT_EQ(dt.cells("/soc/serial@10000000", "interrupts"), std::vector<uint32_t>{10});
  EXPECT_EQ(dt.cells("/soc/serial@10000000", "interrupt-parent"), std::vector<uint32_t>{plic});
  EXPECT_EQ(dt.cells("/soc/serial@10000000", "clock-frequency"), std::vector<uint32_t>{3686400});

  EXPECT_EQ(dt.str("/chosen", "stdout-path"), "/soc/serial@10000000");
  EXPECT_GE(dt.node("/poweroff"), 0);
}

// configs/virt.yaml with its hart array at 4 (what vp run --smp 4 sets): every
// cpu with its interrupt controller, the cpu-map, and per-hart CLINT/PLIC wiring.
TEST(VirtDeviceTree, FourHarts) {
  auto platform = build_platform(
      load_platform_file(VP_SOURCE_DIR "/configs/virt.yaml", {parse_override("cpu.count=4", {"--smp 4", 0, 0})}));
  Dt dt{platform->device_tree()};
  ASSERT_EQ(fdt_check_header(dt.fdt()), 0);
  std::vector<uint32_t> clint, plic;
  for (int i = 0; i < 4; ++i) {
    const std::string cpu = "/cpus/cpu@" + std::to_string(i);
    ASSERT_GE(dt.node(cpu.c_str()), 0) << cpu;
    EXPECT_EQ(dt.cells(cpu.c_str(), "reg"), std::vector<uint32_t>{static_cast<uint32_t>(i)});
    EXPECT_EQ(dt.str(cpu.c_str(), "status"), "okay");
    const uint32_t intc = dt.phandle((cpu + "/interrupt-controller").c_str());
    ASSERT_NE(intc, 0u);
    const std::string core = "/cpus/cpu-map/cluster0/core" + std::to_string(i);
    EXPECT_EQ(dt.cells(core.c_str(), "cpu"), std::vector<uint32_t>{dt.phandle(cpu.c_str())});
    clint.insert(clint.end(), {intc, 3, intc, 7});
    plic.insert(plic.end(), {intc, 11, intc, 9});
  }
  EXPECT_LT(dt.node("/cpus/cpu@4"), 0);
  EXPECT_EQ(dt.cells("/soc/clint@2000000", "interrupts-extended"), clint);
  EXPECT_EQ(dt.cells("/soc/plic@c000000", "interrupts-extended"), plic);
}
