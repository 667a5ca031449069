#pragma once
// Whole-buffer POSIX I/O: read(2)/write(2) may transfer less than asked and may
// be interrupted by a signal (EINTR); these loop until all of it is done.
// Each returns false on an error (errno set) or when the file ends or takes no
// more bytes (0 transferred; errno then unchanged).
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

namespace vp::platform {

// len bytes from offset (pread: the file position is not used or moved).
inline bool read_full_at(int fd, void* data, size_t len, uint64_t offset) {
  auto* p = static_cast<uint8_t*>(data);
  while (len > 0) {
    const ssize_t n = ::pread(fd, p, len, off_t(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= size_t(n);
    offset += uint64_t(n);
  }
  return true;
}

// len bytes at offset (pwrite).
inline bool write_full_at(int fd, const void* data, size_t len, uint64_t offset) {
  auto* p = static_cast<const uint8_t*>(data);
  while (len > 0) {
    const ssize_t n = ::pwrite(fd, p, len, off_t(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= size_t(n);
    offset += uint64_t(n);
  }
  return true;
}

// len bytes at the file position (write), which moves past them.
inline bool write_full(int fd, const void* data, size_t len) {
  auto* p = static_cast<const uint8_t*>(data);
  while (len > 0) {
    const ssize_t n = ::write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= size_t(n);
  }
  return true;
}

}  // namespace vp::platform
