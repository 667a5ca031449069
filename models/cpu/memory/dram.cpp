#include "models/cpu/memory/dram.h"

#include <algorithm>
#include <stdexcept>

namespace vp::cpu {

Dram::Dram(const DramConfig& cfg) : cfg_(cfg) {
  if (!cfg.banks || (cfg.banks & (cfg.banks - 1)) || cfg.banks > 1024)
    throw std::invalid_argument("dram: banks must be a power of two between 1 and 1024");
  if (cfg.row_size < 64 || (cfg.row_size & (cfg.row_size - 1)))
    throw std::invalid_argument("dram: row_size must be a power of two of at least 64 bytes");
  row_shift_ = static_cast<unsigned>(__builtin_ctzll(cfg.row_size));
  bank_mask_ = cfg.banks - 1;
  banks_.resize(cfg.banks);
}

uint64_t Dram::access(uint64_t addr, MemOp op, uint64_t t, uint64_t) {
  ++st_.accesses;
  if (op == MemOp::kWrite || op == MemOp::kWriteback) ++st_.writes; else ++st_.reads;
  const uint64_t row_index = addr >> row_shift_;
  Bank& b = banks_[row_index & bank_mask_];
  const uint64_t row = row_index / cfg_.banks;
  const uint64_t arrive = t + cfg_.latency / 2;  // half the fixed latency on the way in, half on the way out
  const uint64_t start = std::max(arrive, b.ready);
  st_.bank_wait_cycles += start - arrive;
  uint64_t column;  // cycle the column command issues
  if (b.open_row == row) {
    ++st_.row_hits;
    column = start;
  } else {
    uint64_t act = start;
    if (b.open_row == kNone) {
      ++st_.row_misses;
    } else {
      ++st_.row_conflicts;
      const uint64_t pre = std::max(start, b.activated + cfg_.t_ras);
      act = pre + cfg_.t_pre;
    }
    act = std::max(act, last_activate_ + cfg_.t_rrd);
    last_activate_ = act;
    b.activated = act;
    b.open_row = row;
    column = act + cfg_.t_rcd;
  }
  const uint64_t data = column + cfg_.t_cas;
  const uint64_t burst = std::max(data, bus_free_);
  st_.bus_wait_cycles += burst - data;
  bus_free_ = burst + cfg_.t_burst;
  b.ready = column + cfg_.t_burst;  // column commands to an open row pipeline at the burst rate
  if (!cfg_.open_page) {
    // Auto-precharge: the bank is closed and free again after tRAS and tRP.
    b.open_row = kNone;
    b.ready = std::max(b.ready, std::max(bus_free_, b.activated + cfg_.t_ras) + cfg_.t_pre);
  }
  return bus_free_ + (cfg_.latency - cfg_.latency / 2);
}

void Dram::for_each_counter(
    const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f) const {
  f("accesses", "requests (line reads, fills, write-backs)", &st_.accesses);
  f("reads", "", &st_.reads);
  f("writes", "", &st_.writes);
  f("row_hits", "requests to the open row of their bank", &st_.row_hits);
  f("row_misses", "requests to a closed bank (activate)", &st_.row_misses);
  f("row_conflicts", "requests to another row than the open one (precharge + activate)", &st_.row_conflicts);
  f("bank_wait_cycles", "cycles requests waited for a busy bank", &st_.bank_wait_cycles);
  f("bus_wait_cycles", "cycles transfers waited for the data bus", &st_.bus_wait_cycles);
}

void Dram::for_each_ratio(const std::function<void(const std::string&, const std::string&, const std::string&,
                                                   const std::string&)>& f) const {
  f("row_hit_rate", "row_hits", "accesses", "requests hitting the open row");
}

}  // namespace vp::cpu
