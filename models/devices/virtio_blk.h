#pragma once
// virtio block device (virtio 1.2, 5.2) over a raw disk image: IN, OUT,
// FLUSH, GET_ID, DISCARD and WRITE_ZEROES requests on one request queue.
// Requests run in ring order, each to completion before the next, so writes
// reach the image in the order the driver made them available. A request
// that is malformed or out of range gets VIRTIO_BLK_S_IOERR (an unknown type
// VIRTIO_BLK_S_UNSUPP); only a chain without room for the status byte, or a
// broken ring, makes the device need a reset.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/devices/virtio_device.h"
#include "models/devices/virtio_disk_image.h"

namespace vp::dev {

struct VirtioBlkConfig {
  std::string image;
  bool readonly = false;
  bool snapshot = false;   // writes go to a temporary overlay; the image never changes
  std::string serial;      // GET_ID answer, at most 20 bytes
  uint32_t blk_size = 512; // preferred block size the driver sees
  uint16_t queue_size = 256;
};

class VirtioBlk : public VirtioDevice {
 public:
  // Request types (5.2.6).
  static constexpr uint32_t kTypeIn = 0;
  static constexpr uint32_t kTypeOut = 1;
  static constexpr uint32_t kTypeFlush = 4;
  static constexpr uint32_t kTypeGetId = 8;
  static constexpr uint32_t kTypeDiscard = 11;
  static constexpr uint32_t kTypeWriteZeroes = 13;
  // Status values.
  static constexpr uint8_t kStatusOk = 0;
  static constexpr uint8_t kStatusIoErr = 1;
  static constexpr uint8_t kStatusUnsupp = 2;
  // Feature bits (5.2.3).
  static constexpr uint64_t kFSegMax = 1ull << 2;
  static constexpr uint64_t kFRo = 1ull << 5;
  static constexpr uint64_t kFBlkSize = 1ull << 6;
  static constexpr uint64_t kFFlush = 1ull << 9;
  static constexpr uint64_t kFDiscard = 1ull << 13;
  static constexpr uint64_t kFWriteZeroes = 1ull << 14;
  // Configuration space offsets (5.2.4, struct virtio_blk_config).
  static constexpr size_t kCfgCapacity = 0;
  static constexpr size_t kCfgSegMax = 12;
  static constexpr size_t kCfgBlkSize = 20;
  static constexpr size_t kCfgMaxDiscardSectors = 36;
  static constexpr size_t kCfgMaxDiscardSeg = 40;
  static constexpr size_t kCfgDiscardAlignment = 44;
  static constexpr size_t kCfgMaxWriteZeroesSectors = 48;
  static constexpr size_t kCfgMaxWriteZeroesSeg = 52;
  static constexpr size_t kCfgWriteZeroesMayUnmap = 56;
  static constexpr size_t kConfigSize = 60;

  static constexpr uint64_t kSectorSize = 512;
  static constexpr size_t kIdBytes = 20;
  static constexpr uint32_t kMaxSegments = 16;  // per DISCARD / WRITE_ZEROES request
  static constexpr uint32_t kMaxZeroSectors = 1u << 22;  // 2 GiB per segment

  // Opens the image; throws std::runtime_error with a clear message.
  explicit VirtioBlk(const VirtioBlkConfig& config);
  ~VirtioBlk() override;

  uint32_t device_id() const override { return virtio::kIdBlock; }
  uint64_t features() const override;
  std::vector<uint16_t> queue_max_sizes() const override { return {config_.queue_size}; }
  void notify(VirtioContext& context, unsigned queue) override;

  // The disk overlay (DiskImage::save_state); requests have no other state.
  void save_state(platform::StateWriter& out) const override;
  void restore_state(platform::StateReader& in) override;

  uint64_t capacity() const { return image_->size() / kSectorSize; }

 private:
  uint8_t execute(GuestMemory& memory, const VirtqChain& chain, uint32_t& written);
  uint8_t read_sectors(GuestMemory& memory, const VirtqChain& chain, uint64_t sector, uint32_t& written);
  uint8_t write_sectors(GuestMemory& memory, const VirtqChain& chain, uint64_t sector);
  uint8_t get_id(GuestMemory& memory, const VirtqChain& chain, uint32_t& written);
  uint8_t discard_or_zero(GuestMemory& memory, const VirtqChain& chain, bool zero);
  bool sectors_in_range(uint64_t sector, uint64_t bytes) const;

  VirtioBlkConfig config_;
  std::unique_ptr<DiskImage> image_;
  std::vector<uint8_t> buffer_;  // bounce buffer between guest memory and the image
};

}  // namespace vp::dev
