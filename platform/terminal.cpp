#include "platform/terminal.h"

#include "platform/full_io.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>

namespace vp::platform {
namespace {

constexpr size_t kFlushAt = 4096;

std::mutex g_mutex;
bool g_line_open = false;  // the last console byte was not a newline
std::string g_pending;     // buffered console output not yet written
std::atomic<bool> g_any_pending{false};

bool shared_terminal() {
  static const bool shared = ::isatty(STDOUT_FILENO) && ::isatty(STDERR_FILENO);
  return shared;
}

// With g_mutex held.
void write_console(const char* data, size_t len) {
  if (len == 0) return;
  write_full(STDOUT_FILENO, data, len);  // false: a closed pipe, output is dropped
  g_line_open = data[len - 1] != '\n';
}

void flush_locked() {
  if (g_pending.empty()) return;
  write_console(g_pending.data(), g_pending.size());
  g_pending.clear();
  g_any_pending.store(false, std::memory_order_relaxed);
}

// Output buffered when the process ends (exit() after a fatal error) still goes out.
struct FlushAtExit {
  ~FlushAtExit() { console_flush(); }
} g_flush_at_exit;

}  // namespace

void console_output(const char* data, size_t len) {
  if (len == 0) return;
  std::lock_guard<std::mutex> lock(g_mutex);
  flush_locked();
  write_console(data, len);
}

void console_output_buffered(const char* data, size_t len) {
  if (len == 0) return;
  std::lock_guard<std::mutex> lock(g_mutex);
  g_pending.append(data, len);
  g_any_pending.store(true, std::memory_order_relaxed);
  if (g_pending.size() >= kFlushAt) flush_locked();
}

void console_flush() {
  if (!g_any_pending.load(std::memory_order_relaxed)) return;  // the common case: a cheap poll
  std::lock_guard<std::mutex> lock(g_mutex);
  flush_locked();
}

void message(const std::string& line) {
  std::lock_guard<std::mutex> lock(g_mutex);
  flush_locked();
  std::string text = line;
  if (text.empty() || text.back() != '\n') text += '\n';
  if (g_line_open && shared_terminal()) {
    text = "\r\n" + text;
    g_line_open = false;
  }
  write_full(STDERR_FILENO, text.data(), text.size());
}

}  // namespace vp::platform
