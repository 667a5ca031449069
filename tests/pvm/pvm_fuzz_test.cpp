// Fixed-seed differential run: N random programs (default 100000) on the interpreter and the
// recompiler. Usage: pvm_fuzz_test [programs] [seed]. Exit status 1 on any divergence.
#include <chrono>
#include <cstdlib>

#include "pvm_fuzz.h"

int main(int argc, char** argv) {
    const uint64_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 100000;
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
        const auto p0 = std::chrono::steady_clock::now();
        const std::string d = pvm_fuzz::run_case(c, stats);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - p0).count();
        if (std::getenv("PVM_FUZZ_SLOW") && ms > std::atof(std::getenv("PVM_FUZZ_SLOW")))
            std::printf("slow program %llu: %.1f ms\n", (unsigned long long)i, ms);
        if (!d.empty() && stats.divergences <= 10) std::printf("DIVERGENCE program %llu (seed %llu): %s\n",
                                                              (unsigned long long)i, (unsigned long long)seed,
                                                              d.c_str());
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("programs: %llu  divergences: %llu  exits: %llu (halt %llu, panic %llu, out-of-gas %llu, "
                "page-fault %llu, host-call %llu)  create failures (both): %llu  time: %.1f s\n",
                (unsigned long long)stats.programs, (unsigned long long)stats.divergences,
                (unsigned long long)stats.exits, (unsigned long long)stats.by_status[0],
                (unsigned long long)stats.by_status[1], (unsigned long long)stats.by_status[2],
                (unsigned long long)stats.by_status[3], (unsigned long long)stats.by_status[4],
                (unsigned long long)stats.create_failed, s);
    return stats.divergences == 0 ? 0 : 1;
}
