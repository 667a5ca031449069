#pragma once
// SiFive-compatible PLIC (RISC-V PLIC spec 1.0.0): level-triggered gateways,
// per-source priorities, per-context enables, thresholds and claim/complete.
#include <cstdint>
#include <string>
#include <vector>

#include "models/devices/mmio_target.h"

namespace vp::dev {

struct PlicConfig {
  unsigned sources = 96;  // including the reserved source 0
  unsigned contexts = 2;
  unsigned priority_bits = 3;
  sc_core::sc_time latency{10, sc_core::SC_NS};
};

class Plic : public MmioTarget {
 public:
  static constexpr uint64_t kSize = 0x4000000;

  // Register map (PLIC spec chapter 3, "Memory Map").
  static constexpr uint64_t kPriority = 0x000000;        // + 4*source
  static constexpr uint64_t kPending = 0x001000;         // + 4*word, read-only
  static constexpr uint64_t kEnable = 0x002000;          // + 0x80*context + 4*word
  static constexpr uint64_t kEnableStride = 0x80;
  static constexpr uint64_t kContext = 0x200000;         // + 0x1000*context
  static constexpr uint64_t kContextStride = 0x1000;
  static constexpr uint64_t kThreshold = 0x0;            // within a context block
  static constexpr uint64_t kClaimComplete = 0x4;        // within a context block
  static constexpr unsigned kMaxSources = 1024;
  static constexpr unsigned kMaxContexts = 15872;

  std::vector<platform::IrqIn> irq;   // "irq[N]" or "N": interrupt source N (1..sources-1)
  std::vector<platform::IrqOut> ctx;  // "ctx[N]": external interrupt of context N

  Plic(const sc_core::sc_module_name& name, const PlicConfig& config = {});

  const PlicConfig& config() const { return config_; }
  bool pending(unsigned source) const { return source < pending_.size() && pending_[source]; }

  bool save_state(platform::StateWriter& out) const override;
  void restore_state(platform::StateReader& in) override;

  platform::IrqIn* irq_in(const std::string& port, int index) const override;
  std::vector<std::string> irq_in_names() const override;

 protected:
  // Naturally aligned 4-byte accesses only (else TLM_ADDRESS_ERROR_RESPONSE).
  // Reserved offsets read 0 and ignore writes, like the SiFive hardware.
  bool read(uint64_t offset, uint8_t* data, unsigned len, bool debug,
            const sc_core::sc_time& now) override;
  bool write(uint64_t offset, const uint8_t* data, unsigned len, bool debug,
             const sc_core::sc_time& now) override;

 private:
  bool enabled(unsigned context, unsigned source) const {
    return enable_[context * words_ + source / 32] >> (source % 32) & 1;
  }
  void on_level(unsigned source, bool level);
  unsigned best(unsigned context, uint32_t floor) const;  // 0 if none above floor
  unsigned claim(unsigned context);
  void complete(unsigned context, unsigned source);
  void update();

  PlicConfig config_;
  unsigned words_;  // 32-bit words of pending/enable bits
  uint32_t priority_mask_;
  std::vector<uint32_t> priority_;
  std::vector<bool> pending_;
  std::vector<bool> claimed_;  // gateway closed: claimed, waiting for completion
  std::vector<uint32_t> enable_;
  std::vector<uint32_t> threshold_;
};

}  // namespace vp::dev
