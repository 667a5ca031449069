#include "models/devices/sifive_test.h"

#include <string>

#include "platform/simulation.h"

namespace vp::dev {

SifiveTest::SifiveTest(const sc_core::sc_module_name& name, const SifiveTestConfig& config)
    : MmioTarget(name, kSize, config.latency) {}

bool SifiveTest::read(uint64_t, uint8_t* data, unsigned len, bool debug, const sc_core::sc_time&) {
  if (!debug && len != 2 && len != 4) return false;
  store_le(data, len, 0);
  return true;
}

bool SifiveTest::write(uint64_t offset, const uint8_t* data, unsigned len, bool debug,
                       const sc_core::sc_time&) {
  if (debug) return true;  // a debugger poking the finisher must not end the run
  if (len != 2 && len != 4) return false;
  if (offset != 0) return true;
  const uint32_t value = uint32_t(load_le(data, len));
  const uint32_t status = value & 0xffff;
  const int code = int(value >> 16);
  switch (status) {
    case kPass:
      platform::request_stop(0, "test finisher: pass");
      break;
    case kFail:
      platform::request_stop(code, "test finisher: fail (code " + std::to_string(code) + ")");
      break;
    case kReset:
      platform::request_stop(0, "test finisher: reset requested (reset is not supported; stopping)");
      break;
    default:
      break;  // unknown status: ignored
  }
  return true;
}

}  // namespace vp::dev
