#pragma once
// Stands in for a hart on a platform's reservation monitor (platform/
// reservation_monitor.h): it holds an LR reservation (published, as when a
// hart lets other processes run) and, when observing, records every store
// reported as no processor's (device_store), as lock-step checking does.
#include <cstdint>
#include <cstring>
#include <vector>

#include "platform/reservation_monitor.h"

namespace vp::test {

class StoreProbe {
 public:
  explicit StoreProbe(platform::ReservationMonitor& monitor, bool observe = true)
      : monitor_(monitor), hart_(monitor.attach(nullptr)) {
    if (observe)
      monitor_.add_observer([this](uint64_t pa, const void* data, uint64_t len) {
        const auto* p = static_cast<const uint8_t*>(data);
        stores.push_back({pa, std::vector<uint8_t>(p, p + len)});
      });
  }
  // LR at pa, then published.
  void reserve(uint64_t pa) {
    monitor_.reserve(hart_, pa);
    monitor_.publish(hart_);
  }
  bool holds() const { return monitor_.holds(hart_); }

  // Whether the recorded stores, applied in order, leave [pa, pa + len) equal to data.
  bool saw(uint64_t pa, const void* data, size_t len) const {
    std::vector<uint8_t> got(len);
    std::vector<bool> set(len, false);
    for (const Store& s : stores)
      for (size_t i = 0; i < s.data.size(); ++i)
        if (s.pa + i >= pa && s.pa + i < pa + len) {
          got[s.pa + i - pa] = s.data[i];
          set[s.pa + i - pa] = true;
        }
    for (bool b : set)
      if (!b) return false;
    return std::memcmp(got.data(), data, len) == 0;
  }

  struct Store {
    uint64_t pa;
    std::vector<uint8_t> data;
  };
  std::vector<Store> stores;

 private:
  platform::ReservationMonitor& monitor_;
  unsigned hart_;
};

}  // namespace vp::test
