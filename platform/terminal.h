#pragma once
// The terminal vp shares with its guest: the guest's console bytes go to
// stdout, vp's own lines (progress, status, reports) to stderr. When both are
// the same terminal, a vp line never starts in the middle of a console line.
#include <cstddef>
#include <string>

namespace vp::platform {

// The guest's console output (UART on stdio, HTIF, semihosting), unbuffered.
void console_output(const char* data, size_t len);
// The same, gathered until console_flush() (or until 4 KiB wait): a UART
// writes a byte at a time, and a write(2) per byte cost the U-Boot boot ~10 %
// of its time. The device flushes on its own schedule (the ns16550 every poll
// period of simulated time); unbuffered output, message() and the end of the
// process flush first, so the order of everything written stays as written.
void console_output_buffered(const char* data, size_t len);
void console_flush();
// A line of vp's own on stderr (a newline is added); starts on a fresh line.
void message(const std::string& line);

}  // namespace vp::platform
