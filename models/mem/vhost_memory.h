#pragma once
// The vhost C entry points for black-box memories, backed by the platform's
// memory map: __vhost_bb_mem_write/read(base, addr, ptr, len) access physical
// address base + addr through the accessor installed here (normally the
// built platform's debug transport, Platform::write_physical/read_physical).
#include <cstddef>
#include <cstdint>
#include <functional>

extern "C" {
int __vhost_bb_mem_write(uint64_t base, uint64_t addr, const void* ptr, size_t len);
int __vhost_bb_mem_read(uint64_t base, uint64_t addr, void* ptr, size_t len);
}

namespace vp::mem {

// Returns the bytes transferred; `write` tells the direction.
using PhysicalAccess = std::function<size_t(uint64_t addr, void* data, size_t len, bool write)>;
void set_vhost_memory_map(PhysicalAccess access);

}  // namespace vp::mem
