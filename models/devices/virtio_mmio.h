#pragma once
// virtio-mmio transport, version 2 (virtio 1.2 spec, 4.2.2). With no device
// behind it (DeviceID 0) it is what QEMU's virt board puts in its unused
// slots: drivers read the magic, version and DeviceID 0 and skip the slot.
// Block and console devices behind the transport are not implemented yet.
#include <cstdint>

#include "models/devices/mmio_target.h"

namespace vp::dev {

struct VirtioMmioConfig {
  uint32_t vendor_id = 0x00005076;  // "vP"
  sc_core::sc_time latency{10, sc_core::SC_NS};
};

class VirtioMmio : public MmioTarget {
 public:
  static constexpr uint64_t kSize = 0x1000;

  // Register offsets (virtio spec 4.2.2, table "MMIO Device Register Layout").
  static constexpr uint64_t kMagicValue = 0x000;  // "virt"
  static constexpr uint64_t kVersion = 0x004;
  static constexpr uint64_t kDeviceId = 0x008;    // 0: no device
  static constexpr uint64_t kVendorId = 0x00c;
  static constexpr uint64_t kStatus = 0x070;
  static constexpr uint64_t kConfigGeneration = 0x0fc;
  static constexpr uint32_t kMagic = 0x74726976;

  platform::IrqOut irq;  // never raised while no device is attached

  VirtioMmio(const sc_core::sc_module_name& name, const VirtioMmioConfig& config = {});

 protected:
  // 32-bit registers only (the spec requires 32-bit aligned accesses).
  bool read(uint64_t offset, uint8_t* data, unsigned len, bool debug, const sc_core::sc_time& now) override;
  bool write(uint64_t offset, const uint8_t* data, unsigned len, bool debug, const sc_core::sc_time& now) override;

 private:
  VirtioMmioConfig config_;
  uint32_t status_ = 0;
};

}  // namespace vp::dev
