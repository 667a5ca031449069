// libpvm benchmark: PVM programs assembled here, run on the interpreter and the recompiler,
// against the same algorithms compiled natively. Prints PVM instructions/s (= gas/s), run times,
// the slowdowns against native code, and the recompiler's compile time per KiB of PVM code.
//
// Under the GP ≤ 0.7 gas model every instruction costs 1 gas, so instructions/s = gas/s.
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "assembler.h"
#include "pvm.h"

namespace {

using pvm::Assembler;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kData = 0x20000;   // input buffer
constexpr uint32_t kData2 = 0x220000; // output buffer
constexpr uint32_t kBufSize = 1u << 20;

volatile uint64_t g_sink;

// ---- PVM programs ------------------------------------------------------------------------

// LCG: x = x * a + c; acc ^= x >> 33; n times. Result in r6.
std::vector<uint8_t> prog_lcg(int64_t n) {
    Assembler a;
    auto loop = a.label();
    a.load_imm(2, int64_t(6364136223846793005ull));
    a.load_imm(3, int64_t(1442695040888963407ull));
    a.load_imm(4, n);
    a.load_imm(5, 12345);
    a.load_imm(6, 0);
    a.bind(loop);
    a.reg3(pvm::op_mul_64, 5, 5, 2);
    a.reg3(pvm::op_add_64, 5, 5, 3);
    a.reg_reg_imm(pvm::op_shlo_r_imm_64, 7, 5, 33);
    a.reg3(pvm::op_xor_, 6, 6, 7);
    a.reg_reg_imm(pvm::op_add_imm_64, 4, 4, -1);
    a.reg_imm_off(pvm::op_branch_ne_imm, 4, 0, loop);
    a.halt_via(0);
    return a.blob();
}
__attribute__((noinline)) uint64_t native_lcg(int64_t n) {
    uint64_t x = 12345, acc = 0;
    for (int64_t i = n; i != 0; --i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        acc ^= x >> 33;
    }
    return acc;
}

// Sieve of Eratosthenes over kBufSize bytes at kData (zeroed); r9 = number of primes < N.
std::vector<uint8_t> prog_sieve() {
    Assembler a;
    auto outer = a.label(), inner = a.label(), next = a.label(), count = a.label(), cloop = a.label();
    a.load_imm(2, kData);
    a.load_imm(3, kBufSize);
    a.load_imm(4, 2);
    a.load_imm(9, 0);
    a.bind(outer);
    a.reg3(pvm::op_mul_64, 5, 4, 4);
    a.reg_reg_off(pvm::op_branch_ge_u, 5, 3, count);
    a.reg3(pvm::op_add_64, 7, 2, 4);
    a.reg_reg_imm(pvm::op_load_ind_u8, 6, 7, 0);
    a.reg_imm_off(pvm::op_branch_ne_imm, 6, 0, next);
    a.bind(inner);
    a.reg3(pvm::op_add_64, 7, 2, 5);
    a.reg_imm_imm(pvm::op_store_imm_ind_u8, 7, 0, 1);
    a.reg3(pvm::op_add_64, 5, 5, 4);
    a.reg_reg_off(pvm::op_branch_lt_u, 5, 3, inner);
    a.bind(next);
    a.reg_reg_imm(pvm::op_add_imm_64, 4, 4, 1);
    a.jump(outer);
    a.bind(count);
    a.load_imm(4, 2);
    a.bind(cloop);
    a.reg3(pvm::op_add_64, 7, 2, 4);
    a.reg_reg_imm(pvm::op_load_ind_u8, 6, 7, 0);
    a.reg_reg_imm(pvm::op_set_lt_u_imm, 8, 6, 1);
    a.reg3(pvm::op_add_64, 9, 9, 8);
    a.reg_reg_imm(pvm::op_add_imm_64, 4, 4, 1);
    a.reg_reg_off(pvm::op_branch_lt_u, 4, 3, cloop);
    a.halt_via(0);
    return a.blob();
}
__attribute__((noinline)) uint64_t native_sieve(uint8_t* buf, uint64_t n) {
    std::memset(buf, 0, n);
    for (uint64_t i = 2; i * i < n; ++i)
        if (!buf[i])
            for (uint64_t j = i * i; j < n; j += i) buf[j] = 1;
    uint64_t c = 0;
    for (uint64_t i = 2; i < n; ++i) c += buf[i] < 1;
    return c;
}

// Block copy kBufSize bytes kData -> kData2, 4 × 8 bytes per iteration, `reps` times.
std::vector<uint8_t> prog_copy(int64_t reps) {
    Assembler a;
    auto outer = a.label(), inner = a.label();
    a.load_imm(10, reps);
    a.bind(outer);
    a.load_imm(2, kData);
    a.load_imm(3, kData2);
    a.load_imm(4, kData + kBufSize);
    a.bind(inner);
    for (int k = 0; k < 4; ++k) {
        a.reg_reg_imm(pvm::op_load_ind_u64, 5 + k, 2, 8 * k);
        a.reg_reg_imm(pvm::op_store_ind_u64, 5 + k, 3, 8 * k);
    }
    a.reg_reg_imm(pvm::op_add_imm_64, 2, 2, 32);
    a.reg_reg_imm(pvm::op_add_imm_64, 3, 3, 32);
    a.reg_reg_off(pvm::op_branch_lt_u, 2, 4, inner);
    a.reg_reg_imm(pvm::op_add_imm_64, 10, 10, -1);
    a.reg_imm_off(pvm::op_branch_ne_imm, 10, 0, outer);
    a.halt_via(0);
    return a.blob();
}
__attribute__((noinline)) void native_copy(uint8_t* dst, const uint8_t* src, uint64_t n, int64_t reps) {
    for (int64_t r = 0; r < reps; ++r) {
        for (uint64_t i = 0; i < n; i += 32) {
            uint64_t w[4];
            std::memcpy(w, src + i, 32);
            std::memcpy(dst + i, w, 32);
        }
        asm volatile("" ::: "memory");
    }
}

// FNV-1a 64 over kBufSize bytes at kData, `reps` times; hash in r6.
std::vector<uint8_t> prog_fnv(int64_t reps) {
    Assembler a;
    auto outer = a.label(), inner = a.label();
    a.load_imm(10, reps);
    a.load_imm(6, int64_t(0xcbf29ce484222325ull));
    a.load_imm(11, int64_t(0x100000001b3ull));
    a.bind(outer);
    a.load_imm(2, kData);
    a.load_imm(4, kData + kBufSize);
    a.bind(inner);
    a.reg_reg_imm(pvm::op_load_ind_u8, 5, 2, 0);
    a.reg3(pvm::op_xor_, 6, 6, 5);
    a.reg3(pvm::op_mul_64, 6, 6, 11);
    a.reg_reg_imm(pvm::op_add_imm_64, 2, 2, 1);
    a.reg_reg_off(pvm::op_branch_lt_u, 2, 4, inner);
    a.reg_reg_imm(pvm::op_add_imm_64, 10, 10, -1);
    a.reg_imm_off(pvm::op_branch_ne_imm, 10, 0, outer);
    a.halt_via(0);
    return a.blob();
}
__attribute__((noinline)) uint64_t native_fnv(const uint8_t* buf, uint64_t n, int64_t reps) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (int64_t r = 0; r < reps; ++r)
        for (uint64_t i = 0; i < n; ++i) {
            h ^= buf[i];
            h *= 0x100000001b3ull;
        }
    return h;
}

