#pragma once
// Guest physical memory as a virtio device sees it. The virtio-mmio transport
// implements it over its own TLM initiator socket (DMI where granted,
// b_transport otherwise); unit tests may implement it over a byte array. A
// device reaches guest memory through nothing else.
#include <cstddef>
#include <cstdint>

namespace vp::dev {

class GuestMemory {
 public:
  virtual ~GuestMemory() = default;
  // False when any byte of [addr, addr + len) cannot be accessed (unmapped,
  // refused, or the range wraps around); bytes before it may have moved.
  virtual bool read(uint64_t addr, void* dst, size_t len) = 0;
  virtual bool write(uint64_t addr, const void* src, size_t len) = 0;
};

}  // namespace vp::dev
