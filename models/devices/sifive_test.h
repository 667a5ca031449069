#pragma once
// SiFive test finisher ("sifive,test0"): the guest ends the simulation by
// writing a status word at offset 0 (QEMU hw/misc/sifive_test.c semantics).
#include <cstdint>

#include "models/devices/mmio_target.h"

namespace vp::dev {

struct SifiveTestConfig {
  sc_core::sc_time latency{10, sc_core::SC_NS};
};

class SifiveTest : public MmioTarget {
 public:
  static constexpr uint64_t kSize = 0x1000;

  // Status values written to FINISHER (bits 15:0); bits 31:16 carry the exit code of FAIL.
  static constexpr uint32_t kFail = 0x3333;   // exit with code = value >> 16
  static constexpr uint32_t kPass = 0x5555;   // exit 0
  static constexpr uint32_t kReset = 0x7777;  // reset requested (not supported: stop with 0)

  SifiveTest(const sc_core::sc_module_name& name, const SifiveTestConfig& config = {});
  bool save_state(platform::StateWriter&) const override { return true; }  // no state

 protected:
  // Accepts 2- and 4-byte accesses at any offset; reads return 0; writes
  // other than at offset 0 and unknown status values are ignored (as QEMU).
  bool read(uint64_t offset, uint8_t* data, unsigned len, bool debug,
            const sc_core::sc_time& now) override;
  bool write(uint64_t offset, const uint8_t* data, unsigned len, bool debug,
             const sc_core::sc_time& now) override;
};

}  // namespace vp::dev
