#include "memory.h"

#include <sys/mman.h>

#include <cerrno>

namespace pvm {

namespace {
constexpr size_t kSpace = size_t(1) << 32;
constexpr size_t kPages = kSpace / kPageSize;
}  // namespace

Memory::~Memory() {
    if (base_) munmap(base_, kSpace);
    if (perm_) munmap(perm_, kPages);
}

bool Memory::init(std::string& error) {
    void* b = mmap(nullptr, kSpace, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (b == MAP_FAILED) {
        error = std::string("cannot reserve the 4 GiB guest address space: ") + std::strerror(errno);
        return false;
    }
    void* p = mmap(nullptr, kPages, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        munmap(b, kSpace);
        error = std::string("cannot allocate the page table: ") + std::strerror(errno);
        return false;
    }
    base_ = static_cast<uint8_t*>(b);
    perm_ = static_cast<uint8_t*>(p);
    return true;
}

bool Memory::map(uint32_t addr, uint32_t len, uint8_t perm) {
    if (len == 0) return true;
    const uint64_t first = addr >> kPageShift;
    const uint64_t last = (uint64_t(addr) + len - 1) >> kPageShift;  // inclusive
    if (last >= kPages || first < kLowLimit / kPageSize) return false;
    // Apply to runs of pages whose host protection changes.
    uint64_t p = first;
    while (p <= last) {
        const bool was = perm_[p] != 0;
        uint64_t q = p;
        while (q <= last && (perm_[q] != 0) == was) ++q;
        uint8_t* h = base_ + (p << kPageShift);
        const size_t bytes = size_t(q - p) << kPageShift;
        if (!was && perm) {
            if (mprotect(h, bytes, PROT_READ | PROT_WRITE) != 0) return false;
        } else if (was && !perm) {
            // Discard contents: a page mapped again later reads as zero.
            madvise(h, bytes, MADV_DONTNEED);
            mprotect(h, bytes, PROT_NONE);
        }
        for (uint64_t i = p; i < q; ++i) perm_[i] = perm;
        p = q;
    }
    return true;
}

Access Memory::check(uint32_t addr, uint64_t n, uint8_t need, uint32_t& fault_page) const {
    bool bad = false;
    uint32_t lowest = 0;
    // Walk page by page; addresses wrap modulo 2^32.
    uint64_t i = 0;
    while (i < n) {
        const uint32_t a = uint32_t(addr + i);
        const uint64_t in_page = kPageSize - (a & (kPageSize - 1));
        const uint64_t chunk = in_page < n - i ? in_page : n - i;
        if (!(perm_[a >> kPageShift] & need)) {
            if (!bad || a < lowest) lowest = a;
            bad = true;
        }
        i += chunk;
    }
    if (!bad) return Access::Ok;
    if (lowest < kLowLimit) return Access::Panic;
    fault_page = lowest & ~(kPageSize - 1);
    return Access::Fault;
}

bool Memory::find_free(uint32_t from, uint64_t n, uint32_t& x) const {
    if (n > kSpace) return false;
    uint64_t start = from < kLowLimit ? kLowLimit : from;
    while (start + n <= kSpace) {
        // Find the first accessible page in [start, start+n).
        uint64_t end = start + n;
        uint64_t blocker = 0;
        bool blocked = false;
        for (uint64_t pg = start >> kPageShift; (pg << kPageShift) < end; ++pg) {
            if (perm_[pg]) {
                blocked = true;
                blocker = pg;
                break;
            }
        }
        if (!blocked) {
            x = uint32_t(start);
            return true;
        }
        start = (blocker + 1) << kPageShift;
    }
    return false;
}

}  // namespace pvm
