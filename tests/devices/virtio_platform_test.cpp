// virtio slots built from YAML by the platform builder: property checks with
// file:line, device-tree nodes, and a device's DMA through the real router
// into mem.ram (DMI), with its interrupt reaching the PLIC.
#include <libfdt.h>

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "models/devices/plic.h"
#include "models/devices/virtio_mmio.h"
#include "platform/builder.h"
#include "platform/loader.h"
#include "tests/devices/sc_test_main.h"

using namespace vp::platform;
using vp::dev::VirtioMmio;

namespace {

Registry& registry() {
  static Registry r = [] {
    Registry reg;
    register_platform_types(reg);
    register_memory_types(reg);
    register_device_types(reg);
    return reg;
  }();
  return r;
}

std::string image() {
  const char* base = std::getenv("TMPDIR");
  std::string dir = std::string(base && *base ? base : "/tmp") + "/vp-virtio-platform-XXXXXX";
  if (!mkdtemp(dir.data())) return "";
  std::ofstream(dir + "/disk.img", std::ios::binary) << std::string(4096, 'd');
  return dir + "/disk.img";
}

std::string yaml(const std::string& slot0) {
  return R"(
platform: virtio
components:
  bus:     { type: router }
  ram:     { type: mem.ram, size: 1MiB }
  plic:    { type: dev.plic, sources: 16, contexts: 1 }
  virtio0: )" + slot0 + R"(
  virtio1: { type: dev.virtio_console, console: null }
  virtio2: { type: dev.virtio_rng, seed: 7 }
  virtio3: { type: dev.virtio_mmio }
bind:
  - virtio0.dma -> bus
  - virtio1.dma -> bus
  - virtio2.dma -> bus
  - virtio3.dma -> bus
  - bus:
      plic: 0xc000000
      virtio0: 0x10001000
      virtio1: 0x10002000
      virtio2: 0x10003000
      virtio3: 0x10004000
      ram: 0x80000000
irq:
  - virtio0.irq -> plic.1
  - virtio1.irq -> plic.2
  - virtio2.irq -> plic.3
  - virtio3.irq -> plic.4
)";
}

std::string blk(const std::string& extra = "") { return "{ type: dev.virtio_blk, image: " + image() + extra + " }"; }

uint32_t read32(const Platform& p, uint64_t addr) {
  uint32_t v = 0;
  p.read_physical(addr, &v, 4);
  return v;
}
void write32(const Platform& p, uint64_t addr, uint32_t v) { p.write_physical(addr, &v, 4); }

