#include "free_pages.h"

#include <algorithm>

namespace pvm {

namespace {
constexpr size_t kBitsBytes = size_t(FreePages::kPages) / 8;
}

static_assert(FreePages::bytes() == kBitsBytes + 2 * (FreePages::kPages / 64) * 12, "tree layout");

void FreePages::init(void* m) {
    bits_ = static_cast<uint64_t*>(m);
    tree_ = reinterpret_cast<Node*>(static_cast<uint8_t*>(m) + kBitsBytes);
}

void FreePages::leaf(uint32_t w) {
    const uint64_t used = bits_[w];
    const uint32_t p = used ? uint32_t(__builtin_ctzll(used)) : 64;
    const uint32_t s = used ? uint32_t(__builtin_clzll(used)) : 64;
    uint32_t b = 0;
    for (uint64_t f = ~used; f; f &= f >> 1) ++b;  // longest run of free bits
    tree_[kWords + w] = Node{64 - p, 64 - s, 64 - b};
}

void FreePages::pull(uint32_t n, uint32_t cs) {
    const uint32_t l = 2 * n, r = 2 * n + 1;
    const uint32_t lp = pre(l, cs), ls = suf(l, cs), lb = best(l, cs);
    const uint32_t rp = pre(r, cs), rs = suf(r, cs), rb = best(r, cs);
    const uint32_t p = lp == cs ? cs + rp : lp;
    const uint32_t s = rs == cs ? cs + ls : rs;
    const uint32_t b = std::max({lb, rb, ls + rp});
    tree_[n] = Node{2 * cs - p, 2 * cs - s, 2 * cs - b};
}

void FreePages::set(uint32_t first, uint32_t count, bool used) {
    if (count == 0 || first >= kPages) return;
    const uint32_t last = std::min(kPages - 1, first + (count - 1));
    for (uint32_t w = first / 64; w <= last / 64; ++w) {
        const uint32_t lo = std::max(first, w * 64) - w * 64, hi = std::min(last, w * 64 + 63) - w * 64;
        const uint64_t mask = (hi - lo == 63 ? ~uint64_t(0) : ((uint64_t(1) << (hi - lo + 1)) - 1)) << lo;
        bits_[w] = used ? bits_[w] | mask : bits_[w] & ~mask;
        leaf(w);
        ++work_;
    }
    uint32_t lo = (kWords + first / 64) >> 1, hi = (kWords + last / 64) >> 1, cs = 64;
    for (;;) {
        for (uint32_t n = lo; n <= hi; ++n) pull(n, cs);
        work_ += hi - lo + 1;
        if (lo == 1) break;
        lo >>= 1;
        hi >>= 1;
        cs <<= 1;
    }
}

bool FreePages::search(uint32_t n, uint32_t lo, uint32_t size, uint32_t from, uint32_t count, uint32_t& run,
                       uint32_t& x) {
    ++work_;
    if (lo + size <= from) return false;
    if (lo >= from) {
        const uint32_t p = pre(n, size);
        if (run + p >= count) {
            x = lo - run;
            return true;
        }
        if (best(n, size) < count) {
            run = p == size ? run + size : suf(n, size);
            return false;
        }
    }
    if (size == 64) {
        const uint64_t used = bits_[n - kWords];
        for (uint32_t i = from > lo ? from - lo : 0; i < 64; ++i) {
            if ((used >> i) & 1) {
                run = 0;
            } else if (++run >= count) {
                x = lo + i + 1 - run;
                return true;
            }
        }
        work_ += 1;
        return false;
    }
    const uint32_t half = size / 2;
    return search(2 * n, lo, half, from, count, run, x) || search(2 * n + 1, lo + half, half, from, count, run, x);
}

bool FreePages::find(uint32_t from, uint32_t count, uint32_t& x) {
    if (count == 0 || count > kPages || from >= kPages) return false;
    uint32_t run = 0;
    return search(1, 0, kPages, from, count, run, x);
}

}  // namespace pvm
