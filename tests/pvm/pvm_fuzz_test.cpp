// Fixed-seed differential run: N random programs on the interpreter and the recompiler.
// Usage: pvm_fuzz_test [programs] [seed]. Exit status 1 on any divergence. Built twice: as the
// ctest driver (a few thousand programs by default) and as pvm_fuzz_long (run by hand, a
// million by default; its figures go in docs/pvm.md).
#include <chrono>
#include <cstdlib>

#include "pvm_fuzz.h"

#ifndef PVM_FUZZ_DEFAULT_PROGRAMS
#define PVM_FUZZ_DEFAULT_PROGRAMS 3000
#endif

int main(int argc, char** argv) {
    const uint64_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : PVM_FUZZ_DEFAULT_PROGRAMS;
    const uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 0) : 0x5EED;
    if (!pvm_backend_available(PVM_BACKEND_RECOMPILER)) {
        std::printf("recompiler not available on this host: skipped\n");
        return 0;
    }
    const auto t0 = std::chrono::steady_clock::now();
    pvm_fuzz::Stats stats;
    for (uint64_t i = 0; i < count; ++i) {
        pvm_fuzz::Gen gen(seed * 0x9E3779B97F4A7C15ull + i);
        const pvm_fuzz::Case c = gen.make();
        const std::string d = pvm_fuzz::run_case(c, stats);
        if (!d.empty() && stats.divergences <= 10)
            std::printf("DIVERGENCE program %llu (seed %llu): %s\n", (unsigned long long)i, (unsigned long long)seed,
                        d.c_str());
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const char* model = "?";
    {
        const uint8_t blob[] = {0, 0, 0};
        pvm_vm* vm = pvm_create(PVM_BACKEND_RECOMPILER, blob, sizeof blob, nullptr);
        if (vm) model = pvm_get_memory_model(vm) == PVM_MEMORY_GUARD_PAGES ? "guard pages" : "checked";
        pvm_destroy(vm);
    }
    std::printf("recompiler memory model: %s\n", model);
    std::printf("programs: %llu  divergences: %llu  exits: %llu (halt %llu, panic %llu, out-of-gas %llu, "
                "page-fault %llu, host-call %llu)  create failures (both): %llu\n",
                (unsigned long long)stats.programs, (unsigned long long)stats.divergences,
                (unsigned long long)stats.exits, (unsigned long long)stats.by_status[0],
                (unsigned long long)stats.by_status[1], (unsigned long long)stats.by_status[2],
                (unsigned long long)stats.by_status[3], (unsigned long long)stats.by_status[4],
                (unsigned long long)stats.create_failed);
    std::printf("memory exits: %llu straddling a page boundary, %llu stores to read-only pages, %llu wrapping past "
                "2^32  (%.1f s wall)\n",
                (unsigned long long)stats.straddle, (unsigned long long)stats.ro_store,
                (unsigned long long)stats.wrap, s);
    return stats.divergences == 0 ? 0 : 1;
}
