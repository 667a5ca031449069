#pragma once
// virtio console device (virtio 1.2, 5.3) with a single port, which Linux
// makes hvc0: receiveq0 carries host input to the guest, transmitq0 guest
// output to the host. The host side is the UART's console backend (stdio,
// file, null, tcp on 127.0.0.1). Host input waits in a queue until the driver
// has made receive buffers available, so nothing is lost; it is delivered at
// a fixed poll period of simulated time.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/devices/console_backend.h"
#include "models/devices/virtio_device.h"

namespace vp::dev {

struct VirtioConsoleConfig {
  ConsoleKind console = ConsoleKind::Null;
  std::string console_file;  // ConsoleKind::File
  uint16_t port = 0;         // ConsoleKind::Tcp (0: any free port)
  std::string name;          // for messages ("virtio1")
  bool capture = false;      // keep transmitted bytes for take_output()
  uint64_t poll_ps = 100'000'000;  // input delivery period (100 us)
  uint16_t queue_size = 128;
};

class VirtioConsole : public VirtioDevice {
 public:
  static constexpr unsigned kReceiveQueue = 0;
  static constexpr unsigned kTransmitQueue = 1;
  static constexpr uint64_t kFEmergWrite = 1ull << 2;  // VIRTIO_CONSOLE_F_EMERG_WRITE
  static constexpr uint32_t kEmergWrOffset = 8;        // config: cols, rows, max_nr_ports, emerg_wr
  // Output taken from one transmit buffer at most; the rest is dropped (a
  // guest could otherwise chain descriptors over the same memory endlessly).
  static constexpr uint64_t kMaxTransmit = 1 << 20;

  explicit VirtioConsole(const VirtioConsoleConfig& config);
  ~VirtioConsole() override;

  uint32_t device_id() const override { return virtio::kIdConsole; }
  uint64_t features() const override { return kFEmergWrite; }
  std::vector<uint16_t> queue_max_sizes() const override { return {config_.queue_size, config_.queue_size}; }
  void write_config(VirtioContext& context, uint32_t offset, const uint8_t* data, unsigned len) override;
  void notify(VirtioContext& context, unsigned queue) override;
  uint64_t poll_period_ps() const override { return config_.poll_ps; }
  void poll(VirtioContext& context) override;
  // Host input not yet delivered to the guest (output is written to the
  // backend at once, so none is pending). Restored input goes before any new.
  void save_state(platform::StateWriter& out) const override;
  void restore_state(platform::StateReader& in) override;

  // Everything transmitted since the last call (only with capture).
  std::string take_output();
  // Bytes as if typed on the host; delivered at the next polls.
  void inject_input(const std::string& bytes);
  // TCP port listened on (tcp console), else 0.
  uint16_t tcp_port() const { return backend_->port(); }

 private:
  void output(const uint8_t* data, size_t len);
  void transmit(VirtioContext& context);
  void receive(VirtioContext& context);

  VirtioConsoleConfig config_;
  ByteQueue input_;
  std::unique_ptr<ConsoleBackend> backend_;
  std::string captured_;
  std::vector<uint8_t> buffer_;
};

}  // namespace vp::dev
