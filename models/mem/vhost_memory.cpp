#include "models/mem/vhost_memory.h"

#include <mutex>

namespace vp::mem {
namespace {
std::mutex g_mutex;
PhysicalAccess& access() {
  static PhysicalAccess a;
  return a;
}
PhysicalAccess current() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return access();
}
}  // namespace

void set_vhost_memory_map(PhysicalAccess a) {
  std::lock_guard<std::mutex> lock(g_mutex);
  access() = std::move(a);
}

}  // namespace vp::mem

extern "C" void vp_bb_mem_set_access(vp_bb_mem_access_fn fn, void* user) {
  if (!fn) return vp::mem::set_vhost_memory_map(nullptr);
  vp::mem::set_vhost_memory_map(
      [fn, user](uint64_t addr, void* data, size_t len, bool write) { return fn(user, addr, data, len, write); });
}

// 0 on success, -1 when no memory map is installed or the range is not fully mapped.
extern "C" __attribute__((weak)) int __vhost_bb_mem_write(uint64_t base, uint64_t addr, const void* ptr,
                                                          size_t len) {
  auto a = vp::mem::current();
  if (!a) return -1;
  return a(base + addr, const_cast<void*>(ptr), len, true) == len ? 0 : -1;
}

extern "C" __attribute__((weak)) int __vhost_bb_mem_read(uint64_t base, uint64_t addr, void* ptr, size_t len) {
  auto a = vp::mem::current();
  if (!a) return -1;
  return a(base + addr, ptr, len, false) == len ? 0 : -1;
}
