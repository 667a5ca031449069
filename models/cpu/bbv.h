#pragma once
// Basic-block vectors for SimPoint: per interval of N retired instructions, how
// many instructions each basic block executed, in SimPoint's .bb text format
// (one line per interval: "T:id:count :id:count ...", ids from 1 in order of
// first execution). A block is the core's decoded block: straight-line code
// from a branch target to the next control transfer (at most 128 instructions),
// named by the virtual pc it starts at.
#include <cstdint>
#include <fstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace vp::cpu {

// Called by the core after each block it ran (Core::set_block_counter).
class BlockCounter {
 public:
  virtual ~BlockCounter() = default;
  virtual void count(uint64_t pc, uint64_t retired) = 0;
};

class BbvWriter : public BlockCounter {
 public:
  // Throws std::runtime_error when the file cannot be written or interval is 0.
  BbvWriter(const std::string& path, uint64_t interval);
  ~BbvWriter() override;  // writes the last, partial interval
  void count(uint64_t pc, uint64_t retired) override;
  // Writes the partial interval (if any) and flushes; later counts start a new one.
  void finish();
  uint64_t intervals() const { return intervals_; }

 private:
  void emit();

  std::string path_;
  std::ofstream out_;
  uint64_t interval_;
  uint64_t filled_ = 0;     // instructions in the current interval
  uint64_t intervals_ = 0;  // lines written
  uint64_t last_pc_ = ~0ull;
  uint32_t last_id_ = 0;
  std::unordered_map<uint64_t, uint32_t> ids_;  // block pc -> id (from 1)
  std::vector<uint64_t> counts_;                // by id, this interval
  std::vector<uint32_t> touched_;               // ids with a nonzero count
};

}  // namespace vp::cpu
