// PVM RAM (GP A.4): 2^32 bytes in 4 KiB pages, each inaccessible, read-only or read-write.
//
// Two memory models, chosen when the VM is created:
//  - Guard: the 4 GiB guest space (plus a guard region after it) is one host reservation
//    (PROT_NONE, MAP_NORESERVE) whose pages get exactly the guest's rights (mprotect), so the
//    recompiled code accesses guest address a with one host instruction at `base + a` and a
//    forbidden access raises SIGSEGV (resolved by signals.cpp).
//  - Checked: no guest reservation; every mapped page is an ordinary host page. Used by the
//    interpreter, and by the recompiler when guard pages are unavailable or not wanted.
// In both, the flat page table holds per guest page `host page address | rights` (0 = no
// access): the interpreter and every host-side accessor go through it.
//
// One NORESERVE host region per VM: [page table 8 MiB][free-page tree 512 KiB][context 4 KiB]
// then, guard model: [guest 4 GiB][guard 64 KiB]; checked model: [page pool 64 MiB] (its host
// pages; more come in further chunks). One mmap, one mprotect and one munmap per VM. Generated code addresses the context and the page table at fixed negative offsets
// from the anchor (the guest base), so compiled code does not depend on the instance.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "free_pages.h"

namespace pvm {

constexpr uint32_t kPageSize = 4096;
constexpr uint32_t kPageShift = 12;
constexpr uint32_t kPages = 1u << 20;
constexpr uint32_t kLowLimit = 0x10000;  // GP ZZ: accesses below 64 KiB panic
constexpr uint8_t kRead = 1, kWrite = 2;

constexpr size_t kPageTableBytes = size_t(kPages) * sizeof(uintptr_t);  // 8 MiB
constexpr size_t kContextBytes = 4096;
// Distance from the page table to the anchor.
constexpr size_t kPageTableToAnchor = kPageTableBytes + FreePages::bytes() + kContextBytes;
constexpr size_t kGuestBytes = size_t(1) << 32;
constexpr size_t kGuardBytes = 64 * 1024;  // after the guest space: accesses of up to 8 bytes at 2^32-1
constexpr size_t kPoolBytes = 16u << 20;   // checked model: host pages carved from the region

enum class Access : uint8_t { Ok, Panic, Fault };
enum class MemoryModel : uint8_t { Guard, Checked };

class Memory {
public:
    Memory() = default;
    ~Memory();
    Memory(const Memory&) = delete;
    Memory& operator=(const Memory&) = delete;

    bool init(MemoryModel model, std::string& error);
    MemoryModel model() const { return model_; }

    // perm = 0, kRead or kRead|kWrite. Pages below 64 KiB cannot be mapped. False on a bad
    // range or when the host refuses (out of memory, too many mappings).
    bool map(uint32_t addr, uint32_t len, uint8_t perm);
    uint8_t page_perm(uint32_t addr) const { return uint8_t(ptab_[addr >> kPageShift] & 3); }

    // Host address for an access of n (1..8) bytes within one page with right `need`, or
    // nullptr (the caller then uses check() and the page-wise copies).
    inline uint8_t* fast(uint32_t addr, unsigned n, uint8_t need) const {
        const uintptr_t e = ptab_[addr >> kPageShift];
        const uint32_t off = addr & (kPageSize - 1);
        if ((e & need) && off <= kPageSize - n) return reinterpret_cast<uint8_t*>(e & ~uintptr_t(kPageSize - 1)) + off;
        return nullptr;
    }
    // Full check (GP A.4): Panic if the lowest inaccessible byte is below 64 KiB, Fault with
    // that byte's page base otherwise. Addresses wrap modulo 2^32.
    Access check(uint32_t addr, uint64_t n, uint8_t need, uint32_t& fault_page) const;

    // Page-wise copies; the caller has checked the rights (an inaccessible page reads as
    // zeros and ignores writes). `force` writes read-only pages too (loaders).
    void read(uint32_t addr, void* dst, uint64_t n) const;
    void write(uint32_t addr, const void* src, uint64_t n, bool force = false);

    // Lowest page-aligned x >= from such that [x, x+n) is entirely inaccessible and stays below
    // 2^32 (n >= 1); false when there is none. O(log) host work (FreePages).
    bool find_free(uint32_t from, uint64_t n, uint32_t& x);

    // The anchor: the guest base in the guard model (guest address a is at anchor + a); the
    // page table and the context sit just below it in both models.
    uint8_t* anchor() const { return anchor_; }
    const uintptr_t* page_table() const { return ptab_; }
    // The backend's run context: the page just below the anchor.
    void* context() const { return anchor_ - kContextBytes; }
    // Does host address p lie in the guest space (plus guard) of a guard-model memory?
    bool in_guest_space(const void* p) const {
        const uint8_t* b = static_cast<const uint8_t*>(p);
        return model_ == MemoryModel::Guard && b >= anchor_ && b < anchor_ + kGuestBytes + kGuardBytes;
    }

    // Host work done by map() and the free-page search (page-table entries written, tree
    // nodes visited): lets tests bound the cost of guest instructions by work, not time.
    uint64_t work() const { return work_ + free_.work(); }

private:
    bool host_pages(uint32_t first, uint32_t count, uint8_t perm);
    bool discard(uint32_t first, uint32_t count);

    MemoryModel model_ = MemoryModel::Checked;
    uint8_t* region_ = nullptr;
    size_t region_bytes_ = 0;
    uint8_t* anchor_ = nullptr;
    uintptr_t* ptab_ = nullptr;
    FreePages free_;
    uint64_t work_ = 0;
    // Checked model: unused host pages [pool_, pool_end_) of the region, further chunks, and pages
    // given back by unmapping (zeroed).
    uint8_t* pool_ = nullptr;
    uint8_t* pool_end_ = nullptr;
    size_t next_chunk_ = kPoolBytes;  // chunks grow geometrically: few mappings
    std::vector<std::pair<void*, size_t>> chunks_;
    std::vector<uint8_t*> spare_;
};

}  // namespace pvm
