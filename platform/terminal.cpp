#include "platform/terminal.h"

#include "platform/full_io.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>

namespace vp::platform {
namespace {

std::mutex g_mutex;
bool g_line_open = false;  // the last console byte was not a newline

bool shared_terminal() {
  static const bool shared = ::isatty(STDOUT_FILENO) && ::isatty(STDERR_FILENO);
  return shared;
}

}  // namespace

void console_output(const char* data, size_t len) {
  if (len == 0) return;
  std::lock_guard<std::mutex> lock(g_mutex);
  write_full(STDOUT_FILENO, data, len);  // false: a closed pipe, output is dropped
  g_line_open = data[len - 1] != '\n';
}

void message(const std::string& line) {
  std::lock_guard<std::mutex> lock(g_mutex);
  std::string text = line;
  if (text.empty() || text.back() != '\n') text += '\n';
  if (g_line_open && shared_terminal()) {
    text = "\r\n" + text;
    g_line_open = false;
  }
  write_full(STDERR_FILENO, text.data(), text.size());
}

}  // namespace vp::platform
