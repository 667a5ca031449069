#pragma once
// Spike-style host-target interface (HTIF): a store to `tohost` carries a
// command (device << 56 | command << 48 | payload). Handled:
//  - device 0, command 0, payload odd: exit with code payload >> 1;
//  - device 0, command 0, payload even: syscall block at payload (only write(2) to fd 1/2);
//  - device 1, command 1: putchar; acknowledged through `fromhost` as Spike does.
#include <cstdint>
#include <functional>
#include <string>

namespace vp::cpu {

class Core;

struct HtifActions {
  std::function<void(int exit_code, const std::string& reason)> exit;
  std::function<void(const char* data, size_t len)> output;
};

void htif_handle(Core& core, uint64_t tohost, uint64_t fromhost, uint64_t value,
                 const HtifActions& act);

}  // namespace vp::cpu
