#pragma once
// The vhost C entry points for black-box memories: __vhost_bb_mem_write/read
// (base, addr, ptr, len). vp's definitions are weak: a testbench that defines
// its own (the vhost convention: the black box's model implements them) takes
// their place, in every backend that uses them. vp's own access physical
// address base + addr through the accessor installed here: the built
// platform's memory map (mem.vhost with memory_map), or a C host's function
// (vp_bb_mem_set_access).
#include <cstddef>
#include <cstdint>
#include <functional>

extern "C" {
int __vhost_bb_mem_write(uint64_t base, uint64_t addr, const void* ptr, size_t len);
int __vhost_bb_mem_read(uint64_t base, uint64_t addr, void* ptr, size_t len);
// Returns the bytes transferred (len on success); `write` is 1 for writes.
typedef size_t (*vp_bb_mem_access_fn)(void* user, uint64_t addr, void* data, size_t len, int write);
void vp_bb_mem_set_access(vp_bb_mem_access_fn fn, void* user);
}

namespace vp::mem {

// Returns the bytes transferred; `write` tells the direction.
using PhysicalAccess = std::function<size_t(uint64_t addr, void* data, size_t len, bool write)>;
void set_vhost_memory_map(PhysicalAccess access);

}  // namespace vp::mem
