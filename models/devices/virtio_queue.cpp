#include "models/devices/virtio_queue.h"

#include <algorithm>

namespace vp::dev {
namespace {

// Ring layout (virtio 1.2, 2.7.6 and 2.7.8): both rings start with le16
// flags, le16 idx; avail.ring[] holds le16 heads, used.ring[] 8-byte
// {le32 id, le32 len} elements; the event-index word follows each ring.
constexpr uint64_t kRingHeader = 4;
constexpr uint64_t kUsedElem = 8;
constexpr uint64_t kDescSize = 16;

uint16_t le16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t le32(const uint8_t* p) { return uint32_t(le16(p)) | uint32_t(le16(p + 2)) << 16; }
uint64_t le64(const uint8_t* p) { return uint64_t(le32(p)) | uint64_t(le32(p + 4)) << 32; }
void put_le32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}

// The used-event test shared by both notification directions (2.7.7.2, 2.7.10):
// notify if `event` lies in (old, new_idx], modulo 2^16.
bool need_event(uint16_t event, uint16_t new_idx, uint16_t old) {
  return uint16_t(new_idx - event - 1) < uint16_t(new_idx - old);
}

// Walks the part of a byte stream made of `buffers` that covers [offset,
// offset + len), calling copy(addr, position in the caller's buffer, n).
template <typename Copy>
bool stream_access(const std::vector<VirtqBuffer>& buffers, uint64_t total, uint64_t offset,
                   size_t len, Copy copy) {
  if (offset > total || len > total - offset) return false;
  uint64_t pos = 0;  // stream offset of the current buffer
  size_t done = 0;
  for (const auto& b : buffers) {
    if (done == len) break;
    const uint64_t end = pos + b.len;
    if (offset + done < end) {
      const uint64_t skip = offset + done - pos;
      const size_t n = size_t(std::min<uint64_t>(b.len - skip, len - done));
      if (!copy(b.addr + skip, done, n)) return false;
      done += n;
    }
    pos = end;
  }
  return done == len;
}

}  // namespace

bool VirtqChain::read(GuestMemory& memory, uint64_t offset, void* dst, size_t len) const {
  auto* out = static_cast<uint8_t*>(dst);
  return stream_access(readable, readable_size, offset, len, [&](uint64_t addr, size_t at, size_t n) {
    return memory.read(addr, out + at, n);
  });
}

bool VirtqChain::write(GuestMemory& memory, uint64_t offset, const void* src, size_t len) const {
  const auto* in = static_cast<const uint8_t*>(src);
  return stream_access(writable, writable_size, offset, len, [&](uint64_t addr, size_t at, size_t n) {
    return memory.write(addr, in + at, n);
  });
}

void VirtqChain::clear() {
  head = 0;
  readable.clear();
  writable.clear();
  readable_size = writable_size = 0;
}

bool Virtqueue::fail(std::string message) {
  error_ = std::move(message);
  return false;
}

bool Virtqueue::enable(uint16_t max_size, bool event_idx, bool indirect) {
  ready_ = false;
  if (size == 0 || size > max_size || (size & (size - 1)))
    return fail("queue size " + std::to_string(size) + " is not a power of two up to " +
                std::to_string(max_size));
  // Alignment of the three parts (2.7, "Virtqueue Part / Alignment").
  if (desc_addr % 16 || avail_addr % 2 || used_addr % 4)
    return fail("misaligned queue (descriptor table 16, available ring 2, used ring 4 bytes)");
  event_idx_ = event_idx;
  indirect_ = indirect;
  last_avail_ = used_idx_ = signalled_used_ = 0;
  error_.clear();
  ready_ = true;
  return true;
}

void Virtqueue::reset() { *this = Virtqueue(); }

bool Virtqueue::read16(GuestMemory& memory, uint64_t addr, uint16_t& value) {
  uint8_t b[2];
  if (!memory.read(addr, b, 2)) return false;
  value = le16(b);
  return true;
}

bool Virtqueue::write16(GuestMemory& memory, uint64_t addr, uint16_t value) {
  const uint8_t b[2] = {uint8_t(value), uint8_t(value >> 8)};
  return memory.write(addr, b, 2);
}

bool Virtqueue::has_available(GuestMemory& memory) {
  uint16_t idx = 0;
  if (!ready_ || !read16(memory, avail_addr + 2, idx)) return ready_;
  return idx != last_avail_;
}

Virtqueue::Pop Virtqueue::pop(GuestMemory& memory, VirtqChain& chain) {
  chain.clear();
  if (!ready_) return Pop::Empty;
  uint16_t avail_idx = 0;
  if (!read16(memory, avail_addr + 2, avail_idx)) {
    fail("cannot read the available ring index");
    return Pop::Error;
  }
  const uint16_t pending = uint16_t(avail_idx - last_avail_);
  if (pending > size) {
    fail("available index " + std::to_string(avail_idx) + " is " + std::to_string(pending) +
         " entries ahead of the device, more than the queue size " + std::to_string(size));
    return Pop::Error;
  }
  if (pending == 0) {
    // 2.7.10: with VIRTIO_F_EVENT_IDX, avail_event (after used.ring[]) asks the
    // driver to notify as soon as it makes the next buffer available.
    if (event_idx_ && !write16(memory, used_addr + kRingHeader + kUsedElem * size, last_avail_)) {
      fail("cannot write avail_event");
      return Pop::Error;
    }
    return Pop::Empty;
  }
  uint16_t head = 0;
  if (!read16(memory, avail_addr + kRingHeader + 2 * uint64_t(last_avail_ % size), head)) {
    fail("cannot read the available ring");
    return Pop::Error;
  }
  ++last_avail_;
  if (head >= size) {
    fail("available ring entry " + std::to_string(head) + " is not a descriptor index (queue size " +
         std::to_string(size) + ")");
    return Pop::Error;
  }
  return walk(memory, head, chain) ? Pop::Chain : Pop::Error;
}