// A large straight-line-and-branches program (every format, ~n instructions) for measuring
// compile time per KiB of PVM code.
std::vector<uint8_t> prog_large(int n) {
    Assembler a;
    uint64_t x = 88172645463325252ull;
    auto rnd = [&] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    auto skip = a.label();
    for (int i = 0; i < n; ++i) {
        const unsigned d = unsigned(rnd() % 13), s1 = unsigned(rnd() % 13), s2 = unsigned(rnd() % 13);
        switch (rnd() % 8) {
            case 0: a.reg3(pvm::op_add_64, d, s1, s2); break;
            case 1: a.reg3(pvm::op_mul_64, d, s1, s2); break;
            case 2: a.reg_reg_imm(pvm::op_add_imm_64, d, s1, int64_t(rnd() % 1000)); break;
            case 3: a.reg_reg_imm(pvm::op_load_ind_u32, d, s1, int64_t(rnd() % 4096)); break;
            case 4: a.reg_reg_imm(pvm::op_store_ind_u64, d, s1, int64_t(rnd() % 4096)); break;
            case 5: a.reg3(pvm::op_div_u_64, d, s1, s2); break;
            case 6: a.reg_reg_imm(pvm::op_shlo_l_imm_64, d, s1, int64_t(rnd() % 64)); break;
            default:
                a.reg_reg_off(pvm::op_branch_eq, s1, s2, skip);
                a.bind(skip);
                skip = a.label();
                break;
        }
    }
    a.bind(skip);
    a.halt_via(0);
    return a.blob();
}

