#include "models/devices/virtio_rng.h"

#include <sstream>

#include <sys/random.h>

#include <algorithm>
#include <cerrno>

namespace vp::dev {

VirtioRng::VirtioRng(const VirtioRngConfig& config) : config_(config) {
  if (config_.seed) prng_.seed(*config_.seed);
}

size_t VirtioRng::generate(uint8_t* out, size_t len) {
  if (config_.seed) {
    for (size_t i = 0; i < len; i += 8) {
      const uint64_t word = prng_();
      for (size_t j = 0; j < 8 && i + j < len; ++j) out[i + j] = uint8_t(word >> (8 * j));
    }
    return len;
  }
  size_t done = 0;
  while (done < len) {
    const ssize_t n = ::getrandom(out + done, len - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // no entropy source: give what we have
    done += size_t(n);
  }
  return done;
}

void VirtioRng::notify(VirtioContext& context, unsigned queue) {
  Virtqueue& vq = context.queue(queue);
  GuestMemory& memory = context.memory();
  VirtqChain chain;
  bool pushed = false;
  for (unsigned n = 0; n <= vq.size; ++n) {  // one pass over the ring, then Empty
    const auto popped = vq.pop(memory, chain);
    if (popped == Virtqueue::Pop::Empty) break;
    if (popped == Virtqueue::Pop::Error) return context.needs_reset(vq.error());
    const size_t len = size_t(std::min<uint64_t>(chain.writable_size, kMaxRequest));
    buffer_.resize(len);
    const size_t made = generate(buffer_.data(), len);
    // A buffer the guest placed outside memory gets nothing (used length 0).
    const uint32_t written = chain.write(memory, 0, buffer_.data(), made) ? uint32_t(made) : 0;
    if (!vq.push(memory, chain.head, written)) return context.needs_reset(vq.error());
    pushed = true;
  }
  if (pushed) context.used(queue);
}

void VirtioRng::save_state(platform::StateWriter& out) const {
  out.tag("virtio_rng/1");
  std::ostringstream state;
  state << prng_;  // the standard's textual form of the engine state
  out.string(state.str());
}

void VirtioRng::restore_state(platform::StateReader& in) {
  in.tag("virtio_rng/1");
  std::istringstream state(in.string(1 << 16));
  std::mt19937_64 prng;
  state >> prng;
  if (state.fail()) in.fail("the entropy device's generator state is damaged");
  prng_ = prng;
}

}  // namespace vp::dev
