#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <vector>
#include <string>

#include "models/mem/ram.h"
#include "tests/support/test_initiator.h"

using namespace vp;

namespace {
long resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}
}  // namespace

TEST(Memory, RamReadWriteAndBounds) {
  mem::Ram ram{"ram", mem::RamConfig{0x1000}};
  test::TestInitiator cpu{"cpu"};
  cpu.socket.bind(ram.socket);
  EXPECT_EQ(cpu.read32(0x10), 0u) << "fresh RAM reads zero";
  EXPECT_EQ(cpu.write<uint64_t>(0x10, 0x0123456789abcdefull), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(cpu.read<uint64_t>(0x10), 0x0123456789abcdefull);
  EXPECT_EQ(cpu.read8(0x10), 0xefu) << "little-endian";
  EXPECT_TRUE(cpu.last_dmi_allowed) << "RAM hints that DMI is available";
  tlm::tlm_response_status s;
  cpu.read<uint32_t>(0xffe, &s);
  EXPECT_EQ(s, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  cpu.read<uint32_t>(0x1000, &s);
  EXPECT_EQ(s, tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST(Memory, RomRefusesGuestWritesButNotLoaders) {
  mem::Ram rom{"rom", mem::RamConfig{0x1000, true}};
  test::TestInitiator cpu{"cpu"};
  cpu.socket.bind(rom.socket);
  EXPECT_EQ(cpu.write32(0, 0x1234), tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(cpu.read32(0), 0u);
  uint32_t v = 0x1234;
  EXPECT_EQ(cpu.debug(tlm::TLM_WRITE_COMMAND, 0, &v, 4), 4u);
  EXPECT_EQ(cpu.read32(0), 0x1234u);
  tlm::tlm_dmi dmi;
  EXPECT_TRUE(cpu.get_dmi(0, dmi));
  EXPECT_TRUE(dmi.is_read_allowed());
  EXPECT_FALSE(dmi.is_write_allowed());
  EXPECT_FALSE(cpu.get_dmi(0, dmi, /*for_write=*/true));
}

TEST(Memory, LargeRamIsSparse) {
  long before = resident_kib();
  mem::Ram ram{"ram", mem::RamConfig{4ull << 30}};
  test::TestInitiator cpu{"cpu"};
  cpu.socket.bind(ram.socket);
  EXPECT_EQ(cpu.write32((4ull << 30) - 4, 0xabcd), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(cpu.read32((4ull << 30) - 4), 0xabcdu);
  EXPECT_EQ(cpu.write32(0, 1), tlm::TLM_OK_RESPONSE);
  long after = resident_kib();
  EXPECT_LT(after - before, 16 * 1024) << "a 4 GiB RAM with two pages touched must not be committed";
}

TEST(Memory, DebugTransportClipsAtEnd) {
  mem::Ram ram{"ram", mem::RamConfig{0x100}};
  test::TestInitiator cpu{"cpu"};
  cpu.socket.bind(ram.socket);
  uint8_t buf[16] = {};
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0xf8, buf, 16), 8u);
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x100, buf, 16), 0u);
}

// Loaders zero-fill .bss with debug writes: whole zero pages must not be committed
// (issue 19.7: a large segment cost gigabytes of RSS), and must read back as zero.
TEST(Memory, DebugZeroFillKeepsRamSparse) {
  constexpr uint64_t kSize = 256ull << 20;
  mem::Ram ram{"ram", mem::RamConfig{kSize}};
  test::TestInitiator cpu{"cpu"};
  cpu.socket.bind(ram.socket);
  EXPECT_EQ(cpu.write32(0x5000, 0x12345678), tlm::TLM_OK_RESPONSE);  // data the fill must clear
  uint8_t tail = 0x77;
  EXPECT_EQ(cpu.debug(tlm::TLM_WRITE_COMMAND, kSize - 1, &tail, 1), 1u);
  const long before = resident_kib();
  std::vector<uint8_t> zeros(1 << 20, 0);
  for (uint64_t at = 3; at < kSize - 1;) {  // unaligned start: partial first page
    const unsigned n = unsigned(std::min<uint64_t>(zeros.size(), kSize - 1 - at));
    ASSERT_EQ(cpu.debug(tlm::TLM_WRITE_COMMAND, at, zeros.data(), n), n);
    at += n;
  }
  EXPECT_LT(resident_kib() - before, 16 * 1024) << "zero-filling 256 MiB committed host memory";
  EXPECT_EQ(cpu.read32(0x5000), 0u) << "a page holding data reads zero after the fill";
  EXPECT_EQ(cpu.read8(kSize - 1), 0x77u) << "bytes past the fill are kept";
  uint8_t mixed[8192];
  for (unsigned i = 0; i < sizeof mixed; ++i) mixed[i] = uint8_t(i % 3 == 0 ? 0 : i);
  ASSERT_EQ(cpu.debug(tlm::TLM_WRITE_COMMAND, 0x10000, mixed, sizeof mixed), sizeof mixed);
  uint8_t back[8192];
  ASSERT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x10000, back, sizeof back), sizeof back);
  EXPECT_EQ(std::memcmp(mixed, back, sizeof mixed), 0) << "non-zero pages are written as given";
}
