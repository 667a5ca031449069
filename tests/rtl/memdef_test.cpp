// vhost memory definitions: parser (good file, each bad file's error with
// file:line:column), init methods, banked address mapping, hex export with
// the valid ranges, and the __vhost_bb_mem_* entry points.
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "models/mem/memory_definition.h"
#include "models/mem/vhost_memory.h"
#include "platform/source_location.h"

using namespace vp::mem;
using vp::platform::ConfigError;

namespace {

const std::string kDir = VP_MEMDEF_DIR;

std::string error_of(const std::string& yaml) {
  try {
    parse_memory_definition(yaml, "bad.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(MemoryDefinition, ParsesGoodFile) {
  const auto def = load_memory_definition(kDir + "/good.yaml");
  ASSERT_EQ(def.memories.size(), 5u);
  const auto& bb = def.memories[0];
  EXPECT_EQ(bb.kind, MemoryDef::Kind::BlackBox);
  EXPECT_EQ(bb.size, 4096u);
  const auto& rom = def.memories[1];
  EXPECT_EQ(rom.space, "cpu");
  EXPECT_EQ(rom.path, "top.u_rom");
  EXPECT_EQ(rom.array_dims, std::vector<uint64_t>{16});
  EXPECT_EQ(rom.init.method, InitMethod::Hex);
  const auto& sram = def.memories[3];
  EXPECT_EQ(sram.kind, MemoryDef::Kind::Banked);
  EXPECT_EQ(sram.size, 4u * 8 * 4);
  EXPECT_EQ(def.find("cpu", 0x80100010), &sram);
  EXPECT_EQ(def.find("dsp", 0x80000010)->path, "dsp.u_ram");
  EXPECT_EQ(def.find("dsp", 0x90000010), &bb);  // black boxes are shared
  EXPECT_EQ(def.find("cpu", 0x70000000), nullptr);
}

TEST(MemoryDefinition, ErrorsNameFileLineColumn) {
  const std::map<std::string, std::string> cases = {
      {"spaces:\n  cpu:\n    direct:\n      - { path: a, base: 0, size: 16, widht: 32 }\n",
       "bad.yaml:4:39: error: unknown key 'widht' (did you mean 'width'?)"},
      {"spaces:\n  cpu:\n    direct:\n      - { path: a, base: 0, width: 12, size: 16 }\n",
       "bad.yaml:4:36: error: width: expected a multiple of 8 bits up to 1024"},
      {"spaces:\n  cpu:\n    direct:\n      - { path: a, base: 0 }\n",
       "bad.yaml:4:9: error: memory: missing 'size'"},
      {"spaces:\n  cpu:\n    direct:\n      - { path: a, base: 0, size: 16, array_dims: [3] }\n",
       "bad.yaml:4:51: error: array_dims describe 3 words of 32 bits, but size is 16 bytes"},
      {"spaces:\n  cpu:\n    banked:\n      - { path: a, base: 0, bank_width: 32, bank_depth: 4, banks: 2, size: 64 }\n",
       "bad.yaml:4:76: error: size 64 does not match banks * bank_depth * bank_width/8 = 32"},
      {"spaces:\n  cpu:\n    direct:\n      - { path: a, base: 0, size: 16, init: { method: zeros } }\n",
       "bad.yaml:4:55: error: unknown init method 'zeros' (expected no_init, all_zero, random or hex)"},
      {"spaces:\n  cpu:\n    direct:\n      - { path: a, base: 0, size: 16 }\n      - { path: b, base: 8, size: 16 }\n",
       "bad.yaml:5:9: error: memory b overlaps a (bad.yaml:4:9)"},
      {"black_box: { path: a }\n", "bad.yaml:1:12: error: expected a list of memories, found a mapping"},
      {"spaces:\n  cpu:\n    direct:\n      - { path: a, base: zero, size: 16 }\n",
       "bad.yaml:4:26: error: 'base': expected an integer, found 'zero'"},
      {"blackbox: []\n", "bad.yaml:1:1: error: unknown key 'blackbox' (did you mean 'black_box'?)"},
  };
  for (const auto& [yaml, expected] : cases) EXPECT_EQ(error_of(yaml), expected) << yaml;
}

TEST(MemoryDefinition, InitMethods) {
  const auto def = load_memory_definition(kDir + "/good.yaml");
  MemoryInstance rom(def.memories[1], kDir);
  uint32_t w[9];
  ASSERT_TRUE(rom.read(0, w, sizeof w));
  EXPECT_EQ(w[0], 0xdeadbeefu);
  EXPECT_EQ(w[1], 0x01234567u);
  EXPECT_EQ(w[2], 1u);
  EXPECT_EQ(w[3], 0xcafeu);
  EXPECT_EQ(w[4], 0u);
  EXPECT_EQ(w[8], 0xffffffffu);
  EXPECT_EQ(rom.valid_ranges(), (std::vector<std::pair<uint64_t, uint64_t>>{{0, 16}, {32, 36}}));

  MemoryInstance zero(def.memories[2]);
  EXPECT_EQ(zero.valid_ranges(), (std::vector<std::pair<uint64_t, uint64_t>>{{0, 256}}));

  MemoryInstance a(def.memories[3]), b(def.memories[3]);
  uint8_t x[128], y[128];
  a.read(0, x, sizeof x);
  b.read(0, y, sizeof y);
  EXPECT_EQ(std::memcmp(x, y, sizeof x), 0);  // same seed, same contents
  int nonzero = 0;
  for (uint8_t v : x) nonzero += v != 0;
  EXPECT_GT(nonzero, 100);
  auto other = def.memories[3];
  other.init.seed = 8;
  MemoryInstance c(other);
  c.read(0, y, sizeof y);
  EXPECT_NE(std::memcmp(x, y, sizeof x), 0);

  MemoryInstance none(def.memories[4]);
  EXPECT_TRUE(none.valid_ranges().empty());

  // A bad hex file: the error names its line and column.
  std::ofstream(kDir + "/bad.hex") << "00000000\n  12zz\n";
  auto bad = def.memories[1];
  bad.init.file = "bad.hex";
  try {
    MemoryInstance m(bad, kDir);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), kDir + "/bad.hex:2:3: error: expected a hex word, found '12zz'");
  }
}

TEST(MemoryDefinition, BankedAddressMapping) {
  const auto def = load_memory_definition(kDir + "/good.yaml");
  MemoryInstance m(def.memories[3]);  // 4 banks of 8 x 32-bit words, low-order interleaved
  auto l = m.locate(0);
  EXPECT_EQ(l.bank, 0u);
  EXPECT_EQ(l.row, 0u);
  l = m.locate(4);
  EXPECT_EQ(l.bank, 1u);
  EXPECT_EQ(l.row, 0u);
  l = m.locate(13);
  EXPECT_EQ(l.bank, 3u);
  EXPECT_EQ(l.row, 0u);
  EXPECT_EQ(l.byte, 1u);
  l = m.locate(16);
  EXPECT_EQ(l.bank, 0u);
  EXPECT_EQ(l.row, 1u);
  // A 64-bit write spans two banks; reading back goes through the same map.
  const uint64_t v = 0x1122334455667788ull;
  ASSERT_TRUE(m.write(16, &v, 8));
  uint64_t r = 0;
  m.read(16, &r, 8);
  EXPECT_EQ(r, v);
  EXPECT_EQ(m.hex(0).substr(m.hex(0).find("@0\n") + 3 + 9, 9), "55667788\n");  // row 1 of bank 0
  EXPECT_EQ(m.hex(1).substr(m.hex(1).find("@0\n") + 3 + 9, 9), "11223344\n");
  EXPECT_FALSE(m.write(120, &v, 16));  // beyond the end
}

TEST(MemoryDefinition, HexExportWithValidRanges) {
  const auto def = load_memory_definition(kDir + "/good.yaml");
  MemoryInstance m(def.memories[4]);  // no_init, 16-bit words
  const uint8_t elf[] = {0x01, 0x02, 0x03, 0x04};
  m.write(2, elf, 4);       // words 1 and 2
  m.write(20, elf, 1);      // half of word 10
  EXPECT_EQ(m.valid_ranges(), (std::vector<std::pair<uint64_t, uint64_t>>{{2, 6}, {20, 21}}));
  EXPECT_EQ(m.hex(), "// dsp.u_ram: 32 bytes, 16-bit words\n@1\n0201\n0403\n@a\n0001\n");
  const auto files = m.export_hex(kDir);
  ASSERT_EQ(files.size(), 1u);
  std::ifstream in(files[0]);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), m.hex());
  // Exported hex reads back through init: hex.
  auto again = def.memories[4];
  again.init = {InitMethod::Hex, 0, files[0], {}};
  MemoryInstance back(again, kDir);
  uint8_t out[4];
  back.read(2, out, 4);
  EXPECT_EQ(std::memcmp(out, elf, 4), 0);
  const auto banked = MemoryInstance(def.memories[3]).export_hex(kDir);
  EXPECT_EQ(banked.size(), 4u);
  EXPECT_EQ(banked[3], kDir + "/top.u_sram.bank3.hex");
}

TEST(MemoryDefinition, BlackBoxEntryPoints) {
  std::vector<uint8_t> phys(0x1000);
  EXPECT_EQ(__vhost_bb_mem_write(0x90000000, 0, "x", 1), -1);  // no memory map yet
  set_vhost_memory_map([&](uint64_t addr, void* data, size_t len, bool write) -> size_t {
    if (addr < 0x90000000 || addr + len > 0x90000000 + phys.size()) return 0;
    uint8_t* p = phys.data() + (addr - 0x90000000);
    write ? std::memcpy(p, data, len) : std::memcpy(data, p, len);
    return len;
  });
  EXPECT_EQ(__vhost_bb_mem_write(0x90000000, 0x10, "abcd", 4), 0);
  char buf[5] = {};
  EXPECT_EQ(__vhost_bb_mem_read(0x90000000, 0x10, buf, 4), 0);
  EXPECT_STREQ(buf, "abcd");
  EXPECT_EQ(__vhost_bb_mem_read(0x90000000, 0xffe, buf, 4), -1);
}

}  // namespace
