#pragma once
// A bump allocator for the core's pre-decoded blocks: building a block costs no
// malloc, and when no block allocated from it is alive any more (after a fence.i
// flush) all of it is reused from the start. The chunks are kept (their pages stay
// mapped and touched), so a boot that flushes hundreds of times allocates once.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace vp::cpu {

class BlockArena {
 public:
  static constexpr size_t kChunkSize = 256u << 10;
  static constexpr size_t kAlign = 16;

  // n bytes (at most kChunkSize), kAlign-aligned.
  void* alloc(size_t n) {
    n = (n + kAlign - 1) & ~(kAlign - 1);
    if (cur_ >= chunks_.size() || off_ + n > kChunkSize) next_chunk();
    void* p = chunks_[cur_].get() + off_;
    off_ += n;
    used_ += n;
    return p;
  }
  // Everything allocated so far is free again (the caller destroyed its objects).
  void reset() {
    cur_ = 0;
    off_ = 0;
    used_ = 0;
  }
  size_t used() const { return used_; }                              // bytes handed out since reset
  size_t reserved() const { return chunks_.size() * kChunkSize; }   // bytes held

 private:
  void next_chunk() {
    if (cur_ < chunks_.size() && off_ != 0) ++cur_;  // the rest of a chunk is left unused
    if (cur_ >= chunks_.size()) chunks_.emplace_back(new (std::align_val_t{kAlign}) uint8_t[kChunkSize]);
    off_ = 0;
  }
  struct Free {
    void operator()(uint8_t* p) const { ::operator delete[](p, std::align_val_t{kAlign}); }
  };
  std::vector<std::unique_ptr<uint8_t[], Free>> chunks_;
  size_t cur_ = 0;   // chunk being filled
  size_t off_ = 0;   // its first free byte
  size_t used_ = 0;
};

}  // namespace vp::cpu
