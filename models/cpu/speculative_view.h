#pragma once
// What a timing model may read of the hart's state to execute along a
// mispredicted path (the o3 backend's wrong-path execution) without any
// architectural effect: integer registers as of the last retired instruction,
// and memory only where the core already holds a RAM host pointer for the
// page in its translation cache (so no bus access, no MMIO, no page walk, no
// fault: anything else is "unknown" and the speculative access is dropped).
// Implemented by the core (Core::speculative_*). Pure C++.
#include <cstdint>

namespace vp::cpu {

class SpeculativeView {
 public:
  virtual ~SpeculativeView() = default;
  // Host pointer to len bytes at virtual address va (instruction fetch or data
  // read, with the current privilege and translation) and their physical
  // address; nullptr if not known to be RAM or if the bytes cross a page.
  virtual const uint8_t* speculative_ptr(uint64_t va, unsigned len, bool fetch, uint64_t& pa) const = 0;
  virtual uint64_t speculative_xreg(unsigned i) const = 0;
  // Extensions the decoder accepts (decoder.h Ext bits).
  virtual uint32_t speculative_ext() const = 0;
};

}  // namespace vp::cpu
