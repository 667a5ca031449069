#include "models/devices/virtio_blk.h"

#include <algorithm>
#include <cstring>

namespace vp::dev {
namespace {

constexpr uint64_t kHeaderSize = 16;   // struct virtio_blk_req: le32 type, le32 reserved, le64 sector
constexpr uint64_t kSegmentSize = 16;  // struct virtio_blk_discard_write_zeroes
constexpr uint32_t kSegmentUnmap = 1;
constexpr size_t kBounce = 64 * 1024;

uint32_t le32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }
uint64_t le64(const uint8_t* p) { return uint64_t(le32(p)) | uint64_t(le32(p + 4)) << 32; }

}  // namespace

VirtioBlk::VirtioBlk(const VirtioBlkConfig& config)
    : config_(config),
      image_(std::make_unique<DiskImage>(DiskImageOptions{config.image, config.readonly, config.snapshot})) {
  set_config<uint64_t>(kCfgCapacity, capacity());
  // Linux takes seg_max data segments plus header and status per request.
  set_config<uint32_t>(kCfgSegMax, uint32_t(config_.queue_size > 2 ? config_.queue_size - 2 : 1));
  set_config<uint32_t>(kCfgBlkSize, config_.blk_size);
  set_config<uint32_t>(kCfgMaxDiscardSectors, kMaxZeroSectors);
  set_config<uint32_t>(kCfgMaxDiscardSeg, kMaxSegments);
  set_config<uint32_t>(kCfgDiscardAlignment, config_.blk_size / uint32_t(kSectorSize));
  set_config<uint32_t>(kCfgMaxWriteZeroesSectors, kMaxZeroSectors);
  set_config<uint32_t>(kCfgMaxWriteZeroesSeg, kMaxSegments);
  set_config<uint8_t>(kCfgWriteZeroesMayUnmap, 0);
  set_config<uint8_t>(kConfigSize - 1, 0);  // unused1[3]
  buffer_.resize(kBounce);
}

VirtioBlk::~VirtioBlk() = default;

uint64_t VirtioBlk::features() const {
  uint64_t f = kFSegMax | kFBlkSize | kFFlush;
  if (config_.readonly) f |= kFRo;
  else f |= kFDiscard | kFWriteZeroes;
  return f;
}

bool VirtioBlk::sectors_in_range(uint64_t sector, uint64_t bytes) const {
  const uint64_t sectors = bytes / kSectorSize;
  return sector <= capacity() && sectors <= capacity() - sector;
}

void VirtioBlk::notify(VirtioContext& context, unsigned queue) {
  Virtqueue& vq = context.queue(queue);
  GuestMemory& memory = context.memory();
  VirtqChain chain;
  bool pushed = false;
  for (unsigned n = 0; n <= vq.size; ++n) {  // one pass over the ring, then Empty
    const auto popped = vq.pop(memory, chain);
    if (popped == Virtqueue::Pop::Empty) break;
    if (popped == Virtqueue::Pop::Error) return context.needs_reset(vq.error());
    // 5.2.6: the status byte is the last device-writable byte; without it
    // the request cannot even be answered.
    if (chain.writable_size == 0) return context.needs_reset("block request without a status byte");
    uint32_t written = 0;
    const uint8_t status = execute(memory, chain, written);
    if (!chain.write(memory, chain.writable_size - 1, &status, 1))
      return context.needs_reset("block request status byte is outside guest memory");
    if (!vq.push(memory, chain.head, written + 1)) return context.needs_reset(vq.error());
    pushed = true;
  }
  if (pushed) context.used(queue);
}

uint8_t VirtioBlk::execute(GuestMemory& memory, const VirtqChain& chain, uint32_t& written) {
  uint8_t header[kHeaderSize];
  if (!chain.read(memory, 0, header, sizeof header)) return kStatusIoErr;
  const uint32_t type = le32(header);
  const uint64_t sector = le64(header + 8);
  switch (type) {
    case kTypeIn: return read_sectors(memory, chain, sector, written);
    case kTypeOut: return write_sectors(memory, chain, sector);
    case kTypeFlush: return image_->flush() ? kStatusOk : kStatusIoErr;
    case kTypeGetId: return get_id(memory, chain, written);
    case kTypeDiscard: return discard_or_zero(memory, chain, false);
    case kTypeWriteZeroes: return discard_or_zero(memory, chain, true);
    default: return kStatusUnsupp;
  }
}

