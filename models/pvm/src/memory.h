// PVM RAM (GP A.4): 2^32 bytes in 4 KiB pages, each inaccessible, read-only or read-write.
//
// Two memory models, chosen when the VM is created:
//  - Guard: the 4 GiB guest space (plus a guard region after it) is one host reservation
//    (PROT_NONE, MAP_NORESERVE) whose pages get exactly the guest's rights (mprotect), so the
//    recompiled code accesses guest address a with one host instruction at `base + a` and a
//    forbidden access raises SIGSEGV (resolved by signals.cpp).
//  - Checked: no guest reservation; every mapped page is an ordinary host page. Used by the
//    interpreter, and by the recompiler when guard pages are unavailable or not wanted.
// In both, the flat page table holds per guest page `host page address | flags` (0 = no access,
// no host page): the interpreter and every host-side accessor go through it. Bits 0-1 are the
// rights the fast paths test (kRead, kWrite). The checked model also has pages whose host memory
// belongs to the embedder (external: bit 2, e.g. a buffer shared with a host language or memory
// obtained by TLM DMI; kept when access is revoked, never freed) and pages without host memory
// whose accesses call a function (callback pages: address 0, bit 3, their rights in bits 4-5 so
// every access takes the slow path).
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
constexpr uintptr_t kRightsMask = 3, kExternalBit = 4, kCallbackBit = 8;
constexpr uintptr_t kAddrMask = ~uintptr_t(7);  // host addresses of pages are 8-byte aligned

constexpr size_t kPageTableBytes = size_t(kPages) * sizeof(uintptr_t);  // 8 MiB
constexpr size_t kContextBytes = 4096;
// Distance from the page table to the anchor.
constexpr size_t kPageTableToAnchor = kPageTableBytes + FreePages::bytes() + kContextBytes;
constexpr size_t kGuestBytes = size_t(1) << 32;
constexpr size_t kGuardBytes = 64 * 1024;  // after the guest space: accesses of up to 8 bytes at 2^32-1
constexpr size_t kPoolBytes = 16u << 20;   // checked model: host pages carved from the region

enum class Access : uint8_t { Ok, Panic, Fault };
enum class MemoryModel : uint8_t { Guard, Checked };

// A callback page's access: data is read into / written from `data`; nonzero = failure (the
// access becomes a page fault at that page).
using MemoryFn = int (*)(void* user, uint32_t addr, void* data, uint32_t len, int is_write);

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
    uint8_t page_perm(uint32_t addr) const { return rights(ptab_[addr >> kPageShift]); }
    static uint8_t rights(uintptr_t e) {
        return uint8_t((e & kCallbackBit) ? (e >> 4) & kRightsMask : e & kRightsMask);
    }

    // Checked model only (false otherwise, or on a bad range): pages [addr, addr+len) use the
    // embedder's memory at `host` (8-byte aligned, len bytes, valid until unbound), or call the
    // memory function. The binding outlives map(..., 0); unbind() ends it (the pages become
    // inaccessible and without host memory). Previous contents of internal pages are dropped.
    bool bind_external(uint32_t addr, uint32_t len, uint8_t* host, uint8_t perm);
    bool bind_callback(uint32_t addr, uint32_t len, uint8_t perm);
    bool unbind(uint32_t addr, uint32_t len);
    void set_callback(MemoryFn fn, void* user) {
        cb_ = fn;
        cb_user_ = user;
    }
    // Makes every page inaccessible again (bound pages keep their binding): what reset needs.
    // Work proportional to the ranges ever mapped, not to the address space.
    bool unmap_all();
    // GP draft 0.7.1∆ vectors: a write to a read-only page panics instead of faulting.
    void set_readonly_write_panics(bool on) { ro_write_panics_ = on; }

    // Host address for an access of n (1..8) bytes within one page with right `need`, or
    // nullptr (the caller then uses check() and the page-wise copies).
    inline uint8_t* fast(uint32_t addr, unsigned n, uint8_t need) const {
        const uintptr_t e = ptab_[addr >> kPageShift];
        const uint32_t off = addr & (kPageSize - 1);
        if ((e & need) && off <= kPageSize - n) return reinterpret_cast<uint8_t*>(e & kAddrMask) + off;
        return nullptr;
    }
    // Full check (GP A.4): Panic if the lowest inaccessible byte is below 64 KiB, Fault with
    // that byte's page base otherwise. Addresses wrap modulo 2^32.
    Access check(uint32_t addr, uint64_t n, uint8_t need, uint32_t& fault_page) const;

    // Page-wise copies; the caller has checked the rights (an inaccessible page reads as
    // zeros and ignores writes). `force` writes read-only pages too (loaders). False when a
    // callback page refused (its page base in *fault_page).
    bool read(uint32_t addr, void* dst, uint64_t n, uint32_t* fault_page = nullptr) const;
    bool write(uint32_t addr, const void* src, uint64_t n, bool force = false, uint32_t* fault_page = nullptr);
    // Zeroes the accessible bytes of [addr, addr+n) that live in embedder memory or behind the
    // callback (libpvm's own pages are zero when mapped). False when a callback refused.
    bool zero_bound(uint32_t addr, uint64_t n);

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
    bool bind_range(uint32_t addr, uint32_t len, uint32_t& first, uint32_t& count);
    void note_range(uint32_t first, uint32_t count);
    bool call(uint32_t addr, void* data, uint64_t n, bool write, uint32_t* fault_page) const;

    MemoryModel model_ = MemoryModel::Checked;
    uint8_t* region_ = nullptr;
    size_t region_bytes_ = 0;
    uint8_t* anchor_ = nullptr;
    uintptr_t* ptab_ = nullptr;
    FreePages free_;
    uint64_t work_ = 0;
    std::vector<std::pair<uint32_t, uint32_t>> mapped_ranges_;  // [first, last] pages ever mapped
    MemoryFn cb_ = nullptr;
    void* cb_user_ = nullptr;
    bool ro_write_panics_ = false;
    // Checked model: unused host pages [pool_, pool_end_) of the region, further chunks, and pages
    // given back by unmapping (zeroed).
    uint8_t* pool_ = nullptr;
    uint8_t* pool_end_ = nullptr;
    size_t next_chunk_ = kPoolBytes;  // chunks grow geometrically: few mappings
    std::vector<std::pair<void*, size_t>> chunks_;
    std::vector<uint8_t*> spare_;
};

}  // namespace pvm
