#include "models/devices/virtio_mmio.h"

#include <cstdio>

namespace vp::dev {

using namespace virtio;

VirtioMmio::VirtioMmio(const sc_core::sc_module_name& name, const VirtioMmioConfig& config,
                       std::unique_ptr<VirtioDevice> device)
    : MmioTarget(name, kSize, config.latency), config_(config), device_(std::move(device)) {
  expose_irq_out("irq", irq);
  expose_initiator("dma", dma_.socket);
  if (!device_) return;  // an empty slot has no queues and nothing to run
  max_sizes_ = device_->queue_max_sizes();
  queues_.resize(max_sizes_.size());
  notified_.assign(max_sizes_.size(), false);
  SC_HAS_PROCESS(VirtioMmio);
  SC_THREAD(worker);
}

VirtioMmio::~VirtioMmio() = default;

// The device may use its queues once the driver has accepted the features
// and set DRIVER_OK, until it needs a reset or the driver gives up (2.1.2).
bool VirtioMmio::live() const {
  return device_ && (status_ & kStatusDriverOk) && (status_ & kStatusFeaturesOk) &&
         !(status_ & (kStatusNeedsReset | kStatusFailed));
}

uint64_t VirtioMmio::offered_features() const {
  return device_ ? device_->features() | kFVersion1 | kFEventIdx | kFIndirectDesc : 0;
}

bool VirtioMmio::read(uint64_t offset, uint8_t* data, unsigned len, bool, const sc_core::sc_time&) {
  if (busy_) return false;  // the device's own DMA aimed at its registers
  if (offset >= kConfig) {
    if ((len != 1 && len != 2 && len != 4 && len != 8) || offset % len) return false;
    static const std::vector<uint8_t> kNone;
    const auto& config = device_ ? device_->config() : kNone;
    for (unsigned i = 0; i < len; ++i) {
      const uint64_t at = offset - kConfig + i;
      data[i] = at < config.size() ? config[at] : 0;
    }
    return true;
  }
  if (len != 4 || offset % 4) return false;
  store_le(data, len, read_register(offset));
  return true;
}

bool VirtioMmio::write(uint64_t offset, const uint8_t* data, unsigned len, bool, const sc_core::sc_time& now) {
  if (busy_) return false;
  if (offset >= kConfig) {
    if ((len != 1 && len != 2 && len != 4 && len != 8) || offset % len) return false;
    if (device_) device_->write_config(*this, uint32_t(offset - kConfig), data, len);
    return true;
  }
  if (len != 4 || offset % 4) return false;
  write_register(offset, uint32_t(load_le(data, len)), now);
  return true;
}

uint32_t VirtioMmio::read_register(uint64_t offset) const {
  const bool selected = queue_sel_ < queues_.size();
  const Virtqueue* q = selected ? &queues_[queue_sel_] : nullptr;
  switch (offset) {
    case kMagicValue: return kMagic;
    case kVersion: return 2;
    case kDeviceId: return device_ ? device_->device_id() : 0;
    case kVendorId: return config_.vendor_id;
    case kDeviceFeatures:
      return device_features_sel_ < 2 ? uint32_t(offered_features() >> (32 * device_features_sel_)) : 0;
    case kQueueNumMax: return selected ? max_sizes_[queue_sel_] : 0;
    case kQueueNum: return q ? q->size : 0;
    case kQueueReady: return q && q->ready() ? 1 : 0;
    case kInterruptStatus: return interrupt_status_;
    case kStatus: return status_;
    case kQueueDescLow: return q ? uint32_t(q->desc_addr) : 0;
    case kQueueDescHigh: return q ? uint32_t(q->desc_addr >> 32) : 0;
    case kQueueDriverLow: return q ? uint32_t(q->avail_addr) : 0;
    case kQueueDriverHigh: return q ? uint32_t(q->avail_addr >> 32) : 0;
    case kQueueDeviceLow: return q ? uint32_t(q->used_addr) : 0;
    case kQueueDeviceHigh: return q ? uint32_t(q->used_addr >> 32) : 0;
    case kShmLenLow:
    case kShmLenHigh:
    case kShmBaseLow:
    case kShmBaseHigh: return 0xffffffffu;  // no shared memory regions
    case kConfigGeneration: return config_generation_;
    default: return 0;  // write-only registers
  }
}

void VirtioMmio::write_register(uint64_t offset, uint32_t value, const sc_core::sc_time& now) {
  Virtqueue* q = queue_sel_ < queues_.size() ? &queues_[queue_sel_] : nullptr;
  // Queue layout registers are ignored while the queue is in use.
  Virtqueue* idle = q && !q->ready() ? q : nullptr;
  auto set_low = [](uint64_t& r, uint32_t v) { r = (r & ~0xffffffffull) | v; };
  auto set_high = [](uint64_t& r, uint32_t v) { r = (r & 0xffffffffull) | uint64_t(v) << 32; };
  switch (offset) {
    case kDeviceFeaturesSel: device_features_sel_ = value; break;
    case kDriverFeatures:
      // Features are frozen once FEATURES_OK is set (3.1.1).
      if (!(status_ & kStatusFeaturesOk) && driver_features_sel_ < 2) {
        const unsigned shift = 32 * driver_features_sel_;
        driver_features_ = (driver_features_ & ~(0xffffffffull << shift)) | uint64_t(value) << shift;
      }
      break;
    case kDriverFeaturesSel: driver_features_sel_ = value; break;
    case kQueueSel: queue_sel_ = value; break;
    case kQueueNum:
      if (idle) idle->size = uint16_t(value > 0xffff ? 0 : value);
      break;
    case kQueueReady:
      if (!q) break;
      if (value & 1)
        enable_queue();
      else
        q->disable();
      break;
    case kQueueNotify:
      // Without VIRTIO_F_NOTIFICATION_DATA the value is the queue index.
      if (value < notified_.size()) {
        notified_[value] = true;
        schedule(now);
      }
      break;
    case kInterruptAck:
      interrupt_status_ &= ~value;
      irq.set(interrupt_status_ != 0);
      break;
    case kStatus: write_status(value, now); break;
    case kQueueDescLow: if (idle) set_low(idle->desc_addr, value); break;
    case kQueueDescHigh: if (idle) set_high(idle->desc_addr, value); break;
    case kQueueDriverLow: if (idle) set_low(idle->avail_addr, value); break;
    case kQueueDriverHigh: if (idle) set_high(idle->avail_addr, value); break;
    case kQueueDeviceLow: if (idle) set_low(idle->used_addr, value); break;
    case kQueueDeviceHigh: if (idle) set_high(idle->used_addr, value); break;
    default: break;  // read-only registers
  }
}

void VirtioMmio::enable_queue() {
  Virtqueue& q = queues_[queue_sel_];
  if (q.ready()) return;
  const uint64_t negotiated = driver_features_ & offered_features();
  if (!q.enable(max_sizes_[queue_sel_], negotiated & kFEventIdx, negotiated & kFIndirectDesc))
    needs_reset("queue " + std::to_string(queue_sel_) + ": " + q.error());
}

// Device status (2.1). Writing 0 resets the device; FEATURES_OK only sticks
// when the driver accepted a subset of the offered features including
// VIRTIO_F_VERSION_1 (a version 2 transport has no legacy interface).
void VirtioMmio::write_status(uint32_t value, const sc_core::sc_time& now) {
  if (value == 0) {
    reset_device();
    return;
  }
  uint32_t next = value & ~kStatusNeedsReset;  // set by the device only
  if ((next & kStatusFeaturesOk) && !(status_ & kStatusFeaturesOk)) {
    const bool acceptable = device_ && !(driver_features_ & ~offered_features()) && (driver_features_ & kFVersion1);
    if (!acceptable) next &= ~kStatusFeaturesOk;
  }
  const bool was_live = live();
  status_ = next | (status_ & kStatusNeedsReset);
  if (!was_live && live()) {
    device_->activate(driver_features_);
    schedule(now);  // notifications that came before DRIVER_OK, and polling
  }
}

// Device reset (2.4): back to the initial state; requests not yet handled are
// dropped, so nothing is written to guest memory for them afterwards.
void VirtioMmio::reset_device() {
  status_ = 0;
  device_features_sel_ = driver_features_sel_ = 0;
  driver_features_ = 0;
  queue_sel_ = 0;
  for (auto& q : queues_) q.reset();
  notified_.assign(notified_.size(), false);
  interrupt_status_ = 0;
  irq.lower();
  if (device_) device_->reset();
}

void VirtioMmio::interrupt(uint32_t bits) {
  interrupt_status_ |= bits;
  irq.set(interrupt_status_ != 0);
}

void VirtioMmio::used(unsigned index) {
  bool ok = true;
  if (queues_.at(index).should_notify(dma_, ok)) interrupt(kIntUsedBuffer);
  if (!ok) needs_reset("queue " + std::to_string(index) + ": " + queues_[index].error());
}

void VirtioMmio::needs_reset(const std::string& why) {
  if (status_ & kStatusNeedsReset) return;
  status_ |= kStatusNeedsReset;
  last_error_ = why;
  std::fprintf(stderr, "%s: virtio device needs reset: %s\n", name(), why.c_str());
  // 2.1.2: with DRIVER_OK set, the device notifies a configuration change.
  if (status_ & kStatusDriverOk) interrupt(kIntConfigChange);
}

void VirtioMmio::config_changed() {
  ++config_generation_;
  if (status_ & kStatusDriverOk) interrupt(kIntConfigChange);
}

void VirtioMmio::schedule(const sc_core::sc_time& now) {
  if (!device_) return;
  const sc_core::sc_time t = sc_core::sc_time_stamp();
  kick_.notify(now > t ? now - t : sc_core::SC_ZERO_TIME);
}

void VirtioMmio::worker() {
  if (restart_pending_) {
    // Notifications saved before they were handled: as in the uninterrupted
    // run, the processors run their first quantum (or up to a WFI) before the
    // transport handles them (run_pending also takes any new notification).
    restart_pending_ = false;
    wait(sc_core::SC_ZERO_TIME);
    run_pending();
  }
  for (;;) {
    const uint64_t period = device_->poll_period_ps();
    if (period && live())
      wait(sc_core::sc_time(double(period), sc_core::SC_PS), kick_);
    else
      wait(kick_);
    run_pending();
  }
}

void VirtioMmio::run_pending() {
  if (!live()) return;  // notifications wait for DRIVER_OK; a reset drops them
  busy_ = true;
  dma_.delay = sc_core::SC_ZERO_TIME;  // the time DMA takes is not modelled
  for (unsigned i = 0; i < notified_.size() && live(); ++i) {
    if (!notified_[i]) continue;
    notified_[i] = false;
    if (queues_[i].ready()) device_->notify(*this, i);
  }
  if (live() && device_->poll_period_ps()) device_->poll(*this);
  busy_ = false;
}

}  // namespace vp::dev

