// Process start-up: prefault the malloc heap in one system call.
//
// Page faults are the largest single cost of vp's start-up and of a firmware boot
// (SystemC's static initialiser alone zero-fills a 3 MiB buffer, 770 faults; block
// building grows the heap a page at a time). This runs from the executable's
// .preinit_array, i.e. before any shared library's static initialiser, and makes
// the first kEarlyHeap bytes of the heap present at once (huge pages where the host
// allows them). Allocations up to that size then come from the prefaulted heap.
// The heap above, up to kHugeHeap, is only marked for huge pages: a Linux boot
// builds tens of MiB of blocks, which then fault in once per 2 MiB, not per 4 KiB
// (3,400 of a 1-hart boot's 4,600 page faults were the heap's), while a small run
// never touches it.
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {

constexpr size_t kEarlyHeap = size_t{8} << 20;
// glibc serves requests below M_MMAP_THRESHOLD (at most 32 MiB) from the heap.
constexpr size_t kHugeHeap = size_t{30} << 20;

void early_heap(int, char**, char** envp) {
#if defined(__SANITIZE_ADDRESS__)
  return;  // the sanitizer's allocator manages its own heap
#endif
  // VP_NO_EARLY_HEAP set: skip (to measure the difference). getenv() is not yet
  // usable here; the environment comes as an argument.
  for (char** e = envp; e && *e; ++e)
    if (std::strncmp(*e, "VP_NO_EARLY_HEAP=", 17) == 0) return;
  // Blocks of a few MiB come from the heap (not a fresh mmap each), and the heap
  // is not given back to the kernel below this size.
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(kHugeHeap + (size_t{1} << 20)));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(2 * kHugeHeap));
  void* p = std::malloc(kHugeHeap);
  if (!p) return;
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t lo = (reinterpret_cast<uintptr_t>(p) + page - 1) & ~(page - 1);
  const uintptr_t hi = (reinterpret_cast<uintptr_t>(p) + kEarlyHeap) & ~(page - 1);
  const uintptr_t top = (reinterpret_cast<uintptr_t>(p) + kHugeHeap) & ~(page - 1);
  madvise(reinterpret_cast<void*>(lo), top - lo, MADV_HUGEPAGE);
#ifdef MADV_POPULATE_WRITE
  madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_POPULATE_WRITE);  // fails harmlessly on old kernels
#endif
  std::free(p);
}

}  // namespace

__attribute__((section(".preinit_array"), used)) static void (*const vp_early_heap)(int, char**, char**) = early_heap;
