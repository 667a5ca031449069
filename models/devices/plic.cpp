#include "models/devices/plic.h"

#include <cctype>

namespace vp::dev {

Plic::Plic(const sc_core::sc_module_name& name, const PlicConfig& config)
    : MmioTarget(name, kSize, config.latency),
      irq(config.sources),
      ctx(config.contexts),
      config_(config),
      words_((config.sources + 31) / 32),
      priority_mask_(config.priority_bits >= 32 ? ~0u : (1u << config.priority_bits) - 1),
      priority_(config.sources, 0),
      pending_(config.sources, false),
      claimed_(config.sources, false),
      enable_(size_t(config.contexts) * words_, 0),
      threshold_(config.contexts, 0) {
  for (unsigned s = 1; s < config_.sources; ++s)
    irq[s].on_change([this, s](bool level) { on_level(s, level); });
  expose_irq_out_array("ctx", ctx);
}

// Inputs are named by source number: "10", "irq[10]" (source 0 does not exist).
platform::IrqIn* Plic::irq_in(const std::string& port, int index) const {
  long source = -1;
  if (port == "irq") {
    source = index;
  } else if (index < 0 && !port.empty() && port.size() < 6) {
    source = 0;
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return nullptr;
      source = source * 10 + (c - '0');
    }
  }
  if (source < 1 || source >= long(config_.sources)) return nullptr;
  return const_cast<platform::IrqIn*>(&irq[size_t(source)]);
}

std::vector<std::string> Plic::irq_in_names() const {
  const std::string last = std::to_string(config_.sources - 1);
  return {"1.." + last, "irq[1.." + last + "]"};
}

// PLIC spec 1.0.0, "Interrupt Gateways": a level-triggered source forwards one
// request; it stays pending even if the level drops before the claim, and no
// new request is forwarded until the handler completes it.
void Plic::on_level(unsigned source, bool level) {
  if (level && !claimed_[source] && !pending_[source]) {
    pending_[source] = true;
    update();
  }
}

// Highest-priority pending enabled source above `floor` (ties: lowest id).
unsigned Plic::best(unsigned context, uint32_t floor) const {
  unsigned id = 0;
  uint32_t prio = floor;  // must be strictly above it
  for (unsigned s = 1; s < config_.sources; ++s)
    if (pending_[s] && enabled(context, s) && priority_[s] > prio) {
      prio = priority_[s];
      id = s;  // strict '>' keeps the lowest id on ties
    }
  return id;
}

// "The PLIC can perform a claim at any time and the claim operation is not
// affected by the setting of the priority threshold register"; priority 0
// still means "never interrupt".
unsigned Plic::claim(unsigned context) {
  const unsigned id = best(context, 0);
  if (id) {
    pending_[id] = false;
    claimed_[id] = true;
    update();
  }
  return id;
}

// "If the completion ID does not match an interrupt source that is currently
// enabled for the target, the completion is silently ignored."
void Plic::complete(unsigned context, unsigned source) {
  if (source == 0 || source >= config_.sources || !enabled(context, source) || !claimed_[source])
    return;
  claimed_[source] = false;
  if (irq[source].level()) pending_[source] = true;  // level still high: a new request
  update();
}

void Plic::update() {
  // EIP: a pending enabled interrupt with priority above the context's threshold.
  for (unsigned c = 0; c < config_.contexts; ++c) ctx[c].set(best(c, threshold_[c]) != 0);
}

bool Plic::read(uint64_t offset, uint8_t* data, unsigned len, bool debug, const sc_core::sc_time&) {
  if (len != 4 || offset % 4) return false;
  uint32_t value = 0;
  if (offset < kPending) {
    const uint64_t s = (offset - kPriority) / 4;
    if (s < config_.sources) value = priority_[s];
  } else if (offset < kEnable) {
    const uint64_t w = (offset - kPending) / 4;
    for (unsigned b = 0; b < 32 && w < words_; ++b) {
      const uint64_t s = w * 32 + b;
      if (s < config_.sources && pending_[s]) value |= 1u << b;
    }
  } else if (offset < kContext) {
    const uint64_t c = (offset - kEnable) / kEnableStride;
    const uint64_t w = (offset - kEnable) % kEnableStride / 4;
    if (c < config_.contexts && w < words_) value = enable_[c * words_ + w];
  } else {
    const uint64_t c = (offset - kContext) / kContextStride;
    const uint64_t reg = (offset - kContext) % kContextStride;
    if (c < config_.contexts) {
      if (reg == kThreshold) value = threshold_[c];
      // A debug read shows what a claim would return without claiming.
      if (reg == kClaimComplete) value = debug ? best(unsigned(c), 0) : claim(unsigned(c));
    }
  }
  store_le(data, len, value);
  return true;
}

bool Plic::write(uint64_t offset, const uint8_t* data, unsigned len, bool, const sc_core::sc_time&) {
  if (len != 4 || offset % 4) return false;
  const uint32_t value = uint32_t(load_le(data, len));
  if (offset < kPending) {
    const uint64_t s = (offset - kPriority) / 4;
    if (s >= 1 && s < config_.sources) priority_[s] = value & priority_mask_;
  } else if (offset < kEnable) {
    return true;  // pending bits are read-only
  } else if (offset < kContext) {
    const uint64_t c = (offset - kEnable) / kEnableStride;
    const uint64_t w = (offset - kEnable) % kEnableStride / 4;
    if (c >= config_.contexts || w >= words_) return true;
    uint32_t mask = ~0u;
    if (w == 0) mask &= ~1u;  // source 0 does not exist
    const unsigned top = config_.sources - unsigned(w) * 32;
    if (top < 32) mask &= (1u << top) - 1;
    enable_[c * words_ + w] = value & mask;
  } else {
    const uint64_t c = (offset - kContext) / kContextStride;
    const uint64_t reg = (offset - kContext) % kContextStride;
    if (c >= config_.contexts) return true;
    if (reg == kThreshold) threshold_[c] = value & priority_mask_;
    if (reg == kClaimComplete) complete(unsigned(c), value);
    if (reg != kThreshold) return true;
  }
  update();
  return true;
}

}  // namespace vp::dev

namespace vp::dev {

bool Plic::save_state(platform::StateWriter& out) const {
  out.tag("plic/1");
  out.u64(config_.sources);
  out.u64(config_.contexts);
  for (unsigned s = 0; s < config_.sources; ++s) {
    out.u32(priority_[s]);
    out.boolean(pending_[s]);
    out.boolean(claimed_[s]);
  }
  for (const uint32_t e : enable_) out.u32(e);
  for (const uint32_t t : threshold_) out.u32(t);
  return true;
}

void Plic::restore_state(platform::StateReader& in) {
  in.tag("plic/1");
  in.expect_u64(config_.sources, "the number of sources");
  in.expect_u64(config_.contexts, "the number of contexts");
  for (unsigned s = 0; s < config_.sources; ++s) {
    priority_[s] = in.u32() & priority_mask_;
    pending_[s] = in.boolean();
    claimed_[s] = in.boolean();
  }
  for (uint32_t& e : enable_) e = in.u32();
  for (uint32_t& t : threshold_) t = in.u32() & priority_mask_;
  update();
}

}  // namespace vp::dev