namespace vp::dev {

// Format "virtio_mmio/2": the registers, the device ID, then per queue its
// layout and ring indexes and whether a notification is waiting to be
// handled, then the device's configuration space (checked: it follows from
// the device's settings, e.g. the disk size) and the device's own state.
bool VirtioMmio::save_state(platform::StateWriter& out) const {
  out.tag("virtio_mmio/2");
  out.u32(device_ ? device_->device_id() : 0);
  out.u32(status_);
  out.u32(device_features_sel_);
  out.u32(driver_features_sel_);
  out.u64(driver_features_);
  out.u32(queue_sel_);
  out.u32(interrupt_status_);
  out.u32(config_generation_);
  out.string(last_error_);
  out.u64(queues_.size());
  for (size_t i = 0; i < queues_.size(); ++i) {
    queues_[i].save_state(out);
    out.boolean(notified_[i]);
  }
  if (!device_) return true;
  out.blob(device_->config().data(), device_->config().size());
  device_->save_state(out);
  return true;
}

void VirtioMmio::restore_state(platform::StateReader& in) {
  in.tag("virtio_mmio/2");
  const uint32_t id = in.u32();
  const uint32_t mine = device_ ? device_->device_id() : 0;
  if (id != mine)
    in.fail("the checkpoint has virtio device ID " + std::to_string(id) + " in this slot, the platform " +
            std::to_string(mine) + " (0: empty slot)");
  status_ = in.u32();
  device_features_sel_ = in.u32();
  driver_features_sel_ = in.u32();
  driver_features_ = in.u64();
  queue_sel_ = in.u32();
  interrupt_status_ = in.u32();
  config_generation_ = in.u32();
  last_error_ = in.string();
  in.expect_u64(queues_.size(), "the virtio queue count");
  bool pending = false;
  for (size_t i = 0; i < queues_.size(); ++i) {
    queues_[i].restore_state(in, max_sizes_[i]);
    notified_[i] = in.boolean();
    pending = pending || notified_[i];
  }
  if (device_) {
    const auto config = in.blob(1 << 16);
    if (config != device_->config())
      in.fail("the device configuration space differs from the checkpoint's (another disk size or device settings)");
    device_->restore_state(in);
    // Notifications saved before they were handled, and polling: the worker
    // runs once at the start of the restored simulation.
    restart_pending_ = pending;
  }
  irq.set(interrupt_status_ != 0);
}

}  // namespace vp::dev
