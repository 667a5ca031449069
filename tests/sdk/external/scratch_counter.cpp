// dev.scratch_counter: a register device written against the installed SDK.
//   0x0 VALUE (RW)   0x8 ADD (W: VALUE += data)   0x10 READS (R: VALUE reads so far)
//   0x18 STEP (R: the `step` property) ; VALUE counts up by STEP on every write of 1 to 0x20.
#include "models/devices/mmio_target.h"
#include "platform/plugin.h"

namespace {

struct CounterConfig {
  uint64_t step = 1;
  sc_core::sc_time latency;
};

class ScratchCounter : public vp::dev::MmioTarget {
 public:
  ScratchCounter(const sc_core::sc_module_name& name, const CounterConfig& c)
      : MmioTarget(name, 0x100, c.latency), step_(c.step) {}

 private:
  bool read(uint64_t offset, uint8_t* data, unsigned len, bool debug, const sc_core::sc_time&) override {
    if (len != 8) return false;
    switch (offset) {
      case 0x0: if (!debug) ++reads_; store_le(data, 8, value_); return true;
      case 0x10: store_le(data, 8, reads_); return true;
      case 0x18: store_le(data, 8, step_); return true;
      default: return false;
    }
  }
  bool write(uint64_t offset, const uint8_t* data, unsigned len, bool, const sc_core::sc_time&) override {
    if (len != 8) return false;
    const uint64_t v = load_le(data, 8);
    switch (offset) {
      case 0x0: value_ = v; return true;
      case 0x8: value_ += v; return true;
      case 0x20: if (v == 1) value_ += step_; return true;
      default: return false;
    }
  }
  uint64_t value_ = 0, reads_ = 0, step_;
};

void register_types(vp::platform::Registry& r) {
  r.add({"dev.scratch_counter", "scratch counter (an external C++ plugin)",
         [](vp::platform::Properties& p) -> std::any {
           CounterConfig c;
           c.step = p.integer("step", 1);
           c.latency = sc_core::sc_time(double(p.time_ps("latency", 5000)), sc_core::SC_PS);
           return c;
         },
         [](const std::string& name, const std::any& config) -> std::unique_ptr<vp::platform::Component> {
           return std::make_unique<ScratchCounter>(name.c_str(), std::any_cast<const CounterConfig&>(config));
         },
         nullptr,
         {{"step", "Added to VALUE by a write of 1 to 0x20"}, {"latency", "Register access latency"}}});
}

}  // namespace

VP_PLUGIN(register_types)
