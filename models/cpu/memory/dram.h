#pragma once
// A DRAM controller below the last cache level: banks with row buffers, an
// open- or closed-page policy and the classic timing parameters, all in core
// cycles. Row hit: tCAS. Closed bank: tRCD + tCAS. Row conflict: precharge
// (no earlier than tRAS after the row's activation) + tRP + tRCD + tCAS.
// Activations to different banks are at least tRRD apart; each transfer holds
// the channel's data bus for tBURST. Requests are served first-come
// first-served in arrival order; refresh is not modelled. Addresses map as
// row : bank : column (consecutive rows interleave across banks).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/cpu/memory/mem_level.h"

namespace vp::cpu {

struct DramConfig {
  bool enabled = false;       // false: fixed memory_latency
  unsigned banks = 8;
  uint64_t row_size = 2048;   // bytes per row (page), power of two
  unsigned t_cas = 14;        // column access (CL)
  unsigned t_rcd = 14;        // activate to column command
  unsigned t_ras = 33;        // activate to precharge, minimum
  unsigned t_pre = 14;        // precharge (tRP)
  unsigned t_rrd = 4;         // activate to activate, different banks
  unsigned t_burst = 4;       // data transfer of one line
  unsigned latency = 20;      // controller and interconnect, added to every request
  bool open_page = true;      // false: close the row after every access
};

class Dram final : public MemLevel {
 public:
  explicit Dram(const DramConfig& cfg);
  uint64_t access(uint64_t addr, MemOp op, uint64_t t, uint64_t pc) override;

  struct Stats {
    uint64_t reads = 0, writes = 0, row_hits = 0, row_misses = 0, row_conflicts = 0, bank_wait_cycles = 0,
             bus_wait_cycles = 0, accesses = 0;
  };
  const Stats& stats() const { return st_; }
  void for_each_counter(const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f) const;
  void for_each_ratio(const std::function<void(const std::string&, const std::string&, const std::string&,
                                               const std::string&)>& f) const;

 private:
  struct Bank {
    uint64_t open_row = kNone;
    uint64_t ready = 0;     // next column command may issue
    uint64_t activated = 0; // last activation
  };
  static constexpr uint64_t kNone = ~0ull;
  DramConfig cfg_;
  unsigned row_shift_, bank_mask_;
  std::vector<Bank> banks_;
  uint64_t last_activate_ = 0, bus_free_ = 0;
  Stats st_;
};

}  // namespace vp::cpu
