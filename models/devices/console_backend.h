#pragma once
// Host side of a serial console: where transmitted bytes go and where
// received bytes come from. Host threads only ever touch the ByteQueue; the
// device model moves bytes from it into its FIFO on its own simulated-time
// schedule.
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace vp::dev {

// Thread-safe byte queue between host threads and the simulation.
class ByteQueue {
 public:
  void push(const void* data, size_t len);
  // Pops up to max bytes into out; returns how many.
  size_t pop(uint8_t* out, size_t max);
  bool empty() const;
  // A copy of the bytes waiting (checkpoints).
  std::string contents() const;

 private:
  mutable std::mutex mutex_;
  std::deque<uint8_t> bytes_;
};

enum class ConsoleKind { Null, Stdio, File, Tcp };

struct ConsoleOptions {
  ConsoleKind kind = ConsoleKind::Null;
  std::string file;   // ConsoleKind::File: output path
  uint16_t port = 0;  // ConsoleKind::Tcp: 127.0.0.1 port (0: any free port)
  std::string name;   // for messages ("uart0")
};

// Transmitted bytes may be held back until flush(): the device flushes at its own
// simulated-time period and after a whole buffer (a system call per byte is
// what the host would otherwise pay). Destroying a backend flushes it.
class ConsoleBackend {
 public:
  virtual ~ConsoleBackend() = default;
  virtual void write(uint8_t byte) = 0;
  virtual void flush() {}
  // The TCP port actually listened on (ConsoleKind::Tcp), else 0.
  virtual uint16_t port() const { return 0; }
};

// Interactive console keys, as QEMU's: Ctrl-A then x quits, c prints a
// status line, h lists the keys; Ctrl-A twice sends one Ctrl-A. With a handler
// installed (before the console is created), a terminal console is fully raw:
// Ctrl-C goes to the guest instead of stopping vp. The handler runs on the
// console's reader thread and is given the key after Ctrl-A.
using ConsoleEscapeHandler = std::function<void(char key)>;
void set_console_escape_handler(ConsoleEscapeHandler handler);
// True once a console reads a terminal on stdin with the escape keys on.
bool console_escape_active();

// Received bytes are pushed into `input`. Throws std::runtime_error when the
// backend cannot be opened (file not writable, port in use).
std::unique_ptr<ConsoleBackend> make_console(const ConsoleOptions& options, ByteQueue& input);

}  // namespace vp::dev
