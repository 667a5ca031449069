// The split virtqueue and a device on their own, over a byte-array guest
// memory: no transport, no SystemC. Index wrap-around, byte streams across
// buffers, bounds of chain walks.
#include "models/devices/virtio_queue.h"

#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "models/devices/virtio_rng.h"
#include "tests/devices/sc_test_main.h"

using vp::dev::GuestMemory;
using vp::dev::VirtqChain;
using vp::dev::Virtqueue;

namespace {

class ArrayMemory : public GuestMemory {
 public:
  std::vector<uint8_t> bytes = std::vector<uint8_t>(0x10000, 0);
  bool read(uint64_t a, void* d, size_t n) override {
    if (a > bytes.size() || n > bytes.size() - a) return false;
    std::memcpy(d, &bytes[a], n);
    return true;
  }
  bool write(uint64_t a, const void* s, size_t n) override {
    if (a > bytes.size() || n > bytes.size() - a) return false;
    std::memcpy(&bytes[a], s, n);
    return true;
  }
  template <typename T>
  void put(uint64_t a, T v) {
    std::memcpy(&bytes.at(a), &v, sizeof v);
  }
  template <typename T>
  T get(uint64_t a) {
    T v;
    std::memcpy(&v, &bytes.at(a), sizeof v);
    return v;
  }
  void desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
    put<uint64_t>(table + 16 * i, addr);
    put<uint32_t>(table + 16 * i + 8, len);
    put<uint16_t>(table + 16 * i + 12, flags);
    put<uint16_t>(table + 16 * i + 14, next);
  }
};

constexpr uint64_t kDesc = 0x1000, kAvail = 0x2000, kUsed = 0x3000;

Virtqueue make_queue(uint16_t size, bool event_idx = true) {
  Virtqueue q;
  q.size = size;
  q.desc_addr = kDesc;
  q.avail_addr = kAvail;
  q.used_addr = kUsed;
  EXPECT_TRUE(q.enable(size, event_idx, true)) << q.error();
  return q;
}

void offer(ArrayMemory& m, uint16_t size, uint16_t head) {
  const uint16_t idx = m.get<uint16_t>(kAvail + 2);
  m.put<uint16_t>(kAvail + 4 + 2 * (idx % size), head);
  m.put<uint16_t>(kAvail + 2, uint16_t(idx + 1));
}

TEST(Virtqueue, IndexesWrapAround) {
  ArrayMemory m;
  auto q = make_queue(4);
  m.desc(kDesc, 0, 0x8000, 8, Virtqueue::kDescWrite, 0);
  VirtqChain c;
  for (unsigned i = 0; i < 70000; ++i) {  // past 65535: the 16-bit indexes wrap
    m.put<uint16_t>(kAvail + 4 + 2 * 4, uint16_t(i));  // used_event: notify on every buffer
    offer(m, 4, 0);
    ASSERT_EQ(q.pop(m, c), Virtqueue::Pop::Chain) << i << ": " << q.error();
    ASSERT_TRUE(q.push(m, c.head, 8));
    bool ok = false;
    ASSERT_TRUE(q.should_notify(m, ok)) << i;
    ASSERT_EQ(q.pop(m, c), Virtqueue::Pop::Empty);
  }
  EXPECT_EQ(m.get<uint16_t>(kUsed + 2), uint16_t(70000));
  EXPECT_EQ(m.get<uint16_t>(kUsed + 4 + 8 * 4), uint16_t(70000)) << "avail_event follows";
}

TEST(Virtqueue, StreamsSpanBuffers) {
  ArrayMemory m;
  auto q = make_queue(8);
  std::memcpy(&m.bytes[0x8000], "abc", 3);
  std::memcpy(&m.bytes[0x9000], "defgh", 5);
  m.desc(kDesc, 0, 0x8000, 3, Virtqueue::kDescNext, 5);
  m.desc(kDesc, 5, 0x9000, 5, Virtqueue::kDescNext, 2);
  m.desc(kDesc, 2, 0xa000, 2, Virtqueue::kDescNext | Virtqueue::kDescWrite, 3);
  m.desc(kDesc, 3, 0xb000, 4, Virtqueue::kDescWrite, 0);
  offer(m, 8, 0);
  VirtqChain c;
  ASSERT_EQ(q.pop(m, c), Virtqueue::Pop::Chain);
  EXPECT_EQ(c.readable_size, 8u);
  EXPECT_EQ(c.writable_size, 6u);
  char buf[8] = {};
  ASSERT_TRUE(c.read(m, 2, buf, 4));
  EXPECT_EQ(std::string(buf, 4), "cdef");
  EXPECT_FALSE(c.read(m, 6, buf, 3)) << "past the readable stream";
  ASSERT_TRUE(c.write(m, 1, "WXYZ", 4));
  EXPECT_EQ(m.bytes[0xa001], 'W');
  EXPECT_EQ(std::string(reinterpret_cast<char*>(&m.bytes[0xb000]), 3), "XYZ");
}

