// virtio entropy device behind the virtio-mmio transport.
#include "models/devices/virtio_rng.h"

#include <set>

#include "tests/devices/virtio_test_bench.h"

using namespace sc_core;
using vp::dev::VirtioMmio;
using vp::dev::VirtioRng;
using vp::dev::VirtioRngConfig;
using vp::test::VirtioBench;
namespace virtio = vp::dev::virtio;

namespace {

constexpr uint64_t kBuf = VirtioBench::kData;

VirtioBench& rng(std::optional<uint64_t> seed, const std::string& name) {
  VirtioRngConfig c;
  c.seed = seed;
  return vp::test::make<VirtioBench>(std::make_unique<VirtioRng>(c), name);
}

// Asks for `len` bytes (split over two buffers) and returns what came back.
std::string entropy(VirtioBench& b, uint32_t len) {
  const uint16_t before = b.used_idx(0);
  std::fill(b.mem.bytes.begin() + kBuf, b.mem.bytes.begin() + kBuf + len, 0);
  b.add(0, {{kBuf, len / 2, true}, {kBuf + len / 2, len - len / 2, true}});
  b.notify(0);
  b.run();
  EXPECT_EQ(b.used_idx(0), uint16_t(before + 1));
  EXPECT_EQ(b.used_len(0, before), len);
  return b.bytes(kBuf, len);
}

TEST(VirtioRng, SeededRunsRepeat) {
  auto& a = rng(42, "a");
  auto& b = rng(42, "b");
  auto& c = rng(43, "c");
  VirtioBench::elaborate();
  for (auto* x : {&a, &b, &c}) ASSERT_TRUE(x->init() & virtio::kStatusDriverOk);
  EXPECT_EQ(a.reg(VirtioMmio::kDeviceId), 4u);
  const std::string a1 = entropy(a, 100), a2 = entropy(a, 37);
  const std::string b1 = entropy(b, 100), b2 = entropy(b, 37);
  EXPECT_EQ(a1, b1) << "same seed, same bytes";
  EXPECT_EQ(a2, b2);
  EXPECT_NE(a1.substr(0, 37), a2) << "the sequence goes on";
  EXPECT_NE(entropy(c, 100), a1) << "another seed, other bytes";
  EXPECT_TRUE(a.mmio.irq.level());
}

TEST(VirtioRng, HostEntropyDeliversBytes) {
  auto& a = rng(std::nullopt, "a");
  VirtioBench::elaborate();
  ASSERT_TRUE(a.init() & virtio::kStatusDriverOk);
  const std::string x = entropy(a, 256), y = entropy(a, 256);
  EXPECT_NE(x, y);
  std::set<char> distinct(x.begin(), x.end());
  EXPECT_GT(distinct.size(), 64u) << "256 random bytes take many values";
  // A request larger than the device gives at once is filled up to its limit.
  a.add(0, {{kBuf, uint32_t(VirtioRng::kMaxRequest * 2), true}});
  a.notify(0);
  a.run();
  EXPECT_EQ(a.used_len(0, 2), VirtioRng::kMaxRequest);
}

}  // namespace

VP_SC_TEST_MAIN
