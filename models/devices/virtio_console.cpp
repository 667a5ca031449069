#include "models/devices/virtio_console.h"

#include <algorithm>

namespace vp::dev {

VirtioConsole::VirtioConsole(const VirtioConsoleConfig& config) : config_(config) {
  ConsoleOptions options;
  options.kind = config_.console;
  options.file = config_.console_file;
  options.port = config_.port;
  options.name = config_.name;
  backend_ = make_console(options, input_);
  // Configuration space (5.3.4): cols, rows (VIRTIO_CONSOLE_F_SIZE, not
  // offered), max_nr_ports (VIRTIO_CONSOLE_F_MULTIPORT, not offered), emerg_wr.
  set_config<uint32_t>(0, 0);
  set_config<uint32_t>(4, 1);
  set_config<uint32_t>(kEmergWrOffset, 0);
}

VirtioConsole::~VirtioConsole() = default;

std::string VirtioConsole::take_output() {
  std::string out;
  out.swap(captured_);
  return out;
}

void VirtioConsole::inject_input(const std::string& bytes) { input_.push(bytes.data(), bytes.size()); }

void VirtioConsole::output(const uint8_t* data, size_t len) {
  for (size_t i = 0; i < len; ++i) backend_->write(data[i]);
  backend_->flush();
  if (config_.capture) captured_.append(reinterpret_cast<const char*>(data), len);
}

// VIRTIO_CONSOLE_F_EMERG_WRITE: a write to emerg_wr outputs its low byte
// even before the queues are set up.
void VirtioConsole::write_config(VirtioContext&, uint32_t offset, const uint8_t* data, unsigned) {
  if (offset == kEmergWrOffset) output(data, 1);
}

void VirtioConsole::notify(VirtioContext& context, unsigned queue) {
  if (queue == kTransmitQueue) transmit(context);
  if (queue == kReceiveQueue) receive(context);  // new receive buffers: deliver waiting input
}

void VirtioConsole::poll(VirtioContext& context) { receive(context); }

void VirtioConsole::transmit(VirtioContext& context) {
  Virtqueue& vq = context.queue(kTransmitQueue);
  GuestMemory& memory = context.memory();
  VirtqChain chain;
  bool pushed = false;
  for (unsigned n = 0; n <= vq.size; ++n) {  // one pass over the ring, then Empty
    const auto popped = vq.pop(memory, chain);
    if (popped == Virtqueue::Pop::Empty) break;
    if (popped == Virtqueue::Pop::Error) return context.needs_reset(vq.error());
    const uint64_t total = std::min(chain.readable_size, kMaxTransmit);
    for (uint64_t at = 0; at < total;) {
      const size_t n_bytes = size_t(std::min<uint64_t>(total - at, 4096));
      buffer_.resize(n_bytes);
      if (!chain.read(memory, at, buffer_.data(), n_bytes)) break;  // outside memory: drop the rest
      output(buffer_.data(), n_bytes);
      at += n_bytes;
    }
    if (!vq.push(memory, chain.head, 0)) return context.needs_reset(vq.error());
    pushed = true;
  }
  if (pushed) context.used(kTransmitQueue);
}

void VirtioConsole::receive(VirtioContext& context) {
  Virtqueue& vq = context.queue(kReceiveQueue);
  if (!vq.ready()) return;
  GuestMemory& memory = context.memory();
  VirtqChain chain;
  bool pushed = false;
  for (unsigned n = 0; n < vq.size && !input_.empty() && vq.has_available(memory); ++n) {
    const auto popped = vq.pop(memory, chain);
    if (popped == Virtqueue::Pop::Empty) break;
    if (popped == Virtqueue::Pop::Error) return context.needs_reset(vq.error());
    buffer_.resize(size_t(std::min<uint64_t>(chain.writable_size, 4096)));
    // Only this thread pops the queue, so it still holds at least one byte.
    const size_t len = input_.pop(buffer_.data(), buffer_.size());
    const uint32_t written = chain.write(memory, 0, buffer_.data(), len) ? uint32_t(len) : 0;
    if (!vq.push(memory, chain.head, written)) return context.needs_reset(vq.error());
    pushed = true;
  }
  if (pushed) context.used(kReceiveQueue);
}

void VirtioConsole::save_state(platform::StateWriter& out) const {
  out.tag("virtio_console/1");
  out.string(input_.contents());
}

void VirtioConsole::restore_state(platform::StateReader& in) {
  in.tag("virtio_console/1");
  const std::string pending = in.string(1 << 24);
  input_.push(pending.data(), pending.size());
}

}  // namespace vp::dev
