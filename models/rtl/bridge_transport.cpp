#include "models/rtl/bridge_transport.h"

#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "models/rtl/vp_skt.h"

namespace vp::rtl {

namespace {
bool carries_data(const vp_rtl_header& h) {
  return (h.type == VP_RTL_MSG_WRITE || h.type == VP_RTL_MSG_RESP) && h.length > 0;
}
}  // namespace

StreamTransport::~StreamTransport() {
  flush();
  ::close(fd_);
}

int StreamTransport::send(const vp_rtl_header& h, const void* data, bool batch) {
  const size_t n = carries_data(h) && data ? h.length : 0;
  if (n > VP_RTL_MAX_DATA) return VP_RTL_ELENGTH;
  const size_t at = out_.size();
  out_.resize(at + VP_RTL_HEADER_SIZE + n);
  vp_rtl_encode(&h, out_.data() + at);
  if (n) std::copy_n(static_cast<const uint8_t*>(data), n, out_.data() + at + VP_RTL_HEADER_SIZE);
  ++pending_;
  return batch && pending_ < batch_ ? 0 : flush();
}

int StreamTransport::flush() {
  if (out_.empty()) return 0;
  const int rc = vp_skt_send(fd_, out_.data(), out_.size());
  out_.clear();
  pending_ = 0;
  return rc ? VP_RTL_EIO : 0;
}

int StreamTransport::recv(vp_rtl_header& h, void* data, size_t capacity) {
  if (const int rc = flush()) return rc;
  return vp_rtl_recv(fd_, &h, data, capacity);
}

ShmTransport::ShmTransport(int fd, uint32_t ring_size, int spin_us, unsigned batch) : batch_(batch) {
  const int rc = vp_shm_create(&shm_, fd, ring_size);
  if (rc) {
    ::close(fd);
    throw std::runtime_error(std::string("cannot set up the shared-memory segment: ") + vp_rtl_strerror(rc));
  }
  vp_shm_set_spin(&shm_, spin_us);
}

ShmTransport::~ShmTransport() { vp_shm_close(&shm_); }

int ShmTransport::send(const vp_rtl_header& h, const void* data, bool batch) {
  const int rc = vp_shm_send(&shm_, &h, data, !batch);
  if (rc == 0 && batch && unsigned(shm_.unwoken) >= batch_) vp_shm_wake(&shm_);
  return rc;
}

int ShmTransport::flush() {
  vp_shm_wake(&shm_);
  return 0;
}

int ShmTransport::recv(vp_rtl_header& h, void* data, size_t capacity) {
  return vp_shm_recv(&shm_, &h, data, capacity, -1);
}

}  // namespace vp::rtl
