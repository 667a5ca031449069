#pragma once
// How rtl.socket's messages (vp_rtl_peer.h) travel: a stream socket (Unix or
// TCP) or shared-memory rings (vp_rtl_shm.h). Posted writes may be batched:
// sent with `batch`, they wait (in a buffer, or without a wake-up) until a
// batch is full, the next request, or flush().
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/rtl/vp_rtl_peer.h"
#include "models/rtl/vp_rtl_shm.h"

namespace vp::rtl {

class BridgeTransport {
 public:
  virtual ~BridgeTransport() = default;
  // 0 or a VP_RTL_E* code.
  virtual int send(const vp_rtl_header& h, const void* data, bool batch) = 0;
  virtual int flush() = 0;
  // The next message from the peer (validated); sends what is batched first.
  virtual int recv(vp_rtl_header& h, void* data, size_t capacity) = 0;
  virtual const char* kind() const = 0;
};

class StreamTransport : public BridgeTransport {
 public:
  StreamTransport(int fd, unsigned batch) : fd_(fd), batch_(batch) {}
  ~StreamTransport() override;
  int send(const vp_rtl_header& h, const void* data, bool batch) override;
  int flush() override;
  int recv(vp_rtl_header& h, void* data, size_t capacity) override;
  const char* kind() const override { return "socket"; }

 private:
  int fd_;
  unsigned batch_;
  unsigned pending_ = 0;  // messages in out_
  std::vector<uint8_t> out_;
};

class ShmTransport : public BridgeTransport {
 public:
  // Creates the segment and hands it to the peer over the accepted connection `fd`.
  // Throws std::runtime_error when that fails.
  ShmTransport(int fd, uint32_t ring_size, int spin_us, unsigned batch);
  ~ShmTransport() override;
  int send(const vp_rtl_header& h, const void* data, bool batch) override;
  int flush() override;
  int recv(vp_rtl_header& h, void* data, size_t capacity) override;
  const char* kind() const override { return "shared memory"; }
  const vp_shm& shm() const { return shm_; }

 private:
  vp_shm shm_{};
  unsigned batch_;
};

}  // namespace vp::rtl
