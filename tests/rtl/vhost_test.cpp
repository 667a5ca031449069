// mem.vhost: the memories of a definition file built into a platform from
// YAML, their init methods, __vhost_bb_mem_* backed by the built platform's
// memory map, the $readmemh export when the simulation ends, and located
// configuration errors.
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "models/mem/vhost_component.h"
#include "models/mem/vhost_memory.h"
#include "platform/builder.h"
#include "platform/loader.h"
#include "tests/devices/sc_test_main.h"
#include "tests/rtl/rtl_registry.h"
#include "tests/support/store_probe.h"

using namespace vp::platform;
using vp::mem::VhostMemories;

namespace {

vp::platform::Registry& registry() { return vp::test::rtl_registry(); }

const std::string kDef = std::string(VP_MEMDEF_DIR) + "/good.yaml";
const std::string kOut = std::string(VP_MEMDEF_DIR) + "/../vhost_export/run";

std::string platform_yaml(const std::string& vhost_extra, const std::string& binds) {
  return "components:\n"
         "  bus: { type: router }\n"
         "  ram: { type: mem.ram, size: 64KiB }\n"
         "  vh: { type: mem.vhost, file: " + kDef + vhost_extra + " }\n"
         "bind:\n"
         "  - vh.mem -> bus\n"
         "  - bus: { ram: 0x10000000" + binds + " }\n";
}
const std::string kAllBinds =
    ", vh.top_u_bb: 0x90000000, vh.top_u_rom: 0x80000000, vh.top_u_zero: 0x80001000, vh.top_u_sram: 0x80100000";

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string error_of(const std::string& yaml) {
  try {
    build_platform(load_platform_string(yaml, "plat.yaml"), registry());
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Vhost, BuildsMemoriesAndExportsAtEnd) {
  std::remove((kOut + "/top.u_bb.hex").c_str());
  auto p = build_platform(load_platform_string(platform_yaml(", space: cpu, export_dir: " + kOut, kAllBinds)),
                          registry());
  auto* vh = dynamic_cast<VhostMemories*>(p->find("vh"));
  ASSERT_TRUE(vh);
  ASSERT_EQ(vh->instances().size(), 4u);  // the black box and the three memories of `cpu`
  // hex init: the ROM's first words.
  uint32_t w = 0;
  ASSERT_EQ(p->read_physical(0x80000000, &w, 4), 4u);
  EXPECT_EQ(w, 0xdeadbeefu);
  ASSERT_EQ(p->read_physical(0x80000004, &w, 4), 4u);
  EXPECT_EQ(w, 0x01234567u);
  // all_zero init; out of the window is not mapped.
  uint64_t d = 1;
  ASSERT_EQ(p->read_physical(0x80001000 + 248, &d, 8), 8u);
  EXPECT_EQ(d, 0u);
  EXPECT_EQ(p->read_physical(0x80001000 + 256, &d, 8), 0u);

  // __vhost_bb_mem_* reach any memory of the platform, through the bus.
  const uint32_t bb[2] = {0x11223344, 0x55667788};
  EXPECT_EQ(__vhost_bb_mem_write(0x90000000, 0x10, bb, 8), 0);
  ASSERT_EQ(p->read_physical(0x90000010, &d, 8), 8u);
  EXPECT_EQ(d, 0x5566778811223344ull);
  uint32_t back[2] = {};
  EXPECT_EQ(__vhost_bb_mem_read(0x90000000, 0x10, back, 8), 0);
  EXPECT_EQ(back[1], 0x55667788u);
  EXPECT_EQ(__vhost_bb_mem_write(0x10000000, 0x20, bb, 4), 0);  // plain RAM too
  EXPECT_EQ(__vhost_bb_mem_read(0x90000000, 0xffc, back, 8), -1);  // runs off the black box
  EXPECT_EQ(__vhost_bb_mem_read(0x40000000, 0, back, 4), -1);     // unmapped
  // Banked: the bus view is linear, words interleave over the banks.
  const uint64_t sram = 0x0123456789abcdefull;
  ASSERT_EQ(p->write_physical(0x80100000, &sram, 8), 8u);
  EXPECT_EQ(vh->instance("top.u_sram")->locate(4).bank, 1u);

  // Nothing exported before the end of the simulation; everything after.
  struct stat st;
  sc_core::sc_start(1, sc_core::SC_US);
  EXPECT_NE(::stat((kOut + "/top.u_bb.hex").c_str(), &st), 0);
  sc_core::sc_stop();  // ends the simulation: end_of_simulation callbacks run
  const std::string bbhex = slurp(kOut + "/top.u_bb.hex");
  EXPECT_NE(bbhex.find("@4\n11223344\n55667788\n"), std::string::npos) << bbhex;
  EXPECT_EQ(bbhex.find("@0\n"), std::string::npos);  // never written: not exported
  EXPECT_EQ(slurp(kOut + "/top.u_rom.hex"), vh->instance("top.u_rom")->hex());
  EXPECT_NE(slurp(kOut + "/top.u_rom.hex").find("deadbeef"), std::string::npos);
  EXPECT_NE(slurp(kOut + "/top.u_zero.hex").find("0000000000000000"), std::string::npos);
  for (int b = 0; b < 4; ++b)
    EXPECT_EQ(::stat((kOut + "/top.u_sram.bank" + std::to_string(b) + ".hex").c_str(), &st), 0) << b;
  EXPECT_NE(slurp(kOut + "/top.u_sram.bank1.hex").find("01234567"), std::string::npos);
  p.release();
}

// __vhost_bb_mem_write stores through `mem` as no processor: reported to the platform's
// reservation monitor (an LR reservation on the bytes breaks, one elsewhere stays; an
// observer such as lock-step checking gets the bytes).
TEST(Vhost, StoresReachTheReservationMonitor) {
  auto p = build_platform(load_platform_string(platform_yaml(", space: cpu", kAllBinds)), registry());
  vp::test::StoreProbe hit(p->reservations()), miss(p->reservations(), false);
  hit.reserve(0x10000024);
  miss.reserve(0x10000040);
  const uint32_t v = 0xcafef00d;
  EXPECT_EQ(__vhost_bb_mem_write(0x10000000, 0x20, &v, 4), 0);  // RAM
  EXPECT_FALSE(hit.holds());
  EXPECT_TRUE(miss.holds());
  EXPECT_TRUE(hit.saw(0x10000020, &v, 4));
  p.release();
}

TEST(Vhost, SpaceChoiceAndMemoryMapOff) {
  // Space dsp: its memory plus the shared black box; no `mem` socket to bind.
  const std::string yaml =
      "components:\n"
      "  bus: { type: router }\n"
      "  vh: { type: mem.vhost, file: " + kDef + ", space: dsp, memory_map: false }\n"
      "bind:\n"
      "  - bus: { vh.dsp_u_ram: 0x80000000, vh.top_u_bb: 0x90000000 }\n";
  auto p = build_platform(load_platform_string(yaml), registry());
  auto* vh = dynamic_cast<VhostMemories*>(p->find("vh"));
  ASSERT_TRUE(vh);
  EXPECT_EQ(vh->instances().size(), 2u);
  const uint16_t v = 0xbeef;
  ASSERT_EQ(p->write_physical(0x80000002, &v, 2), 2u);
  EXPECT_NE(vh->instance("dsp.u_ram")->hex().find("@1\nbeef\n"), std::string::npos);
  uint32_t x;
  EXPECT_EQ(__vhost_bb_mem_read(0x80000000, 0, &x, 4), -1);  // no memory map installed
  p.release();
}

TEST(Vhost, LocatedErrors) {
  // Several spaces and no choice: at the `file` property.
  std::string e = error_of(platform_yaml("", kAllBinds));
  EXPECT_NE(e.find("plat.yaml:4:"), std::string::npos) << e;
  EXPECT_NE(e.find("several spaces (cpu, dsp)"), std::string::npos) << e;
  e = error_of(platform_yaml(", space: cpx", kAllBinds));
  EXPECT_NE(e.find("plat.yaml:4:"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'cpu'"), std::string::npos) << e;
  e = error_of("components:\n  vh: { type: mem.vhost, file: /nonexistent/def.yaml }\n");
  EXPECT_NE(e.find("plat.yaml:2:"), std::string::npos) << e;
  EXPECT_NE(e.find("cannot read memory definition"), std::string::npos) << e;
  // A memory left unmapped.
  e = error_of(platform_yaml(", space: cpu", ", vh.top_u_bb: 0x90000000"));
  EXPECT_NE(e.find("vh.top_u_rom is not mapped"), std::string::npos) << e;
  // An error inside the definition names the definition file.
  const std::string bad = std::string(VP_MEMDEF_DIR) + "/../vhost_bad.yaml";
  std::ofstream(bad) << "spaces:\n  cpu:\n    direct:\n      - { path: a, base: 0, width: 12, size: 8 }\n";
  e = error_of("components:\n  vh: { type: mem.vhost, file: " + bad + " }\n");
  EXPECT_NE(e.find("vhost_bad.yaml:4:"), std::string::npos) << e;
  // Relative file names are relative to the YAML file naming them.
  const std::string dir = std::string(VP_MEMDEF_DIR);
  std::ofstream(dir + "/plat.yaml") << "components:\n  vh: { type: mem.vhost, file: good.yaml, space: nope }\n";
  try {
    build_platform(load_platform_file(dir + "/plat.yaml"), registry());
    FAIL();
  } catch (const ConfigError& err) {
    EXPECT_NE(std::string(err.what()).find("no space 'nope'"), std::string::npos) << err.what();
  }
}

}  // namespace

VP_SC_TEST_MAIN
