// The translator's executable region: one anonymous mapping holding JitData (the
// lookup cache, return-address stack and exit fields the code reaches rip-relative)
// followed by the code itself. Blocks are appended; when the region is full every
// translation is dropped and it is reused from the start (dispatcher.cpp).
#include <sys/mman.h>

#include <new>
#include <stdexcept>

#include "models/cpu/translator/translator_internal.h"

namespace vp::cpu {

CodeBuffer::CodeBuffer(size_t size) {
  const size_t data_size = (sizeof(JitData) + 4095) & ~size_t{4095};
  size_ = data_size + size;
  void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                 -1, 0);
  if (p == MAP_FAILED) throw std::runtime_error("translator: cannot map its code buffer");
  base_ = static_cast<uint8_t*>(p);
  data_ = new (base_) JitData;  // default-initialised: the big tables stay untouched zero pages
  code_ = base_ + data_size;
  code_size_ = size;
}

CodeBuffer::~CodeBuffer() {
  data_->~JitData();
  munmap(base_, size_);
}

}  // namespace vp::cpu
