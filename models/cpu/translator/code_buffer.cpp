// The translator's executable region: one anonymous mapping holding JitData (the
// lookup cache, return-address stack and exit fields the code reaches rip-relative)
// followed by the code itself. Blocks are appended; when the region is full every
// translation is dropped and it is reused from the start (dispatcher.cpp).
#include <sys/mman.h>

#include <cstdint>
#include <new>
#include <stdexcept>

#include "models/cpu/translator/translator_internal.h"

namespace vp::cpu {

CodeBuffer::CodeBuffer(size_t size) {
  const size_t data_size = (sizeof(JitData) + 4095) & ~size_t{4095};
  size_ = data_size + size;
  // The code starts on a 2 MiB boundary and is marked for huge pages: code is written
  // front to back, so a Linux boot takes a few page faults instead of one per 4 KiB
  // (~10 us each on a virtualised host). JitData's tables, mostly never touched, stay
  // on small pages just below it. The slack of the over-sized mapping is unmapped.
  constexpr size_t kHuge = size_t{1} << 21;
  void* p = mmap(nullptr, size_ + kHuge, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                 -1, 0);
  if (p == MAP_FAILED) throw std::runtime_error("translator: cannot map its code buffer");
  uint8_t* const map = static_cast<uint8_t*>(p);
  const uintptr_t code_at = (reinterpret_cast<uintptr_t>(map) + data_size + kHuge - 1) & ~uintptr_t{kHuge - 1};
  base_ = reinterpret_cast<uint8_t*>(code_at - data_size);
  if (base_ > map) munmap(map, static_cast<size_t>(base_ - map));
  uint8_t* const end = base_ + size_;
  if (end < map + size_ + kHuge) munmap(end, static_cast<size_t>(map + size_ + kHuge - end));
  madvise(base_ + data_size, size, MADV_HUGEPAGE);  // advisory: no huge pages is fine
  data_ = new (base_) JitData;  // default-initialised: the big tables stay untouched zero pages
  code_ = base_ + data_size;
  code_size_ = size;
}

CodeBuffer::~CodeBuffer() {
  data_->~JitData();
  munmap(base_, size_);
}

}  // namespace vp::cpu