double time_create(pvm_backend backend, const std::vector<uint8_t>& blob, int repeat) {
    double best = 1e99;
    for (int r = 0; r < repeat; ++r) {
        pvm_error err{};
        const auto t0 = Clock::now();
        pvm_vm* vm = pvm_create(backend, blob.data(), blob.size(), &err);
        const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
        if (!vm) {
            std::fprintf(stderr, "pvm_create: %s\n", err.message);
            std::exit(1);
        }
        pvm_destroy(vm);
        best = std::min(best, dt);
    }
    return best;
}

// ---- Harness -----------------------------------------------------------------------------

struct Result {
    double seconds = 1e99;
    uint64_t instructions = 0;
    uint64_t value = 0;
};

Result run_pvm(pvm_backend backend, const std::vector<uint8_t>& blob, unsigned result_reg, int repeat) {
    Result best;
    for (int r = 0; r < repeat; ++r) {
        pvm_error err{};
        pvm_vm* vm = pvm_create(backend, blob.data(), blob.size(), &err);
        if (!vm) {
            std::fprintf(stderr, "pvm_create: %s\n", err.message);
            std::exit(1);
        }
        pvm_map_pages(vm, kData, kBufSize, PVM_ACCESS_WRITE);
        pvm_map_pages(vm, kData2, kBufSize, PVM_ACCESS_WRITE);
        std::vector<uint8_t> init(kBufSize);
        for (uint32_t i = 0; i < kBufSize; ++i) init[i] = uint8_t(i * 31 + (i >> 8));
        if (result_reg != 9) pvm_write_memory(vm, kData, init.data(), kBufSize);  // the sieve needs zeros
        const int64_t gas0 = int64_t(1) << 62;
        pvm_set_gas(vm, gas0);
        const auto t0 = Clock::now();
        const pvm_status s = pvm_run(vm);
        const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
        if (s != PVM_HALT) {
            std::fprintf(stderr, "benchmark program ended with %s at pc %u\n", pvm_status_name(s), pvm_get_pc(vm));
            std::exit(1);
        }
        if (dt < best.seconds) {
            best.seconds = dt;
            best.instructions = uint64_t(gas0 - pvm_get_gas(vm));
            best.value = pvm_get_reg(vm, result_reg);
        }
        pvm_destroy(vm);
    }
    return best;
}

