#pragma once
// virtio-mmio transport, version 2 (virtio 1.2, 4.2.2). It owns the register
// file, feature negotiation, the split virtqueues, the interrupt line and a
// DMA initiator socket ("dma") through which the device behind it reads and
// writes guest memory. Without a device (DeviceID 0) it is what QEMU's virt
// board puts in its unused slots: drivers read the magic, version and
// DeviceID 0 and skip the slot.
//
// Notifications are handled at the simulated time the driver wrote
// QueueNotify (its local time under temporal decoupling), by the transport's
// own thread; a reset before then drops them. Used-buffer and configuration
// notifications are a level interrupt: high while InterruptStatus != 0.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/devices/mmio_target.h"
#include "models/devices/virtio_device.h"
#include "models/devices/virtio_dma.h"

namespace vp::dev {

struct VirtioMmioConfig {
  uint32_t vendor_id = 0x00005076;  // "vP"
  sc_core::sc_time latency{10, sc_core::SC_NS};
};

class VirtioMmio : public MmioTarget, public platform::DmaInitiator, private VirtioContext {
 public:
  static constexpr uint64_t kSize = 0x1000;

  // Its DMA stores are reported to the platform (they break reservations).
  void set_reservation_monitor(platform::ReservationMonitor& monitor) override { dma_.set_reservation_monitor(monitor); }

  // Register offsets (4.2.2, "MMIO Device Register Layout").
  static constexpr uint64_t kMagicValue = 0x000;  // "virt"
  static constexpr uint64_t kVersion = 0x004;
  static constexpr uint64_t kDeviceId = 0x008;    // 0: no device
  static constexpr uint64_t kVendorId = 0x00c;
  static constexpr uint64_t kDeviceFeatures = 0x010;
  static constexpr uint64_t kDeviceFeaturesSel = 0x014;
  static constexpr uint64_t kDriverFeatures = 0x020;
  static constexpr uint64_t kDriverFeaturesSel = 0x024;
  static constexpr uint64_t kQueueSel = 0x030;
  static constexpr uint64_t kQueueNumMax = 0x034;
  static constexpr uint64_t kQueueNum = 0x038;
  static constexpr uint64_t kQueueReady = 0x044;
  static constexpr uint64_t kQueueNotify = 0x050;
  static constexpr uint64_t kInterruptStatus = 0x060;
  static constexpr uint64_t kInterruptAck = 0x064;
  static constexpr uint64_t kStatus = 0x070;
  static constexpr uint64_t kQueueDescLow = 0x080;
  static constexpr uint64_t kQueueDescHigh = 0x084;
  static constexpr uint64_t kQueueDriverLow = 0x090;
  static constexpr uint64_t kQueueDriverHigh = 0x094;
  static constexpr uint64_t kQueueDeviceLow = 0x0a0;
  static constexpr uint64_t kQueueDeviceHigh = 0x0a4;
  static constexpr uint64_t kShmSel = 0x0ac;
  static constexpr uint64_t kShmLenLow = 0x0b0;    // ~0: no shared memory region
  static constexpr uint64_t kShmLenHigh = 0x0b4;
  static constexpr uint64_t kShmBaseLow = 0x0b8;
  static constexpr uint64_t kShmBaseHigh = 0x0bc;
  static constexpr uint64_t kQueueReset = 0x0c0;
  static constexpr uint64_t kConfigGeneration = 0x0fc;
  static constexpr uint64_t kConfig = 0x100;       // device configuration space
  static constexpr uint32_t kMagic = 0x74726976;

  // InterruptStatus bits.
  static constexpr uint32_t kIntUsedBuffer = 1;
  static constexpr uint32_t kIntConfigChange = 2;

  platform::IrqOut irq;  // "irq": InterruptStatus != 0

  // `device` may be null: an empty slot.
  VirtioMmio(const sc_core::sc_module_name& name, const VirtioMmioConfig& config = {},
             std::unique_ptr<VirtioDevice> device = nullptr);
  ~VirtioMmio() override;

  VirtioDevice* device() const { return device_.get(); }
  // Why the device last set DEVICE_NEEDS_RESET ("" if it has not).
  const std::string& last_error() const { return last_error_; }

  // Checkpoints: the transport registers, every queue's layout and ring
  // indexes, pending notifications, and the attached device's own state
  // (VirtioDevice::save_state; a device may refuse with a reason).
  bool save_state(platform::StateWriter& out) const override;
  void restore_state(platform::StateReader& in) override;

 protected:
  // Registers: aligned 32-bit accesses; configuration space: aligned 1, 2, 4
  // and 8-byte accesses.
  bool read(uint64_t offset, uint8_t* data, unsigned len, bool debug, const sc_core::sc_time& now) override;
  bool write(uint64_t offset, const uint8_t* data, unsigned len, bool debug, const sc_core::sc_time& now) override;

 private:
  // VirtioContext
  GuestMemory& memory() override { return dma_; }
  Virtqueue& queue(unsigned index) override { return queues_.at(index); }
  void used(unsigned queue) override;
  void needs_reset(const std::string& why) override;
  void config_changed() override;

  uint32_t read_register(uint64_t offset) const;
  void write_register(uint64_t offset, uint32_t value, const sc_core::sc_time& now);
  void write_status(uint32_t value, const sc_core::sc_time& now);
  void reset_device();
  void enable_queue();
  bool live() const;
  uint64_t offered_features() const;
  void interrupt(uint32_t bits);
  void schedule(const sc_core::sc_time& now);
  void worker();
  void run_pending();

  VirtioMmioConfig config_;
  std::unique_ptr<VirtioDevice> device_;
  VirtioDma dma_{"dma"};
  std::vector<uint16_t> max_sizes_;
  std::vector<Virtqueue> queues_;
  std::vector<bool> notified_;  // QueueNotify seen, not yet handled
  sc_core::sc_event kick_;

  uint32_t status_ = 0;
  uint32_t device_features_sel_ = 0;
  uint32_t driver_features_sel_ = 0;
  uint64_t driver_features_ = 0;
  uint32_t queue_sel_ = 0;
  uint32_t interrupt_status_ = 0;
  uint32_t config_generation_ = 0;
  bool restart_pending_ = false;  // restored with notifications to handle
  bool busy_ = false;  // the device is running: its own DMA must not re-enter the registers
  std::string last_error_;
};

}  // namespace vp::dev