// IN: header only device-readable; data then status device-writable.
uint8_t VirtioBlk::read_sectors(GuestMemory& memory, const VirtqChain& chain, uint64_t sector, uint32_t& written) {
  const uint64_t bytes = chain.writable_size - 1;
  if (chain.readable_size != kHeaderSize || bytes % kSectorSize || !sectors_in_range(sector, bytes))
    return kStatusIoErr;
  for (uint64_t done = 0; done < bytes;) {
    const size_t n = size_t(std::min<uint64_t>(bytes - done, kBounce));
    if (!image_->read(sector * kSectorSize + done, buffer_.data(), n) || !chain.write(memory, done, buffer_.data(), n))
      return kStatusIoErr;
    done += n;
    written = uint32_t(std::min<uint64_t>(done, UINT32_MAX - 1));
  }
  return kStatusOk;
}

// OUT: header and data device-readable; only the status device-writable.
uint8_t VirtioBlk::write_sectors(GuestMemory& memory, const VirtqChain& chain, uint64_t sector) {
  const uint64_t bytes = chain.readable_size - kHeaderSize;
  if (!image_->writable() || chain.writable_size != 1 || bytes % kSectorSize || !sectors_in_range(sector, bytes))
    return kStatusIoErr;
  for (uint64_t done = 0; done < bytes;) {
    const size_t n = size_t(std::min<uint64_t>(bytes - done, kBounce));
    if (!chain.read(memory, kHeaderSize + done, buffer_.data(), n) ||
        !image_->write(sector * kSectorSize + done, buffer_.data(), n))
      return kStatusIoErr;
    done += n;
  }
  return kStatusOk;
}

// GET_ID: up to 20 bytes of serial, NUL-padded when shorter (5.2.6).
uint8_t VirtioBlk::get_id(GuestMemory& memory, const VirtqChain& chain, uint32_t& written) {
  uint8_t id[kIdBytes] = {};
  std::memcpy(id, config_.serial.data(), std::min(config_.serial.size(), kIdBytes));
  const size_t n = size_t(std::min<uint64_t>(chain.writable_size - 1, kIdBytes));
  if (!chain.write(memory, 0, id, n)) return kStatusIoErr;
  written = uint32_t(n);
  return kStatusOk;
}

// DISCARD / WRITE_ZEROES: header then whole 16-byte segments, device-readable.
// DISCARD is a hint this device takes as valid and does nothing for; the
// unmap flag is refused on it as 5.2.6.2 requires.
uint8_t VirtioBlk::discard_or_zero(GuestMemory& memory, const VirtqChain& chain, bool zero) {
  const uint64_t bytes = chain.readable_size - kHeaderSize;
  const uint64_t count = bytes / kSegmentSize;
  if (!image_->writable() || chain.writable_size != 1 || bytes % kSegmentSize || count == 0 || count > kMaxSegments)
    return kStatusIoErr;
  uint8_t seg[kSegmentSize];
  for (uint64_t i = 0; i < count; ++i) {
    if (!chain.read(memory, kHeaderSize + i * kSegmentSize, seg, sizeof seg)) return kStatusIoErr;
    const uint64_t sector = le64(seg);
    const uint32_t sectors = le32(seg + 8);
    const uint32_t flags = le32(seg + 12);
    if ((flags & ~kSegmentUnmap) || (!zero && (flags & kSegmentUnmap))) return kStatusUnsupp;
    if (sectors > kMaxZeroSectors || !sectors_in_range(sector, uint64_t(sectors) * kSectorSize)) return kStatusIoErr;
  }
  if (!zero) return kStatusOk;
  for (uint64_t i = 0; i < count; ++i) {
    if (!chain.read(memory, kHeaderSize + i * kSegmentSize, seg, sizeof seg)) return kStatusIoErr;
    if (!image_->write_zeroes(le64(seg) * kSectorSize, uint64_t(le32(seg + 8)) * kSectorSize)) return kStatusIoErr;
  }
  return kStatusOk;
}

void VirtioBlk::save_state(platform::StateWriter& out) const {
  out.tag("virtio_blk/1");
  image_->save_state(out);
}

void VirtioBlk::restore_state(platform::StateReader& in) {
  in.tag("virtio_blk/1");
  image_->restore_state(in);
}

}  // namespace vp::dev
