#pragma once
// Split virtqueue, device side (virtio 1.2, 2.7): the descriptor table, the
// available ring the driver fills and the used ring the device fills, all in
// guest memory. Pure C++ over GuestMemory; every walk is bounded by the queue
// size, and every guest mistake is reported as an error string (the transport
// then sets DEVICE_NEEDS_RESET) rather than trusted.
#include <cstdint>
#include <string>
#include <vector>

#include "models/devices/virtio_guest_memory.h"
#include "platform/state.h"

namespace vp::dev {

// One guest buffer of a descriptor chain.
struct VirtqBuffer {
  uint64_t addr = 0;
  uint32_t len = 0;
};

// A descriptor chain taken from the available ring: its device-readable
// buffers, then its device-writable ones (2.7.4.2). With VIRTIO_F_VERSION_1 a
// device may not assume any framing (2.7.4), so each side is one byte stream.
struct VirtqChain {
  uint16_t head = 0;
  std::vector<VirtqBuffer> readable, writable;
  uint64_t readable_size = 0, writable_size = 0;

  // Copies bytes [offset, offset + len) of the readable / writable stream;
  // false when the range passes the stream's end or guest memory refuses.
  bool read(GuestMemory& memory, uint64_t offset, void* dst, size_t len) const;
  bool write(GuestMemory& memory, uint64_t offset, const void* src, size_t len) const;
  void clear();
};

class Virtqueue {
 public:
  static constexpr uint16_t kMaxSize = 32768;  // 2.7: largest split queue

  // Descriptor flags (2.7.5).
  static constexpr uint16_t kDescNext = 1;
  static constexpr uint16_t kDescWrite = 2;
  static constexpr uint16_t kDescIndirect = 4;
  // Ring flags: avail.flags (2.7.7), used.flags (2.7.10).
  static constexpr uint16_t kAvailNoInterrupt = 1;
  static constexpr uint16_t kUsedNoNotify = 1;

  enum class Pop { Empty, Chain, Error };

  // --- Driver-written configuration (transport registers) ---------------
  uint16_t size = 0;  // QueueNum
  uint64_t desc_addr = 0, avail_addr = 0, used_addr = 0;

  // Checks the layout against the device's maximum size (a power of two up
  // to max_size, rings aligned as in 2.7 "Virtqueue Part Alignment"); on
  // success the queue is ready and starts at index 0. False: see error().
  bool enable(uint16_t max_size, bool event_idx, bool indirect);
  bool ready() const { return ready_; }
  // QueueReady = 0: stop using the queue, keep its configuration.
  void disable() { ready_ = false; }
  // Back to the reset state (not ready, no addresses, indexes 0).
  void reset();

  // Takes the next available chain into `chain`. Empty when the driver has
  // made nothing new available (then, with event_idx, avail_event is
  // published so the driver notifies for the next buffer).
  Pop pop(GuestMemory& memory, VirtqChain& chain);
  // True when the driver has made buffers available that pop() has not taken.
  // Errors (an unreadable ring) count as available: pop() then reports them.
  bool has_available(GuestMemory& memory);
  // Returns chain `head` to the driver with `written` bytes written into it.
  bool push(GuestMemory& memory, uint16_t head, uint32_t written);
  // After push()es: whether the driver wants a used-buffer notification now
  // (2.7.7, VIRTIO_F_EVENT_IDX's used_event or the NO_INTERRUPT flag). False
  // with error() set when the ring cannot be read.
  bool should_notify(GuestMemory& memory, bool& ok);

  // Checkpoints: layout, readiness, negotiated options and the device's ring
  // indexes (the rings themselves are guest memory). restore_state checks
  // the indexes against the layout and throws platform::StateError.
  void save_state(platform::StateWriter& out) const;
  void restore_state(platform::StateReader& in, uint16_t max_size);

  const std::string& error() const { return error_; }
  uint16_t used_index() const { return used_idx_; }
  uint16_t next_avail() const { return last_avail_; }

 private:
  bool fail(std::string message);
  bool read16(GuestMemory& memory, uint64_t addr, uint16_t& value);
  bool write16(GuestMemory& memory, uint64_t addr, uint16_t value);
  bool walk(GuestMemory& memory, uint16_t head, VirtqChain& chain);

  bool ready_ = false;
  bool event_idx_ = false;
  bool indirect_ = false;
  uint16_t last_avail_ = 0;       // next available ring entry the device takes
  uint16_t used_idx_ = 0;         // the device's used.idx
  uint16_t signalled_used_ = 0;   // used.idx at the last notification decision
  std::string error_;
};

}  // namespace vp::dev
