#pragma once
// The terminal vp shares with its guest: the guest's console bytes go to
// stdout, vp's own lines (progress, status, reports) to stderr. When both are
// the same terminal, a vp line never starts in the middle of a console line.
#include <cstddef>
#include <string>

namespace vp::platform {

// The guest's console output (UART on stdio, HTIF, semihosting), unbuffered.
void console_output(const char* data, size_t len);
// A line of vp's own on stderr (a newline is added); starts on a fresh line.
void message(const std::string& line);

}  // namespace vp::platform
