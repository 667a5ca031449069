// platform::ReservationMonitor: LR/SC reservation sets shared by processors.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "platform/reservation_monitor.h"

using vp::platform::ReservationMonitor;

namespace {

struct Harts {
  ReservationMonitor m;
  std::vector<std::vector<uint64_t>> revoked;  // pages each hart was told about
  std::vector<unsigned> slots;
  explicit Harts(unsigned n) : revoked(n) {
    for (unsigned i = 0; i < n; ++i) slots.push_back(m.attach([this, i](uint64_t page) { revoked[i].push_back(page); }));
  }
};

}  // namespace

TEST(ReservationMonitor, ScSucceedsOnceOnTheReservedAddress) {
  Harts h(2);
  h.m.reserve(0, 0x80001008);
  EXPECT_TRUE(h.m.holds(0));
  EXPECT_TRUE(h.m.store_conditional(0, 0x80001008));
  EXPECT_FALSE(h.m.holds(0));
  EXPECT_FALSE(h.m.store_conditional(0, 0x80001008));  // gone after an SC
  h.m.reserve(0, 0x80001008);
  EXPECT_FALSE(h.m.store_conditional(0, 0x80001038));  // same granule, another address
  EXPECT_FALSE(h.m.holds(0));
  h.m.reserve(0, 0x80001008);
  EXPECT_FALSE(h.m.store_conditional(0, 0x80001040));  // next granule
  // Another hart's store anywhere in the granule breaks the reservation.
  h.m.reserve(0, 0x80001008);
  h.m.store(1, 0x80001038, 8);
  EXPECT_FALSE(h.m.store_conditional(0, 0x80001008));
}

TEST(ReservationMonitor, PublishRevokesTheOthersFastPathsOnce) {
  Harts h(3);
  h.m.reserve(0, 0x80001010);
  EXPECT_FALSE(h.m.watching());
  h.m.publish(0);
  EXPECT_TRUE(h.m.watching());
  EXPECT_TRUE(h.m.page_watched(0x80001));
  EXPECT_FALSE(h.m.page_watched(0x80002));
  EXPECT_TRUE(h.revoked[0].empty());  // its own stores never break it
  EXPECT_EQ(h.revoked[1], std::vector<uint64_t>{0x80001});
  EXPECT_EQ(h.revoked[2], std::vector<uint64_t>{0x80001});
  h.m.reserve(1, 0x80001800);  // same page: nobody is told again
  h.m.publish(1);
  EXPECT_EQ(h.revoked[2].size(), 1u);
  h.m.publish(0);  // already published
  EXPECT_EQ(h.revoked[1].size(), 1u);
  EXPECT_TRUE(h.m.store_conditional(0, 0x80001010));
  EXPECT_TRUE(h.m.page_watched(0x80001));  // hart 1's is still watched
  h.m.clear(1);
  EXPECT_FALSE(h.m.watching());
  EXPECT_FALSE(h.m.page_watched(0x80001));
}

TEST(ReservationMonitor, AnotherHartsStoreBreaksOnlyOverlappingGranules) {
  Harts h(3);
  h.m.reserve(0, 0x80000040);
  h.m.reserve(1, 0x80000080);
  h.m.publish(0);
  h.m.publish(1);
  h.m.store(2, 0x8000007f, 1);  // the last byte of hart 0's granule
  EXPECT_FALSE(h.m.holds(0));
  EXPECT_TRUE(h.m.holds(1));
  h.m.store(1, 0x80000080, 8);  // a hart's own store keeps its reservation
  EXPECT_TRUE(h.m.holds(1));
  h.m.store(ReservationMonitor::kNoHart, 0x80000078, 16);  // spans into hart 1's granule
  EXPECT_FALSE(h.m.holds(1));
  EXPECT_FALSE(h.m.watching());
  h.m.reserve(2, 0x80000000);
  h.m.store(0, 0x80000000, 0);  // zero bytes store nothing
  EXPECT_TRUE(h.m.holds(2));
}

TEST(ReservationMonitor, DetachedSlotsAreReused) {
  Harts h(2);
  h.m.reserve(1, 0x1000);
  h.m.publish(1);
  h.m.detach(1);
  EXPECT_FALSE(h.m.watching());
  const unsigned again = h.m.attach(nullptr);
  EXPECT_EQ(again, 1u);
  EXPECT_FALSE(h.m.holds(again));
  h.m.reserve(0, 0x2000);
  h.m.publish(0);  // a slot without a callback is skipped
  EXPECT_TRUE(h.m.page_watched(0x2));
}

TEST(ReservationMonitor, DeviceStoresBreakReservationsAndReachObservers) {
  Harts h(2);
  EXPECT_EQ(h.m.processors(), 2u);
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> seen;
  const unsigned id = h.m.add_observer([&](uint64_t pa, const void* data, uint64_t len) {
    const auto* p = static_cast<const uint8_t*>(data);
    seen.push_back({pa, std::vector<uint8_t>(p, p + len)});
  });
  h.m.reserve(0, 0x80000040);
  h.m.reserve(1, 0x80000100);
  const uint8_t bytes[3] = {1, 2, 3};
  h.m.device_store(0x8000007e, bytes, 3);  // ends in the next granule: hart 0's is hit
  EXPECT_FALSE(h.m.holds(0));
  EXPECT_TRUE(h.m.holds(1));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].first, 0x8000007eu);
  EXPECT_EQ(seen[0].second, std::vector<uint8_t>({1, 2, 3}));
  h.m.remove_observer(id);
  h.m.device_store(0x80000100, bytes, 1);
  EXPECT_FALSE(h.m.holds(1));
  EXPECT_EQ(seen.size(), 1u);  // removed: not called any more
  h.m.detach(1);
  EXPECT_EQ(h.m.processors(), 1u);
}

// A device keeping DMI pointers (platform/dma.h) is told, as a processor is, when a page
// gets a watched reservation, and with kAllPages when the first observer arrives; it is
// no processor (processors() does not count it) and stops being told once detached.
TEST(ReservationMonitor, DevicesAreToldWhichStoresMustBeReported) {
  Harts h(1);
  std::vector<uint64_t> told;
  const unsigned dev = h.m.attach_device([&](uint64_t page) { told.push_back(page); });
  EXPECT_EQ(h.m.processors(), 1u);
  h.m.reserve(0, 0x80003010);
  h.m.publish(0);
  EXPECT_EQ(told, std::vector<uint64_t>({0x80003}));
  EXPECT_FALSE(h.m.observed());
  const unsigned a = h.m.add_observer([](uint64_t, const void*, uint64_t) {});
  const unsigned b = h.m.add_observer([](uint64_t, const void*, uint64_t) {});
  EXPECT_TRUE(h.m.observed());
  EXPECT_EQ(told, std::vector<uint64_t>({0x80003, ReservationMonitor::kAllPages}));  // once
  h.m.remove_observer(a);
  EXPECT_TRUE(h.m.observed());
  h.m.remove_observer(b);
  EXPECT_FALSE(h.m.observed());
  h.m.detach_device(dev);
  h.m.reserve(0, 0x80004000);
  h.m.publish(0);
  EXPECT_EQ(told.size(), 2u);
}
