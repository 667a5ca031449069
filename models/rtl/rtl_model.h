#pragma once
// What the RTL bridge needs from a Verilator-compiled model, independent of
// its bus and top-level class: one clock cycle, one bus access, the interrupt
// and busy outputs, and waveforms. RtlModelImpl<Top, Bus> (verilated_model.h)
// implements it for a `verilator --cc` model; the bus transactors live there.
#include <cstdint>
#include <memory>
#include <string>

namespace vp::rtl {

enum class BusKind { Apb, Axi4Lite };

// Outcome of one bus access on the RTL's port.
enum class BusStatus { Ok, SlaveError, DecodeError, Timeout };

struct BusResult {
  BusStatus status = BusStatus::Ok;
  uint64_t cycles = 0;  // clock cycles the access took
};

class RtlModel {
 public:
  virtual ~RtlModel() = default;
  // Bytes per bus beat (4 for the 32-bit APB and AXI4-Lite transactors).
  virtual unsigned bus_bytes() const = 0;
  // Holds reset low for `cycles` clock cycles, then releases it.
  virtual void reset(unsigned cycles) = 0;
  // `count` idle clock cycles (the bus is idle).
  virtual void idle(uint64_t count) = 0;
  // One aligned bus beat: `strobe` selects bytes of `data` (little-endian).
  virtual BusResult read(uint64_t addr, uint32_t& data, uint64_t timeout_cycles) = 0;
  virtual BusResult write(uint64_t addr, uint32_t data, unsigned strobe, uint64_t timeout_cycles) = 0;
  // Output ports `irq` and `busy` (false when the top has no such port).
  virtual bool irq() const = 0;
  virtual bool busy() const = 0;
  // Waveforms: ".fst" or ".vcd" by the extension, if the model was verilated
  // with that kind of tracing; returns false otherwise.
  virtual bool open_trace(const std::string& path) = 0;
  virtual void flush_trace() = 0;
  // The model's clock period in ps (for the waveform time axis).
  virtual void set_period_ps(uint64_t ps) = 0;
  // Called after every clock edge so DPI calls made by the RTL know their context.
  virtual void set_cycle_hook(void (*hook)(void*), void* user) = 0;
};

// A factory the generated registration code provides for each RTL component.
using RtlModelFactory = std::unique_ptr<RtlModel> (*)();

}  // namespace vp::rtl
