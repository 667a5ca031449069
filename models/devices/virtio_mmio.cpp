#include "models/devices/virtio_mmio.h"

namespace vp::dev {

VirtioMmio::VirtioMmio(const sc_core::sc_module_name& name, const VirtioMmioConfig& config)
    : MmioTarget(name, kSize, config.latency), config_(config) {
  expose_irq_out("irq", irq);
}

bool VirtioMmio::read(uint64_t offset, uint8_t* data, unsigned len, bool, const sc_core::sc_time&) {
  if (len != 4 || offset % 4) return false;
  uint32_t value = 0;
  switch (offset) {
    case kMagicValue: value = kMagic; break;
    case kVersion: value = 2; break;
    case kDeviceId: value = 0; break;
    case kVendorId: value = config_.vendor_id; break;
    case kStatus: value = status_; break;
    default: value = 0; break;  // features, queues and config space of an absent device
  }
  store_le(data, len, value);
  return true;
}

bool VirtioMmio::write(uint64_t offset, const uint8_t* data, unsigned len, bool, const sc_core::sc_time&) {
  if (len != 4 || offset % 4) return false;
  // Status is the only register a driver writes to an empty slot (0 = reset).
  if (offset == kStatus) status_ = uint32_t(load_le(data, len));
  return true;
}

}  // namespace vp::dev
