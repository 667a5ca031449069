#include "models/cpu/htif.h"

#include <vector>

#include "models/cpu/core.h"

namespace vp::cpu {

void htif_handle(Core& core, uint64_t tohost, uint64_t fromhost, uint64_t value,
                 const HtifActions& act) {
  const uint64_t dev = value >> 56, cmd = (value >> 48) & 0xff;
  const uint64_t payload = value & ((1ull << 48) - 1);
  const uint64_t zero = 0;
  core.phys_write(tohost, &zero, 8);
  if (dev == 0 && cmd == 0) {
    if (payload & 1) {
      const uint64_t code = payload >> 1;
      act.exit(static_cast<int>(code),
               code == 0 ? "HTIF: pass" : "HTIF: exit code " + std::to_string(code));
      return;
    }
    // Syscall: magic_mem[0] = number, [1..3] = arguments (riscv-tests' syscall()).
    uint64_t args[4] = {};
    int64_t result = -1;
    if (core.phys_read(payload, args, sizeof args) && args[0] == 64 &&
        (args[1] == 1 || args[1] == 2) && args[3] < (1u << 20)) {
      std::vector<char> buf(args[3]);
      if (buf.empty() || core.phys_read(args[2], buf.data(), static_cast<unsigned>(buf.size()))) {
        act.output(buf.data(), buf.size());
        result = static_cast<int64_t>(args[3]);
      }
    }
    core.phys_write(payload, &result, 8);
    const uint64_t ack = 1;
    if (fromhost) core.phys_write(fromhost, &ack, 8);
    return;
  }
  if (dev == 1 && cmd == 1) {
    const char ch = static_cast<char>(payload & 0xff);
    act.output(&ch, 1);
    const uint64_t ack = (1ull << 56) | (1ull << 48) | 0x100 | (payload & 0xff);
    if (fromhost) core.phys_write(fromhost, &ack, 8);
  }
  // Anything else (getchar, unknown devices): ignored, tohost cleared.
}

}  // namespace vp::cpu
