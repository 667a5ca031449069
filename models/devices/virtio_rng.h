#pragma once
// virtio entropy device (virtio 1.2, 5.4): one request queue whose
// device-writable buffers the device fills with random bytes. The bytes come
// from the host (getrandom) or, with a seed, from a fixed pseudo-random
// sequence so that a run can be repeated exactly.
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "models/devices/virtio_device.h"

namespace vp::dev {

struct VirtioRngConfig {
  std::optional<uint64_t> seed;  // none: host entropy
  uint16_t queue_size = 64;
};

class VirtioRng : public VirtioDevice {
 public:
  // Bytes given per request at most (the device may fill less, 5.4).
  static constexpr size_t kMaxRequest = 64 * 1024;

  explicit VirtioRng(const VirtioRngConfig& config = {});

  uint32_t device_id() const override { return virtio::kIdEntropy; }
  uint64_t features() const override { return 0; }
  std::vector<uint16_t> queue_max_sizes() const override { return {config_.queue_size}; }
  void notify(VirtioContext& context, unsigned queue) override;
  // The pseudo-random generator's state (seeded runs repeat after a restore).
  void save_state(platform::StateWriter& out) const override;
  void restore_state(platform::StateReader& in) override;

 private:
  // Fills out with random bytes; returns how many it could produce.
  size_t generate(uint8_t* out, size_t len);

  VirtioRngConfig config_;
  std::mt19937_64 prng_;  // fully specified by the C++ standard: the same everywhere
  std::vector<uint8_t> buffer_;
};

}  // namespace vp::dev
