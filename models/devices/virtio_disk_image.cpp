#include "models/devices/virtio_disk_image.h"

#include "platform/full_io.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace vp::dev {
namespace {

// Opens, locks and sizes the image; on failure returns -1 with `error` set.
int open_image(const DiskImageOptions& o, uint64_t& size, std::string& error) {
  const bool writes_file = !o.readonly && !o.snapshot;
  const std::string what = "disk image '" + o.path + "'";
  if (o.path.empty()) {
    error = "no disk image given";
    return -1;
  }
  const int fd = ::open(o.path.c_str(), (writes_file ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    const bool denied = writes_file && (e == EACCES || e == EROFS);
    error = "cannot open " + what + (denied ? " for writing" : "") + ": " + std::strerror(e);
    if (denied) error += " (use readonly or snapshot)";
    return -1;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
    error = what + " is not a regular file or block device";
    ::close(fd);
    return -1;
  }
  // A second vp writing the same image would corrupt it: one writer, or readers only.
  if (::flock(fd, (writes_file ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
    error = what + " is locked: another vp (or another disk of this platform) uses it";
    ::close(fd);
    return -1;
  }
  const off_t end = ::lseek(fd, 0, SEEK_END);
  if (end <= 0 || uint64_t(end) % DiskImage::kSectorSize) {
    error = what + (end == 0 ? " is empty"
                             : " has " + std::to_string(int64_t(end)) +
                                   " bytes, not a multiple of the 512-byte sector");
    ::close(fd);
    return -1;
  }
  size = uint64_t(end);
  return fd;
}

}  // namespace

std::string DiskImage::check(const DiskImageOptions& options) {
  uint64_t size = 0;
  std::string error;
  const int fd = open_image(options, size, error);
  if (fd >= 0) ::close(fd);
  return error;
}

DiskImage::DiskImage(const DiskImageOptions& options) : options_(options) {
  std::string error;
  fd_ = open_image(options_, size_, error);
  if (fd_ < 0) throw std::runtime_error(error);
  if (options_.snapshot) in_overlay_.assign(size_t((size_ + kChunk - 1) / kChunk), false);
}

DiskImage::~DiskImage() {
  if (overlay_fd_ >= 0) ::close(overlay_fd_);
  if (fd_ >= 0) ::close(fd_);
}

// The overlay is created on the first write and unlinked at once, so it
// disappears with the process however it ends.
void DiskImage::open_overlay() {
  const char* env = std::getenv("TMPDIR");
  const std::string dir = env && *env ? env : "/tmp";
  overlay_fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (overlay_fd_ >= 0) return;
  std::string name = dir + "/vp-snapshot-XXXXXX";
  overlay_fd_ = ::mkostemp(name.data(), O_CLOEXEC);
  if (overlay_fd_ >= 0) ::unlink(name.c_str());
}

bool DiskImage::read(uint64_t offset, void* dst, size_t len) {
  if (!in_range(offset, len)) return false;
  auto* out = static_cast<uint8_t*>(dst);
  return options_.snapshot ? overlay_read(offset, out, len) : platform::read_full_at(fd_, out, len, offset);
}

bool DiskImage::write(uint64_t offset, const void* src, size_t len) {
  if (options_.readonly || !in_range(offset, len)) return false;
  const auto* in = static_cast<const uint8_t*>(src);
  return options_.snapshot ? overlay_write(offset, in, len) : platform::write_full_at(fd_, in, len, offset);
}

bool DiskImage::write_zeroes(uint64_t offset, uint64_t len) {
  if (options_.readonly || !in_range(offset, len)) return false;
  static const std::vector<uint8_t> zeros(64 * 1024, 0);
  for (uint64_t done = 0; done < len;) {
    const size_t n = size_t(std::min<uint64_t>(len - done, zeros.size()));
    if (!write(offset + done, zeros.data(), n)) return false;
    done += n;
  }
  return true;
}

bool DiskImage::flush() {
  if (options_.readonly || options_.snapshot) return true;  // nothing of ours to make durable
  while (::fdatasync(fd_) != 0)
    if (errno != EINTR) return false;
  return true;
}

// Runs of chunks come from the overlay or the image, whichever holds them.
bool DiskImage::overlay_read(uint64_t offset, uint8_t* dst, size_t len) {
  while (len > 0) {
    const bool mine = in_overlay_[offset / kChunk];
    uint64_t end = offset;
    while (end < offset + len && in_overlay_[end / kChunk] == mine) end = (end / kChunk + 1) * kChunk;
    const size_t n = size_t(std::min<uint64_t>(end, offset + len) - offset);
    if (!platform::read_full_at(mine ? overlay_fd_ : fd_, dst, n, offset)) return false;
    dst += n;
    len -= n;
    offset += n;
  }
  return true;
}

// A chunk written for the first time is first copied whole from the image,
// so that its bytes outside the write stay the image's.
bool DiskImage::overlay_write(uint64_t offset, const uint8_t* src, size_t len) {
  if (len == 0) return true;
  if (overlay_fd_ < 0) open_overlay();
  if (overlay_fd_ < 0) return false;
  const uint64_t first = offset / kChunk, last = (offset + len - 1) / kChunk;
  for (uint64_t c : {first, last}) {
    const uint64_t start = c * kChunk, size = std::min(kChunk, size_ - start);
    const bool covered = offset <= start && offset + len >= start + size;
    if (in_overlay_[c] || covered) continue;
    uint8_t chunk[kChunk];
    if (!platform::read_full_at(fd_, chunk, size_t(size), start) ||
        !platform::write_full_at(overlay_fd_, chunk, size_t(size), start))
      return false;
    in_overlay_[c] = true;
  }
  if (!platform::write_full_at(overlay_fd_, src, len, offset)) return false;
  for (uint64_t c = first; c <= last; ++c) in_overlay_[c] = true;
  return true;
}

void DiskImage::save_state(platform::StateWriter& out) const {
  if (!options_.readonly && !options_.snapshot)
    throw platform::StateError("the writable disk '" + options_.path +
                               "' cannot be checkpointed (the file changes after the checkpoint): "
                               "attach it with snapshot: true or readonly: true");
  out.u64(size_);
  out.boolean(options_.snapshot);
  uint64_t count = 0;
  for (bool in : in_overlay_) count += in;
  out.u64(count);
  std::vector<uint8_t> chunk(kChunk);
  for (size_t c = 0; c < in_overlay_.size(); ++c) {
    if (!in_overlay_[c]) continue;
    const uint64_t start = c * kChunk;
    const size_t n = size_t(std::min<uint64_t>(kChunk, size_ - start));
    if (!platform::read_full_at(overlay_fd_, chunk.data(), n, start))
      throw platform::StateError("cannot read the snapshot overlay of '" + options_.path + "': " + std::strerror(errno));
    out.u64(c);
    out.blob(chunk.data(), n);
  }
}

void DiskImage::restore_state(platform::StateReader& in) {
  in.expect_u64(size_, "the size of disk '" + options_.path + "'");
  if (in.boolean() != options_.snapshot)
    in.fail("disk '" + options_.path + "' is attached in another mode (snapshot) than in the checkpoint");
  const uint64_t count = in.count(in_overlay_.size());
  std::fill(in_overlay_.begin(), in_overlay_.end(), false);
  if (count && overlay_fd_ < 0) open_overlay();
  if (count && overlay_fd_ < 0) in.fail("cannot create the snapshot overlay of '" + options_.path + "'");
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t c = in.count(in_overlay_.size() - 1);
    const uint64_t start = c * kChunk;
    const auto chunk = in.blob(kChunk);
    if (chunk.size() != std::min<uint64_t>(kChunk, size_ - start)) in.fail("a disk overlay chunk has the wrong size");
    if (!platform::write_full_at(overlay_fd_, chunk.data(), chunk.size(), start))
      in.fail("cannot write the snapshot overlay of '" + options_.path + "': " + std::strerror(errno));
    in_overlay_[c] = true;
  }
}

}  // namespace vp::dev
