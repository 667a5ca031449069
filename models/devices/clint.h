#pragma once
// SiFive CLINT (ACLINT MSWI + MTIMER in the classic layout). mtime follows
// SystemC time at the configured timebase; mtip is driven by an event at the
// exact time mtime reaches mtimecmp (no polling).
#include <cstdint>
#include <memory>
#include <vector>

#include "models/devices/mmio_target.h"
#include "platform/time_counter.h"

namespace vp::dev {

struct ClintConfig {
  unsigned harts = 1;
  uint64_t timebase_hz = 10'000'000;
  sc_core::sc_time latency{10, sc_core::SC_NS};
};

class Clint : public MmioTarget, public platform::TimeCounter {
 public:
  static constexpr uint64_t kSize = 0x10000;

  // Register map (SiFive CLINT; ACLINT spec 2.1 MSWI, 3.1 MTIMER).
  static constexpr uint64_t kMsip = 0x0000;      // + 4*hart, 32 bit, bit 0 only
  static constexpr uint64_t kMtimecmp = 0x4000;  // + 8*hart, 64 bit, reset all-ones
  static constexpr uint64_t kMtime = 0xbff8;     // 64 bit
  static constexpr uint32_t kMsipBit = 1u << 0;

  std::vector<platform::IrqOut> msip;  // "msip[N]" -> hart N machine software interrupt
  std::vector<platform::IrqOut> mtip;  // "mtip[N]" -> hart N machine timer interrupt

  Clint(const sc_core::sc_module_name& name, const ClintConfig& config = {});

  const ClintConfig& config() const { return config_; }
  // mtime at a given simulation time (including any offset the guest wrote).
  uint64_t mtime_at(const sc_core::sc_time& t) const;
  // platform::TimeCounter: mtime, for readers that asked with a TimeCounterExtension
  // (a hart's `time` CSR).
  uint64_t value_at(const sc_core::sc_time& t) const override { return mtime_at(t); }
  bool uniform(uint64_t& ticks_per_step, uint64_t& offset) const override {
    ticks_per_step = ticks_per_tick_;
    offset = mtime_offset_;
    return ticks_per_tick_ != 0;
  }
  // An 8-byte read of mtime carrying a TimeCounterExtension gets this counter.
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  uint64_t mtimecmp(unsigned hart) const { return harts_[hart]->mtimecmp; }

  // mtime's value (not the simulated time) and every hart's msip / mtimecmp.
  bool save_state(platform::StateWriter& out) const override;
  void restore_state(platform::StateReader& in) override;

 protected:
  // 4-byte accesses to msip; 4- or 8-byte naturally aligned accesses to
  // mtimecmp/mtime. Other sizes -> TLM_ADDRESS_ERROR_RESPONSE; reserved
  // offsets read 0 and ignore writes.
  bool read(uint64_t offset, uint8_t* data, unsigned len, bool debug,
            const sc_core::sc_time& now) override;
  bool write(uint64_t offset, const uint8_t* data, unsigned len, bool debug,
             const sc_core::sc_time& now) override;

 private:
  struct Hart {
    uint32_t msip = 0;
    uint64_t mtimecmp = ~uint64_t(0);
    sc_core::sc_event timer;  // fires when mtime reaches mtimecmp
  };

  uint64_t ticks_of(const sc_core::sc_time& t) const;
  void update_timer(unsigned hart, const sc_core::sc_time& now);
  void on_timer(unsigned hart);
  bool access64(uint64_t offset, uint8_t* data, unsigned len, bool is_write, bool debug,
                const sc_core::sc_time& now);

  ClintConfig config_;
  uint64_t ticks_per_second_;  // SystemC time resolution
  uint64_t ticks_per_tick_ = 0;  // SystemC ticks per mtime tick when a whole number, else 0
  uint64_t mtime_offset_ = 0;  // mtime = raw(time) + offset (set by writes to mtime)
  std::vector<std::unique_ptr<Hart>> harts_;
};

}  // namespace vp::dev