TEST(Virtqueue, WalksAreBoundedByTheirTables) {
  ArrayMemory m;
  auto q = make_queue(32768, false);  // the largest queue: a loop must still end quickly
  for (unsigned i = 0; i < 3; ++i) m.desc(kDesc, i, 0x8000, 1, Virtqueue::kDescNext, uint16_t((i + 1) % 3));
  offer(m, 32768, 0);
  VirtqChain c;
  EXPECT_EQ(q.pop(m, c), Virtqueue::Pop::Error);
  EXPECT_NE(q.error().find("loop"), std::string::npos) << q.error();

  // An indirect table whose entries loop is bounded by its own length.
  ArrayMemory m2;
  auto q2 = make_queue(8);
  for (unsigned i = 0; i < 4; ++i) m2.desc(0x6000, i, 0x8000, 1, Virtqueue::kDescNext, uint16_t((i + 1) % 4));
  m2.desc(kDesc, 0, 0x6000, 64, Virtqueue::kDescIndirect, 0);
  offer(m2, 8, 0);
  EXPECT_EQ(q2.pop(m2, c), Virtqueue::Pop::Error);
  m2.desc(kDesc, 1, 0x6000, 20, Virtqueue::kDescIndirect, 0);  // not a multiple of 16
  offer(m2, 8, 1);
  EXPECT_EQ(q2.pop(m2, c), Virtqueue::Pop::Error);
  EXPECT_NE(q2.error().find("indirect table"), std::string::npos) << q2.error();
}

TEST(Virtqueue, LayoutChecks) {
  Virtqueue q;
  q.size = 8;
  q.desc_addr = 0x1008;
  EXPECT_FALSE(q.enable(8, false, false));
  q.desc_addr = 0x1000;
  q.used_addr = 0x3002;
  EXPECT_FALSE(q.enable(8, false, false));
  q.used_addr = 0x3000;
  EXPECT_TRUE(q.enable(8, false, false));
  q.size = 16;
  EXPECT_FALSE(q.enable(8, false, false)) << "larger than the device's maximum";
  q.size = 0;
  EXPECT_FALSE(q.enable(8, false, false));
}

// A device is plain C++: the entropy device serving a queue through a
// context made of an array memory and one queue.
TEST(Virtqueue, DeviceWithoutATransport) {
  struct Context : vp::dev::VirtioContext {
    ArrayMemory mem;
    Virtqueue q = make_queue(4);
    int used_calls = 0;
    std::string reset_reason;
    GuestMemory& memory() override { return mem; }
    Virtqueue& queue(unsigned) override { return q; }
    void used(unsigned) override { ++used_calls; }
    void needs_reset(const std::string& why) override { reset_reason = why; }
    void config_changed() override {}
  } ctx;
  vp::dev::VirtioRng rng({uint64_t(5), 4});
  ctx.mem.desc(kDesc, 1, 0x8000, 16, Virtqueue::kDescWrite, 0);
  offer(ctx.mem, 4, 1);
  rng.notify(ctx, 0);
  EXPECT_EQ(ctx.used_calls, 1);
  EXPECT_EQ(ctx.mem.get<uint32_t>(kUsed + 4), 1u);
  EXPECT_EQ(ctx.mem.get<uint32_t>(kUsed + 8), 16u);
  EXPECT_NE(ctx.mem.get<uint64_t>(0x8000), 0u);
  offer(ctx.mem, 4, 9);  // not a descriptor of a 4-entry queue
  rng.notify(ctx, 0);
  EXPECT_NE(ctx.reset_reason.find("not a descriptor index"), std::string::npos) << ctx.reset_reason;
}

}  // namespace

VP_SC_TEST_MAIN
