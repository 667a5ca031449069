#include "models/mem/vhost_memory.h"

namespace vp::mem {
namespace {
PhysicalAccess& access() {
  static PhysicalAccess a;
  return a;
}
}  // namespace

void set_vhost_memory_map(PhysicalAccess a) { access() = std::move(a); }

}  // namespace vp::mem

// 0 on success, -1 when no memory map is installed or the range is not fully mapped.
extern "C" int __vhost_bb_mem_write(uint64_t base, uint64_t addr, const void* ptr, size_t len) {
  auto& a = vp::mem::access();
  if (!a) return -1;
  return a(base + addr, const_cast<void*>(ptr), len, true) == len ? 0 : -1;
}

extern "C" int __vhost_bb_mem_read(uint64_t base, uint64_t addr, void* ptr, size_t len) {
  auto& a = vp::mem::access();
  if (!a) return -1;
  return a(base + addr, ptr, len, false) == len ? 0 : -1;
}