double time_native(const std::function<uint64_t()>& f, int repeat, uint64_t& value) {
    double best = 1e99;
    for (int r = 0; r < repeat; ++r) {
        const auto t0 = Clock::now();
        value = f();
        g_sink = value;
        best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    const int repeat = argc > 1 ? std::atoi(argv[1]) : 3;
    std::vector<uint8_t> src(kBufSize), dst(kBufSize), sieve(kBufSize);
    for (uint32_t i = 0; i < kBufSize; ++i) src[i] = uint8_t(i * 31 + (i >> 8));

    struct Bench {
        const char* name;
        std::vector<uint8_t> blob;
        unsigned reg;
        std::function<uint64_t()> native;
    };
    const int64_t lcg_n = 20000000, copy_reps = 100, fnv_reps = 8;
    std::vector<Bench> benches = {
        {"lcg-loop", prog_lcg(lcg_n), 6, [&] { return native_lcg(lcg_n); }},
        {"prime-sieve", prog_sieve(), 9, [&] { return native_sieve(sieve.data(), kBufSize); }},
        {"block-copy", prog_copy(copy_reps), 5,
         [&] {
             native_copy(dst.data(), src.data(), kBufSize, copy_reps);
             uint64_t last;  // the PVM program ends with the last 8-byte word loaded in r5
             std::memcpy(&last, dst.data() + kBufSize - 32, 8);
             return last;
         }},
        {"fnv1a", prog_fnv(fnv_reps), 6, [&] { return native_fnv(src.data(), kBufSize, fnv_reps); }},
    };

    const bool jit = pvm_backend_available(PVM_BACKEND_RECOMPILER) != 0;
    std::printf("%-12s %11s %9s %9s %9s %8s %8s %11s %11s %s\n", "benchmark", "PVM insns", "interp(s)",
                "recomp(s)", "native(s)", "int/nat", "rec/nat", "int insn/s", "rec insn/s", "check");
    for (const auto& b : benches) {
        const Result ri = run_pvm(PVM_BACKEND_INTERPRETER, b.blob, b.reg, repeat);
        Result rr;
        if (jit) rr = run_pvm(PVM_BACKEND_RECOMPILER, b.blob, b.reg, repeat);
        uint64_t native_value = 0;
        const double nt = time_native(b.native, repeat, native_value);
        const bool same = ri.value == native_value && (!jit || (rr.value == native_value && rr.instructions == ri.instructions));
        std::printf("%-12s %11" PRIu64 " %9.4f %9.4f %9.4f %7.1fx %7.2fx %11.3e %11.3e %s\n", b.name, ri.instructions,
                    ri.seconds, jit ? rr.seconds : 0.0, nt, ri.seconds / nt, jit ? rr.seconds / nt : 0.0,
                    double(ri.instructions) / ri.seconds, jit ? double(rr.instructions) / rr.seconds : 0.0,
                    same ? "same result" : "RESULT DIFFERS");
    }
    if (jit) {
        // Compile time: pvm_create on the recompiler minus pvm_create on the interpreter (both
        // parse and pre-decode; the difference is the translation to machine code).
        std::printf("\n%-12s %10s %12s %12s %12s %12s\n", "program", "code KiB", "create-int", "create-rec",
                    "compile(ms)", "ms/KiB");
        struct P {
            const char* name;
            std::vector<uint8_t> blob;
        };
        std::vector<P> progs;
        for (const auto& b : benches) progs.push_back({b.name, b.blob});
        progs.push_back({"large-200k", prog_large(200000)});
        for (const auto& p : progs) {
            const double ti = time_create(PVM_BACKEND_INTERPRETER, p.blob, repeat + 2);
            const double tr = time_create(PVM_BACKEND_RECOMPILER, p.blob, repeat + 2);
            const double kib = double(p.blob.size()) / 1024.0;
            std::printf("%-12s %10.2f %10.3fms %10.3fms %12.3f %12.3f\n", p.name, kib, ti * 1e3, tr * 1e3,
                        (tr - ti) * 1e3, (tr - ti) * 1e3 / kib);
        }
    }
    return 0;
}
