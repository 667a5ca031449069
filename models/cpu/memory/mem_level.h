#pragma once
// What a cache sees below it: another cache, the DRAM controller or a
// fixed-latency memory. Times are core cycles; a request arriving at cycle t
// returns the cycle its data is back (read) or the write is accepted (write).
// Requests are served in the order they arrive (program order for the
// trace-driven backends), each against the level's state at that time.
#include <cstdint>

namespace vp::cpu {

enum class MemOp : uint8_t {
  kRead,       // demand read (load, fetch, or a fill for the level above)
  kWrite,      // demand write (store)
  kWriteback,  // a whole dirty line from the level above (no fill needed)
  kPrefetch,   // a prefetch fill for the level above
};

class MemLevel {
 public:
  virtual ~MemLevel() = default;
  // pc: the instruction behind a demand request (trains stride prefetchers), 0 if none.
  virtual uint64_t access(uint64_t addr, MemOp op, uint64_t t, uint64_t pc) = 0;
};

// Memory without timing detail: every request takes `latency` cycles.
class FixedLatencyMemory final : public MemLevel {
 public:
  explicit FixedLatencyMemory(unsigned latency) : latency_(latency) {}
  uint64_t access(uint64_t, MemOp, uint64_t t, uint64_t) override { return t + latency_; }

 private:
  unsigned latency_;
};

}  // namespace vp::cpu
