// libFuzzer target (clang, -DPVM_LIBFUZZER=ON): the input seeds the program generator, or
// (first byte odd) is itself a program blob run with a fixed memory map and gas.
#include <cstdlib>

#include "pvm_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    pvm_fuzz::Stats stats;
    pvm_fuzz::Case c;
    if (data[0] & 1) {
        c.blob.assign(data + 1, data + size);
        for (unsigned i = 0; i < PVM_NUM_REGS; ++i) c.regs[i] = pvm_fuzz::kRam + 8 * i;
        c.gas = 10000;
        c.host_fn = (data[0] & 2) != 0;
        c.maps.push_back({pvm_fuzz::kRam, 8 * 4096, PVM_ACCESS_WRITE});
    } else {
        uint64_t seed = 1469598103934665603ull;
        for (size_t i = 0; i < size; ++i) seed = (seed ^ data[i]) * 1099511628211ull;
        c = pvm_fuzz::Gen(seed).make();
    }
    const std::string d = pvm_fuzz::run_case(c, stats);
    if (!d.empty()) {
        std::fprintf(stderr, "DIVERGENCE: %s\n", d.c_str());
        std::abort();
    }
    return 0;
}