std::string error_of(const std::string& text) {
  try {
    build_platform(load_platform_string(text), registry()).release();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(VirtioPlatform, SlotsIdentifyTheirDevices) {
  auto p = build_platform(load_platform_string(yaml(blk())), registry());
  const uint32_t ids[] = {2, 3, 4, 0};
  for (unsigned i = 0; i < 4; ++i) {
    const uint64_t base = 0x10001000 + 0x1000 * i;
    EXPECT_EQ(read32(*p, base + VirtioMmio::kMagicValue), VirtioMmio::kMagic);
    EXPECT_EQ(read32(*p, base + VirtioMmio::kDeviceId), ids[i]) << "slot " << i;
  }
  EXPECT_EQ(read32(*p, 0x10001000 + VirtioMmio::kConfig), 8u) << "capacity of a 4 KiB image";
  p.release();
}

TEST(VirtioPlatform, DeviceTreeNodes) {
  auto p = build_platform(load_platform_string(yaml(blk())), registry());
  const std::vector<uint8_t> blob = p->device_tree();
  const void* fdt = blob.data();
  const int plic = fdt_path_offset(fdt, "/soc/plic@c000000");
  ASSERT_GE(plic, 0);
  for (unsigned i = 0; i < 4; ++i) {
    char path[64];
    std::snprintf(path, sizeof path, "/soc/virtio_mmio@%x", 0x10001000 + 0x1000 * i);
    const int node = fdt_path_offset(fdt, path);
    ASSERT_GE(node, 0) << path;
    EXPECT_EQ(fdt_node_check_compatible(fdt, node, "virtio,mmio"), 0) << path;
    int len = 0;
    const auto* reg = static_cast<const fdt32_t*>(fdt_getprop(fdt, node, "reg", &len));
    ASSERT_EQ(len, 16) << path;
    EXPECT_EQ(fdt32_to_cpu(reg[1]), 0x10001000u + 0x1000 * i);
    EXPECT_EQ(fdt32_to_cpu(reg[3]), 0x1000u);
    EXPECT_EQ(fdt32_to_cpu(*static_cast<const fdt32_t*>(fdt_getprop(fdt, node, "interrupts", nullptr))), i + 1);
    EXPECT_EQ(fdt32_to_cpu(*static_cast<const fdt32_t*>(fdt_getprop(fdt, node, "interrupt-parent", nullptr))),
              fdt_get_phandle(fdt, plic));
  }
  p.release();
}

// The entropy device fills a buffer in mem.ram through its DMA socket and
// the router; its used-buffer interrupt is pending at the PLIC.
TEST(VirtioPlatform, DmaThroughRouterIntoRam) {
  auto p = build_platform(load_platform_string(yaml(blk())), registry());
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  const uint64_t base = 0x10003000, desc = 0x80001000, avail = 0x80002000, used = 0x80003000, buf = 0x80010000;
  write32(*p, base + VirtioMmio::kStatus, 1 | 2);
  write32(*p, base + VirtioMmio::kDriverFeaturesSel, 1);
  write32(*p, base + VirtioMmio::kDriverFeatures, 1);  // VIRTIO_F_VERSION_1
  write32(*p, base + VirtioMmio::kStatus, 1 | 2 | 8);
  write32(*p, base + VirtioMmio::kQueueNum, 4);
  write32(*p, base + VirtioMmio::kQueueDescLow, uint32_t(desc));
  write32(*p, base + VirtioMmio::kQueueDriverLow, uint32_t(avail));
  write32(*p, base + VirtioMmio::kQueueDeviceLow, uint32_t(used));
  write32(*p, base + VirtioMmio::kQueueReady, 1);
  write32(*p, base + VirtioMmio::kStatus, 1 | 2 | 8 | 4);
  ASSERT_EQ(read32(*p, base + VirtioMmio::kStatus), 15u);
  const uint64_t d[2] = {buf, uint64_t(64) | uint64_t(2) << 32};  // addr; len 64, flags WRITE
  p->write_physical(desc, d, sizeof d);
  const uint16_t ring[3] = {0, 1, 0};  // flags, idx 1, ring[0] = 0
  p->write_physical(avail, ring, sizeof ring);
  write32(*p, base + VirtioMmio::kQueueNotify, 0);
  sc_core::sc_start(1, sc_core::SC_US);
  uint16_t used_idx = 0;
  p->read_physical(used + 2, &used_idx, 2);
  EXPECT_EQ(used_idx, 1);
  EXPECT_EQ(read32(*p, used + 8), 64u) << "used length";
  uint8_t bytes[64] = {};
  p->read_physical(buf, bytes, sizeof bytes);
  int nonzero = 0;
  for (uint8_t b : bytes) nonzero += b != 0;
  EXPECT_GT(nonzero, 32);
  auto* plic = dynamic_cast<vp::dev::Plic*>(p->find("plic"));
  ASSERT_TRUE(plic);
  EXPECT_TRUE(plic->pending(3));
  EXPECT_FALSE(plic->pending(1));
  p.release();
}

TEST(VirtioPlatform, PropertyErrorsNameTheLine) {
  auto line_of = [](const std::string& e) { return e.substr(0, e.find(": error")); };
  std::string e = error_of(yaml("{ type: dev.virtio_blk, image: /nonexistent/disk.img }"));
  EXPECT_NE(e.find("virtio0.image"), std::string::npos) << e;
  EXPECT_NE(e.find("/nonexistent/disk.img"), std::string::npos) << e;
  EXPECT_EQ(line_of(e).substr(0, 10), "<string>:7") << e;
  e = error_of(yaml(blk(", serial: abcdefghijklmnopqrstuvwxyz")));
  EXPECT_NE(e.find("at most 20 bytes"), std::string::npos) << e;
  e = error_of(yaml(blk(", queue_size: 12")));
  EXPECT_NE(e.find("power of two"), std::string::npos) << e;
  e = error_of(yaml(blk(", blk_size: 1000")));
  EXPECT_NE(e.find("power of two"), std::string::npos) << e;
  e = error_of(yaml("{ type: dev.virtio_blk }"));
  EXPECT_NE(e.find("missing required property 'image'"), std::string::npos) << e;
  e = error_of(yaml(blk(", snapshots: true")));
  EXPECT_NE(e.find("snapshot"), std::string::npos) << "did-you-mean: " << e;
  std::string unbound = yaml(blk());
  unbound.erase(unbound.find("  - virtio3.dma -> bus\n"), 22);
  e = error_of(unbound);
  EXPECT_NE(e.find("virtio3.dma"), std::string::npos) << "every transport's DMA socket is bound: " << e;
}

}  // namespace

VP_SC_TEST_MAIN
