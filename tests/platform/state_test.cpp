// Checkpoint state records (platform/state.h) and the RAM's sparse, compressed state.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "models/mem/ram.h"
#include "platform/state.h"
#include "tests/support/test_initiator.h"

using namespace vp;
using platform::StateError;
using platform::StateReader;
using platform::StateWriter;

TEST(State, RoundTripsEveryFieldKind) {
  StateWriter w;
  w.tag("x/1");
  w.u8(0xab);
  w.u32(0xdeadbeef);
  w.u64(0x0123456789abcdefull);
  w.boolean(true);
  w.string("hello");
  const uint8_t raw[3] = {1, 2, 3};
  w.bytes(raw, 3);
  StateReader r(w.data().data(), w.data().size(), "test");
  r.tag("x/1");
  EXPECT_EQ(r.u8(), 0xab);
  EXPECT_EQ(r.u32(), 0xdeadbeefu);
  EXPECT_EQ(r.u64(), 0x0123456789abcdefull);
  EXPECT_TRUE(r.boolean());
  EXPECT_EQ(r.string(), "hello");
  uint8_t back[3];
  r.bytes(back, 3);
  EXPECT_EQ(std::memcmp(back, raw, 3), 0);
  EXPECT_NO_THROW(r.expect_end());
}

TEST(State, ReaderRefusesBadRecordsWithoutReadingPastTheEnd) {
  StateWriter w;
  w.u64(~0ull);  // a length far beyond the record
  StateReader big(w.data().data(), w.data().size(), "cpu0");
  EXPECT_THROW(big.blob(1 << 20), StateError) << "length above the limit";
  StateReader trunc(w.data().data(), 4, "cpu0");
  try {
    trunc.u64();
    FAIL() << "a truncated record must throw";
  } catch (const StateError& e) {
    EXPECT_NE(std::string(e.what()).find("cpu0: the record is truncated"), std::string::npos) << e.what();
  }
  StateWriter t;
  t.tag("ram/1");
  StateReader tag(t.data().data(), t.data().size(), "ram");
  EXPECT_THROW(tag.tag("clint/1"), StateError) << "another model's record";
  StateWriter f;
  f.u8(2);
  StateReader flag(f.data().data(), f.data().size(), "x");
  EXPECT_THROW(flag.boolean(), StateError);
  StateWriter c;
  c.u64(17);
  StateReader count(c.data().data(), c.data().size(), "x");
  EXPECT_THROW(count.count(16), StateError);
  StateReader left(c.data().data(), c.data().size(), "x");
  EXPECT_THROW(left.expect_end(), StateError) << "bytes left over";
}

TEST(State, RamSavesOnlyNonzeroPagesAndRestoresThem) {
  constexpr uint64_t kSize = 64ull << 20;
  mem::Ram a{"a", mem::RamConfig{kSize}};
  mem::Ram b{"b", mem::RamConfig{kSize}};
  test::TestInitiator ia{"ia"}, ib{"ib"};
  ia.socket.bind(a.socket);
  ib.socket.bind(b.socket);
  const uint64_t addrs[] = {0x0, 0x12340, kSize - 8};
  for (uint64_t at : addrs) ia.write<uint64_t>(at, 0x1122334455667788ull ^ at);
  ia.read<uint64_t>(0x800000);  // touched but zero: not saved
  ib.write<uint64_t>(0x400000, 42);  // restored memory loses what was there
  StateWriter w;
  ASSERT_TRUE(a.save_state(w));
  EXPECT_LT(w.data().size(), 4096u) << "3 pages of 64 MiB, compressed";
  StateReader r(w.data().data(), w.data().size(), "b");
  b.restore_state(r);
  r.expect_end();
  for (uint64_t at : addrs) EXPECT_EQ(ib.read<uint64_t>(at), 0x1122334455667788ull ^ at);
  EXPECT_EQ(ib.read<uint64_t>(0x400000), 0u);
  EXPECT_EQ(ib.read<uint64_t>(0x12348), 0u);

  mem::Ram small{"small", mem::RamConfig{kSize / 2}};
  StateReader r2(w.data().data(), w.data().size(), "small");
  EXPECT_THROW(small.restore_state(r2), StateError) << "another memory size";

  std::vector<uint8_t> bad = w.data();
  bad[bad.size() - 3] ^= 0x55;  // inside the deflate stream
  StateReader r3(bad.data(), bad.size(), "b");
  EXPECT_THROW(b.restore_state(r3), StateError) << "corrupt compressed data";
}
