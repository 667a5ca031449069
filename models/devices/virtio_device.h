#pragma once
// A virtio device behind a transport (virtio 1.2, chapter 2 and 5): what the
// transport asks of it (identity, features, queues, configuration space,
// notifications, reset) and what it may do back (VirtioContext: guest memory,
// its virtqueues, used-buffer notifications, DEVICE_NEEDS_RESET). Devices are
// pure C++ with no SystemC, so they can be tested over any GuestMemory.
#include <cstdint>
#include <string>
#include <vector>

#include "models/devices/virtio_guest_memory.h"
#include "models/devices/virtio_queue.h"
#include "platform/state.h"

namespace vp::dev {

namespace virtio {
// Device IDs (5 "Device Types").
constexpr uint32_t kIdBlock = 2;
constexpr uint32_t kIdConsole = 3;
constexpr uint32_t kIdEntropy = 4;

// Device status bits (2.1).
constexpr uint32_t kStatusAcknowledge = 1;
constexpr uint32_t kStatusDriver = 2;
constexpr uint32_t kStatusDriverOk = 4;
constexpr uint32_t kStatusFeaturesOk = 8;
constexpr uint32_t kStatusNeedsReset = 64;
constexpr uint32_t kStatusFailed = 128;

// Reserved feature bits the transport implements (6 "Reserved Feature Bits").
constexpr uint64_t kFIndirectDesc = 1ull << 28;
constexpr uint64_t kFEventIdx = 1ull << 29;
constexpr uint64_t kFVersion1 = 1ull << 32;
}  // namespace virtio

// The device's view of its transport.
class VirtioContext {
 public:
  virtual ~VirtioContext() = default;
  virtual GuestMemory& memory() = 0;
  virtual Virtqueue& queue(unsigned index) = 0;
  // After push()ing to a queue: sends the used-buffer notification if the
  // driver's suppression settings ask for one.
  virtual void used(unsigned queue) = 0;
  // The device hit a driver error it cannot report per request: sets
  // DEVICE_NEEDS_RESET and notifies a configuration change (2.1.2).
  virtual void needs_reset(const std::string& why) = 0;
  // The configuration space changed: bumps ConfigGeneration and notifies.
  virtual void config_changed() = 0;
};

class VirtioDevice {
 public:
  virtual ~VirtioDevice() = default;

  virtual uint32_t device_id() const = 0;
  // Device-type feature bits (0..23); the transport adds the reserved ones.
  virtual uint64_t features() const = 0;
  // Largest size of each virtqueue; the vector's size is the queue count.
  virtual std::vector<uint16_t> queue_max_sizes() const = 0;

  // Device configuration space (2.5), little-endian as the driver sees it.
  const std::vector<uint8_t>& config() const { return config_space_; }
  // A driver write to a writable configuration field; default: ignored.
  virtual void write_config(VirtioContext&, uint32_t /*offset*/, const uint8_t* /*data*/,
                            unsigned /*len*/) {}

  // The driver set DRIVER_OK with these negotiated features.
  virtual void activate(uint64_t /*features*/) {}
  // Device reset (Status = 0, 2.4): forget every request in flight.
  virtual void reset() {}
  // The driver notified `queue` (QueueNotify); called only while the device is live.
  virtual void notify(VirtioContext& context, unsigned queue) = 0;
  // Devices with host-side input (a console) are polled this often in
  // simulated time while live; 0 = never.
  virtual uint64_t poll_period_ps() const { return 0; }
  virtual void poll(VirtioContext&) {}

  // Checkpoints (docs/checkpoints.md): the device's own state beyond its
  // queues, which the transport saves. Requests complete within notify(), so
  // there is never a request in flight to save. save_state throws
  // platform::StateError with the reason when the state cannot be captured.
  virtual void save_state(platform::StateWriter&) const {}
  virtual void restore_state(platform::StateReader&) {}

 protected:
  template <typename T>
  void set_config(size_t offset, T value) {
    if (config_space_.size() < offset + sizeof(T)) config_space_.resize(offset + sizeof(T), 0);
    for (size_t i = 0; i < sizeof(T); ++i) config_space_[offset + i] = uint8_t(uint64_t(value) >> (8 * i));
  }

 private:
  std::vector<uint8_t> config_space_;
};

}  // namespace vp::dev
