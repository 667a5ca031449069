// First-fit search for runs of inaccessible pages (the page search of `sbrk`, GP ≤ 0.7 A.5.6).
//
// A segment tree over the 2^20 pages, with 64-page words as leaves: each node keeps the length
// of its free prefix, its free suffix and its longest free run. Finding the lowest run of k
// free pages at or above a page visits O(log) nodes; marking k pages costs O(k/64 + log). So the
// host cost of an sbrk is bounded by a constant (plus the pages it maps, each mapped once), never
// by how many pages were mapped before (issue 19: the old linear page scan made n sbrk calls
// cost O(n²)).
//
// Storage is bytes() of zero-filled memory provided by the owner (bitmap 128 KiB + tree 384 KiB,
// in the VM's NORESERVE region): its zero state means "all free", so untouched parts cost no
// memory.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pvm {

class FreePages {
public:
    static constexpr uint32_t kPages = 1u << 20;

    FreePages() = default;
    FreePages(const FreePages&) = delete;
    FreePages& operator=(const FreePages&) = delete;

    static constexpr size_t bytes() { return kPages / 8 + 2 * sizeof(uint32_t) * 3 * (kPages / 64); }
    // `mem`: bytes() of zeroed memory, 8-byte aligned, owned by the caller.
    void init(void* mem);
    // Marks pages [first, first + count) used (accessible) or free.
    void set(uint32_t first, uint32_t count, bool used);
    // Lowest page x >= from with [x, x + count) free (count >= 1); false when there is none.
    bool find(uint32_t from, uint32_t count, uint32_t& x);
    // Nodes, words and bits visited so far (the host work of searches and updates).
    uint64_t work() const { return work_; }

private:
    static constexpr uint32_t kWords = kPages / 64;  // leaves
    // Node values are stored as (node size - value) so that zero-filled memory means all free.
    struct Node {
        uint32_t pre, suf, best;
    };
    uint32_t pre(uint32_t n, uint32_t size) const { return size - tree_[n].pre; }
    uint32_t suf(uint32_t n, uint32_t size) const { return size - tree_[n].suf; }
    uint32_t best(uint32_t n, uint32_t size) const { return size - tree_[n].best; }
    void leaf(uint32_t w);
    void pull(uint32_t n, uint32_t child_size);
    bool search(uint32_t n, uint32_t lo, uint32_t size, uint32_t from, uint32_t count, uint32_t& run,
                uint32_t& x);

    uint64_t* bits_ = nullptr;  // bit set = page used
    Node* tree_ = nullptr;      // 1-based heap; leaves at kWords + w
    uint64_t work_ = 0;
};

}  // namespace pvm
