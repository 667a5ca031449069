// PVM RAM (GP A.4): 2^32 bytes in 4 KiB pages, each inaccessible, read-only or read-write.
//
// The whole 32-bit space is one host reservation (PROT_NONE, no swap reserved) so a guest
// address is `base + addr`; a page is made host-accessible when the guest maps it. The guest
// access rights live in a separate per-page table that every access checks first, so an
// access the guest may not do never touches host memory, and no address computed from a
// 32-bit guest address can leave the reservation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace pvm {

constexpr uint32_t kPageSize = 4096;
constexpr uint32_t kPageShift = 12;
constexpr uint32_t kLowLimit = 0x10000;  // GP ZZ: accesses below 64 KiB panic
constexpr uint8_t kRead = 1, kWrite = 2;

enum class Access : uint8_t { Ok, Panic, Fault };

class Memory {
public:
    Memory() = default;
    ~Memory();
    Memory(const Memory&) = delete;
    Memory& operator=(const Memory&) = delete;

    bool init(std::string& error);

    // perm = 0, kRead or kRead|kWrite. Pages below 64 KiB cannot be mapped.
    bool map(uint32_t addr, uint32_t len, uint8_t perm);
    uint8_t page_perm(uint32_t addr) const { return perm_[addr >> kPageShift]; }

    // Fast check for an access of n (1..8) bytes within one page.
    inline bool fast(uint32_t addr, unsigned n, uint8_t need) const {
        return (perm_[addr >> kPageShift] & need) && (addr & (kPageSize - 1)) <= kPageSize - n;
    }
    // Full check (GP A.4): Panic if the lowest inaccessible byte is below 64 KiB, Fault with
    // that byte's page base otherwise.
    Access check(uint32_t addr, uint64_t n, uint8_t need, uint32_t& fault_page) const;

    uint8_t* host(uint32_t addr) const { return base_ + addr; }
    // The 2^20-entry page-permission table (read by the recompiler's inline checks).
    const uint8_t* perm_table() const { return perm_; }

    template <typename T>
    T load(uint32_t addr) const {
        T v;
        std::memcpy(&v, base_ + addr, sizeof v);
        return v;
    }
    template <typename T>
    void store(uint32_t addr, T v) {
        std::memcpy(base_ + addr, &v, sizeof v);
    }

    // Lowest x >= from such that [x, x+n) is entirely inaccessible and stays below 2^32;
    // returns false when there is none.
    bool find_free(uint32_t from, uint64_t n, uint32_t& x) const;

private:
    uint8_t* base_ = nullptr;  // 4 GiB reservation
    uint8_t* perm_ = nullptr;  // 2^20 page permissions
};

}  // namespace pvm
