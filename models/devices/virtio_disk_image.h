#pragma once
// The raw disk image behind a virtio block device. Reads and writes go to the
// file in the order they are made (pread/pwrite, nothing cached here), and
// flush() is fdatasync: after a kill -9 the file holds every completed write.
// In snapshot mode the image is opened read-only and written blocks go to a
// sparse, already-unlinked temporary file instead, so the image never changes.
// The file is locked (flock) against a second writer.
#include <cstdint>
#include <string>
#include <vector>

#include "platform/state.h"

namespace vp::dev {

struct DiskImageOptions {
  std::string path;
  bool readonly = false;  // the guest may not write
  bool snapshot = false;  // the guest may write; the image file is never modified
};

class DiskImage {
 public:
  static constexpr uint64_t kSectorSize = 512;

  // Checks that the image can be opened as asked and has a usable size;
  // returns an error message, or "" if it can. Used before the model is built.
  static std::string check(const DiskImageOptions& options);

  // Opens the image. Throws std::runtime_error with a clear message.
  explicit DiskImage(const DiskImageOptions& options);
  ~DiskImage();
  DiskImage(const DiskImage&) = delete;
  DiskImage& operator=(const DiskImage&) = delete;

  uint64_t size() const { return size_; }
  bool writable() const { return !options_.readonly; }

  // False on a host I/O error or a range past the end of the image.
  bool read(uint64_t offset, void* dst, size_t len);
  bool write(uint64_t offset, const void* src, size_t len);
  bool write_zeroes(uint64_t offset, uint64_t len);
  bool flush();

  // Checkpoints: the image's size and mode, and in snapshot mode every 4 KiB
  // chunk the guest has written (the overlay); a read-only image has no
  // state. A writable image refuses (StateError): its file goes on changing
  // after the checkpoint, so a restore would not see the disk as it was.
  void save_state(platform::StateWriter& out) const;
  void restore_state(platform::StateReader& in);

 private:
  static constexpr uint64_t kChunk = 4096;  // snapshot overlay granularity

  bool in_range(uint64_t offset, uint64_t len) const { return offset <= size_ && len <= size_ - offset; }
  bool overlay_write(uint64_t offset, const uint8_t* src, size_t len);
  bool overlay_read(uint64_t offset, uint8_t* dst, size_t len);
  void open_overlay();

  DiskImageOptions options_;
  int fd_ = -1;
  int overlay_fd_ = -1;         // snapshot: blocks written by the guest
  std::vector<bool> in_overlay_;  // snapshot: per kChunk, whether the overlay holds it
  uint64_t size_ = 0;
};

}  // namespace vp::dev
