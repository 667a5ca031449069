#include "memory.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>

namespace pvm {

namespace {
int host_prot(uint8_t perm) { return (perm & kWrite) ? PROT_READ | PROT_WRITE : perm ? PROT_READ : PROT_NONE; }
}  // namespace

Memory::~Memory() {
    if (region_) munmap(region_, region_bytes_);
    for (const auto& c : chunks_) munmap(c.first, c.second);
}

bool Memory::init(MemoryModel model, std::string& error) {
    model_ = model;
    const size_t rw = kPageTableToAnchor;  // page multiples
    region_bytes_ = rw + (model == MemoryModel::Guard ? kGuestBytes + kGuardBytes : kPoolBytes);
    const int prot = model == MemoryModel::Guard ? PROT_NONE : PROT_READ | PROT_WRITE;
    void* r = mmap(nullptr, region_bytes_, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r == MAP_FAILED) {
        error = std::string(model == MemoryModel::Guard ? "cannot reserve the 4 GiB guest address space: "
                                                        : "cannot reserve the page table: ") +
                std::strerror(errno);
        return false;
    }
    region_ = static_cast<uint8_t*>(r);
    ptab_ = reinterpret_cast<uintptr_t*>(region_);
    anchor_ = region_ + rw;
    if (model == MemoryModel::Guard && mprotect(region_, rw, PROT_READ | PROT_WRITE) != 0) {
        error = std::string("cannot allocate the page table: ") + std::strerror(errno);
        return false;
    }
    free_.init(region_ + kPageTableBytes);
    if (model == MemoryModel::Checked) {
        pool_ = anchor_;
        pool_end_ = anchor_ + kPoolBytes;
    }
    return true;
}

bool Memory::map(uint32_t addr, uint32_t len, uint8_t perm) {
    if (len == 0) return true;
    const uint64_t first = addr >> kPageShift;
    const uint64_t last = (uint64_t(addr) + len - 1) >> kPageShift;  // inclusive
    if (last >= kPages || first < kLowLimit / kPageSize) return false;
    const uint32_t count = uint32_t(last - first + 1);
    if (perm) {
        note_range(uint32_t(first), count);
        if (!host_pages(uint32_t(first), count, perm)) return false;
    } else if (!discard(uint32_t(first), count)) {
        return false;
    }
    free_.set(uint32_t(first), count, perm != 0);
    return true;
}

bool Memory::host_pages(uint32_t first, uint32_t count, uint8_t perm) {
    work_ += count;
    if (model_ == MemoryModel::Guard) {
        uint8_t* h = anchor_ + (size_t(first) << kPageShift);
        if (mprotect(h, size_t(count) << kPageShift, host_prot(perm)) != 0) return false;
        for (uint32_t i = 0; i < count; ++i) ptab_[first + i] = reinterpret_cast<uintptr_t>(h + (size_t(i) << kPageShift)) | perm;
        return true;
    }
    // Checked: new pages come from the spare list, the pool, then one new chunk.
    uint32_t fresh = 0;
    for (uint32_t i = 0; i < count; ++i) fresh += ptab_[first + i] == 0;
    const uint32_t from_spare = std::min<uint32_t>(fresh, uint32_t(spare_.size()));
    const size_t pool_pages = size_t(pool_end_ - pool_) >> kPageShift;
    if (fresh - from_spare > pool_pages) {
        chunks_.reserve(chunks_.size() + 1);  // may throw: nothing changed yet
        next_chunk_ = std::min<size_t>(next_chunk_ * 2, size_t(1) << 30);
        const size_t bytes = std::max<size_t>(size_t(fresh - from_spare) << kPageShift, next_chunk_);
        void* m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m == MAP_FAILED) return false;
        chunks_.emplace_back(m, bytes);
        pool_ = static_cast<uint8_t*>(m);  // the rest of the old pool stays unused
        pool_end_ = pool_ + bytes;
    }
    for (uint32_t i = 0; i < count; ++i) {
        uintptr_t& e = ptab_[first + i];
        if (e & kCallbackBit) {
            e = kCallbackBit | uintptr_t(perm) << 4;
            continue;
        }
        if (e == 0) {
            uint8_t* page;
            if (!spare_.empty()) {
                page = spare_.back();
                spare_.pop_back();
            } else {
                page = pool_;
                pool_ += kPageSize;
            }
            e = reinterpret_cast<uintptr_t>(page);
        }
        e = (e & ~kRightsMask) | perm;  // keeps kExternalBit
    }
    return true;
}