// Follows a chain through the descriptor table and at most one indirect table
// (2.7.5, 2.7.5.3). A chain may not be longer than its table, so each walk is
// bounded by the table's entry count: a loop is detected, never followed.
bool Virtqueue::walk(GuestMemory& memory, uint16_t head, VirtqChain& chain) {
  chain.head = head;
  uint64_t table = desc_addr;
  uint32_t entries = size;
  uint32_t budget = size;
  uint32_t index = head;
  bool in_indirect = false;
  for (;;) {
    if (budget-- == 0)
      return fail("descriptor chain from head " + std::to_string(head) +
                  " is longer than its table (a loop?)");
    uint8_t raw[kDescSize];
    if (!memory.read(table + kDescSize * index, raw, sizeof raw))
      return fail("cannot read descriptor " + std::to_string(index));
    const uint64_t addr = le64(raw);
    const uint32_t len = le32(raw + 8);
    const uint16_t flags = le16(raw + 12);
    const uint16_t next = le16(raw + 14);
    if (flags & kDescIndirect) {
      if (!indirect_) return fail("indirect descriptor without VIRTIO_F_INDIRECT_DESC");
      if (in_indirect) return fail("indirect descriptor inside an indirect table");
      if (flags & kDescNext) return fail("indirect descriptor with NEXT set");
      // The table's own length bounds the walk through it; drivers size it
      // from seg_max, which may exceed a queue the driver chose smaller.
      if (len == 0 || len % kDescSize || len / kDescSize > kMaxSize)
        return fail("indirect table of " + std::to_string(len) + " bytes (a multiple of 16, at most " +
                    std::to_string(kMaxSize) + " entries)");
      table = addr;
      entries = budget = len / kDescSize;
      index = 0;
      in_indirect = true;
      continue;
    }
    if (flags & kDescWrite) {
      chain.writable.push_back({addr, len});
      chain.writable_size += len;
    } else {
      // 2.7.4.2: device-writable buffers come after device-readable ones.
      if (!chain.writable.empty()) return fail("device-readable descriptor after a device-writable one");
      chain.readable.push_back({addr, len});
      chain.readable_size += len;
    }
    if (!(flags & kDescNext)) return true;
    if (next >= entries)
      return fail("descriptor next index " + std::to_string(next) + " is out of its table (" +
                  std::to_string(entries) + " entries)");
    index = next;
  }
}

bool Virtqueue::push(GuestMemory& memory, uint16_t head, uint32_t written) {
  if (!ready_) return fail("used buffer on a queue that is not ready");
  uint8_t elem[kUsedElem];
  put_le32(elem, head);
  put_le32(elem + 4, written);
  if (!memory.write(used_addr + kRingHeader + kUsedElem * (used_idx_ % size), elem, sizeof elem))
    return fail("cannot write the used ring");
  ++used_idx_;
  if (!write16(memory, used_addr + 2, used_idx_)) return fail("cannot write the used ring index");
  return true;
}

bool Virtqueue::should_notify(GuestMemory& memory, bool& ok) {
  ok = true;
  if (!ready_) return false;
  if (!event_idx_) {
    uint16_t flags = 0;
    if (!read16(memory, avail_addr, flags)) return ok = fail("cannot read the available ring flags");
    return !(flags & kAvailNoInterrupt);
  }
  // 2.7.7: used_event (after avail.ring[]) is the used index the driver waits for.
  uint16_t used_event = 0;
  if (!read16(memory, avail_addr + kRingHeader + 2 * uint64_t(size), used_event))
    return ok = fail("cannot read used_event");
  const uint16_t old = signalled_used_;
  signalled_used_ = used_idx_;
  return need_event(used_event, used_idx_, old);
}

void Virtqueue::save_state(platform::StateWriter& out) const {
  out.u32(size);
  out.u64(desc_addr);
  out.u64(avail_addr);
  out.u64(used_addr);
  out.boolean(ready_);
  out.boolean(event_idx_);
  out.boolean(indirect_);
  out.u32(last_avail_);
  out.u32(used_idx_);
  out.u32(signalled_used_);
}

void Virtqueue::restore_state(platform::StateReader& in, uint16_t max_size) {
  const uint32_t n = in.u32();
  if (n > max_size) in.fail("queue size " + std::to_string(n) + " exceeds the device's " + std::to_string(max_size));
  size = uint16_t(n);
  desc_addr = in.u64();
  avail_addr = in.u64();
  used_addr = in.u64();
  ready_ = in.boolean();
  event_idx_ = in.boolean();
  indirect_ = in.boolean();
  auto index = [&in]() {
    const uint32_t v = in.u32();
    if (v > 0xffff) in.fail("a ring index exceeds 16 bits");
    return uint16_t(v);
  };
  last_avail_ = index();
  used_idx_ = index();
  signalled_used_ = index();
  if (ready_ && (size == 0 || (size & (size - 1)))) in.fail("a ready queue has size " + std::to_string(size));
  error_.clear();
}

}  // namespace vp::dev