bool Memory::discard(uint32_t first, uint32_t count) {
    work_ += count;
    if (model_ == MemoryModel::Guard) {
        // Protection first: if the host refuses, nothing has changed.
        uint8_t* h = anchor_ + (size_t(first) << kPageShift);
        const size_t bytes = size_t(count) << kPageShift;
        if (mprotect(h, bytes, PROT_NONE) != 0) return false;
        madvise(h, bytes, MADV_DONTNEED);  // a page mapped again later reads as zero
        std::fill(ptab_ + first, ptab_ + first + count, uintptr_t(0));
        return true;
    }
    uint32_t mapped = 0;
    for (uint32_t i = 0; i < count; ++i) mapped += ptab_[first + i] != 0;
    spare_.reserve(spare_.size() + mapped);  // may throw: nothing changed yet
    // Zero the pages (runs of host-contiguous pages in one call) and keep them for reuse. Bound
    // pages (external, callback) only lose their rights.
    uint8_t* run = nullptr;
    size_t run_bytes = 0;
    for (uint32_t i = 0; i < count; ++i) {
        uintptr_t& e = ptab_[first + i];
        if (!e) continue;
        if (e & kCallbackBit) {
            e = kCallbackBit;
            continue;
        }
        if (e & kExternalBit) {
            e &= ~kRightsMask;
            continue;
        }
        uint8_t* page = reinterpret_cast<uint8_t*>(e & kAddrMask);
        e = 0;
        spare_.push_back(page);
        if (run && run + run_bytes == page) {
            run_bytes += kPageSize;
            continue;
        }
        if (run) madvise(run, run_bytes, MADV_DONTNEED);
        run = page;
        run_bytes = kPageSize;
    }
    if (run) madvise(run, run_bytes, MADV_DONTNEED);
    return true;
}

Access Memory::check(uint32_t addr, uint64_t n, uint8_t need, uint32_t& fault_page) const {
    bool bad = false;
    uint32_t lowest = 0;
    uint64_t i = 0;
    while (i < n) {
        const uint32_t a = uint32_t(addr + i);
        const uint64_t in_page = kPageSize - (a & (kPageSize - 1));
        const uint64_t chunk = in_page < n - i ? in_page : n - i;
        if (!(rights(ptab_[a >> kPageShift]) & need)) {
            if (!bad || a < lowest) lowest = a;
            bad = true;
        }
        i += chunk;
    }
    if (!bad) return Access::Ok;
    if (lowest < kLowLimit) return Access::Panic;
    // New-gas draft vectors (inst_store_u8_trap_read_only): storing to a read-only page panics;
    // GP 0.7.2 A.4 makes it a page fault (the write needs the writable set V*).
    if (ro_write_panics_ && need == kWrite && rights(ptab_[lowest >> kPageShift]) == kRead) return Access::Panic;
    fault_page = lowest & ~(kPageSize - 1);
    return Access::Fault;
}

bool Memory::call(uint32_t addr, void* data, uint64_t n, bool write, uint32_t* fault_page) const {
    int rc = -1;
    if (cb_) {
        try {
            rc = cb_(cb_user_, addr, data, uint32_t(n), write ? 1 : 0);
        } catch (...) {
            rc = -1;
        }
    }
    if (rc == 0) return true;
    if (fault_page) *fault_page = addr & ~(kPageSize - 1);
    return false;
}

bool Memory::read(uint32_t addr, void* dst, uint64_t n, uint32_t* fault_page) const {
    uint8_t* d = static_cast<uint8_t*>(dst);
    while (n) {
        const uint32_t off = addr & (kPageSize - 1);
        const uint64_t chunk = std::min<uint64_t>(n, kPageSize - off);
        const uintptr_t e = ptab_[addr >> kPageShift];
        if (e & kCallbackBit) {
            if (!call(addr, d, chunk, false, fault_page)) return false;
        } else if (e & kAddrMask) {
            std::memcpy(d, reinterpret_cast<const uint8_t*>(e & kAddrMask) + off, chunk);
        } else {
            std::memset(d, 0, chunk);
        }
        d += chunk;
        addr += uint32_t(chunk);
        n -= chunk;
    }
    return true;
}

bool Memory::write(uint32_t addr, const void* src, uint64_t n, bool force, uint32_t* fault_page) {
    const uint8_t* s = static_cast<const uint8_t*>(src);
    while (n) {
        const uint32_t off = addr & (kPageSize - 1);
        const uint64_t chunk = std::min<uint64_t>(n, kPageSize - off);
        const uintptr_t e = ptab_[addr >> kPageShift];
        uint8_t* page = reinterpret_cast<uint8_t*>(e & kAddrMask);
        if (e & kCallbackBit) {
            if ((rights(e) & kWrite) || (rights(e) && force)) {
                if (!call(addr, const_cast<uint8_t*>(s), chunk, true, fault_page)) return false;
            }
        } else if (e & kWrite) {
            std::memcpy(page + off, s, chunk);
        } else if ((e & kRightsMask) && force) {
            // A read-only page: in the guard model its host page is read-only too.
            const bool guard = model_ == MemoryModel::Guard;
            if (!guard || mprotect(page, kPageSize, PROT_READ | PROT_WRITE) == 0) {
                std::memcpy(page + off, s, chunk);
                if (guard) mprotect(page, kPageSize, PROT_READ);
            }
        }
        s += chunk;
        addr += uint32_t(chunk);
        n -= chunk;
    }
    return true;
}

bool Memory::zero_bound(uint32_t addr, uint64_t n) {
    static const uint8_t zeros[kPageSize] = {};
    while (n) {
        const uint32_t off = addr & (kPageSize - 1);
        const uint64_t chunk = std::min<uint64_t>(n, kPageSize - off);
        const uintptr_t e = ptab_[addr >> kPageShift];
        if ((e & kCallbackBit) && rights(e)) {
            if (!call(addr, const_cast<uint8_t*>(zeros), chunk, true, nullptr)) return false;
        } else if ((e & kExternalBit) && (e & kRightsMask)) {
            std::memset(reinterpret_cast<uint8_t*>(e & kAddrMask) + off, 0, chunk);
        }
        addr += uint32_t(chunk);
        n -= chunk;
    }
    return true;
}

bool Memory::bind_range(uint32_t addr, uint32_t len, uint32_t& first, uint32_t& count) {
    if (model_ != MemoryModel::Checked || len == 0 || (addr | len) & (kPageSize - 1)) return false;
    const uint64_t f = addr >> kPageShift, last = (uint64_t(addr) + len - 1) >> kPageShift;
    if (last >= kPages || f < kLowLimit / kPageSize) return false;
    first = uint32_t(f);
    count = uint32_t(last - f + 1);
    return true;
}

bool Memory::bind_external(uint32_t addr, uint32_t len, uint8_t* host, uint8_t perm) {
    uint32_t first = 0, count = 0;
    if (!host || reinterpret_cast<uintptr_t>(host) & 7 || !bind_range(addr, len, first, count)) return false;
    if (!unbind(addr, len)) return false;
    note_range(first, count);
    for (uint32_t i = 0; i < count; ++i)
        ptab_[first + i] = reinterpret_cast<uintptr_t>(host + (size_t(i) << kPageShift)) | kExternalBit | perm;
    free_.set(first, count, perm != 0);
    work_ += count;
    return true;
}

bool Memory::bind_callback(uint32_t addr, uint32_t len, uint8_t perm) {
    uint32_t first = 0, count = 0;
    if (!bind_range(addr, len, first, count) || !unbind(addr, len)) return false;
    note_range(first, count);
    for (uint32_t i = 0; i < count; ++i) ptab_[first + i] = kCallbackBit | uintptr_t(perm) << 4;
    free_.set(first, count, perm != 0);
    work_ += count;
    return true;
}

bool Memory::unbind(uint32_t addr, uint32_t len) {
    uint32_t first = 0, count = 0;
    if (!bind_range(addr, len, first, count) || !discard(first, count)) return false;  // internal pages freed
    for (uint32_t i = 0; i < count; ++i) ptab_[first + i] = 0;
    free_.set(first, count, false);
    return true;
}

void Memory::note_range(uint32_t first, uint32_t count) {
    const uint32_t last = first + count - 1;
    for (auto& r : mapped_ranges_) {
        if (first <= r.second + 1 && last + 1 >= r.first) {  // overlapping or adjacent: merge
            r.first = std::min(r.first, first);
            r.second = std::max(r.second, last);
            return;
        }
    }
    if (mapped_ranges_.size() >= 32) {  // keep it small: one range covering everything noted
        uint32_t lo = first, hi = last;
        for (const auto& r : mapped_ranges_) {
            lo = std::min(lo, r.first);
            hi = std::max(hi, r.second);
        }
        mapped_ranges_.assign(1, {lo, hi});
        return;
    }
    mapped_ranges_.emplace_back(first, last);
}

bool Memory::unmap_all() {
    for (const auto& r : mapped_ranges_) {
        if (!discard(r.first, r.second - r.first + 1)) return false;
        free_.set(r.first, r.second - r.first + 1, false);
    }
    mapped_ranges_.clear();
    return true;
}

bool Memory::find_free(uint32_t from, uint64_t n, uint32_t& x) {
    if (n == 0 || n > kGuestBytes) return false;
    const uint64_t start = (std::max<uint64_t>(from, kLowLimit) + kPageSize - 1) & ~uint64_t(kPageSize - 1);
    if (start >= kGuestBytes) return false;
    const uint32_t count = uint32_t((n + kPageSize - 1) >> kPageShift);
    uint32_t page = 0;
    if (!free_.find(uint32_t(start >> kPageShift), count, page)) return false;
    x = page << kPageShift;
    return true;
}

}  // namespace pvm
