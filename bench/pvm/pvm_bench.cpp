// libpvm benchmark: PVM programs assembled here, run on the interpreter and the recompiler
// (guard-page and checked memory models), against the same algorithms compiled natively
// (-O2). Prints PVM instructions/s (= gas/s), run times and the slowdowns against native code;
// then compile times on generated programs of 40, 170 and 600 KiB (µs per KiB) and the host
// memory per guest instruction, for both backends.
//
// Times are per-thread CPU time (CLOCK_THREAD_CPUTIME_ID), best of N runs, so other load on the
// machine inflates them less than wall time. Guest memory is written (touched) before a timed
// run, as the native buffers are. Under the GP <= 0.7 gas model every instruction costs 1 gas,
// so instructions/s = gas/s.
#include <time.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "assembler.h"
#include "pvm.h"
#include "sample_program.h"
#include "vm.h"

namespace {

using pvm::Assembler;

double cpu_now() {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

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

// ---- Harness -----------------------------------------------------------------------------

struct Result {
    double seconds = 1e99;
    uint64_t instructions = 0;
    uint64_t value = 0;
};

pvm_vm* create(pvm_backend backend, pvm_memory_model model, const std::vector<uint8_t>& blob) {
    pvm_error err{};
    pvm_vm* vm = pvm_create_ex(backend, model, blob.data(), blob.size(), &err);
    if (!vm) {
        std::fprintf(stderr, "pvm_create: %s\n", err.message);
        std::exit(1);
    }
    return vm;
}

Result run_pvm(pvm_backend backend, pvm_memory_model model, const std::vector<uint8_t>& blob, unsigned result_reg,
               int repeat) {
    Result best;
    std::vector<uint8_t> init(kBufSize), zero(kBufSize);
    for (uint32_t i = 0; i < kBufSize; ++i) init[i] = uint8_t(i * 31 + (i >> 8));
    for (int r = 0; r < repeat; ++r) {
        pvm_vm* vm = create(backend, model, blob);
        pvm_map_pages(vm, kData, kBufSize, PVM_ACCESS_WRITE);
        pvm_map_pages(vm, kData2, kBufSize, PVM_ACCESS_WRITE);
        // The sieve needs zeros; every buffer is written once so no run pays first-touch faults.
        pvm_write_memory(vm, kData, result_reg == 9 ? zero.data() : init.data(), kBufSize);
        pvm_write_memory(vm, kData2, zero.data(), kBufSize);
        const int64_t gas0 = int64_t(1) << 62;
        pvm_set_gas(vm, gas0);
        const double t0 = cpu_now();
        const pvm_status s = pvm_run(vm);
        const double dt = cpu_now() - t0;
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
        const double t0 = cpu_now();
        value = f();
        g_sink = value;
        best = std::min(best, cpu_now() - t0);
    }
    return best;
}

// Best CPU time of pvm_create (+ destroy outside the timing).
double time_create(pvm_backend backend, pvm_memory_model model, const std::vector<uint8_t>& blob, int repeat) {
    double best = 1e99;
    for (int r = 0; r < repeat; ++r) {
        const double t0 = cpu_now();
        pvm_vm* vm = create(backend, model, blob);
        best = std::min(best, cpu_now() - t0);
        pvm_destroy(vm);
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    const int repeat = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
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
    std::printf("Run time (CPU s, best of %d); ratios to native; instructions/s\n", repeat);
    std::printf("%-12s %10s %9s %9s %9s %9s %7s %7s %7s %9s %9s  %s\n", "benchmark", "PVM insns", "interp", "rec-guard",
                "rec-chk", "native", "int/nat", "rec/nat", "chk/nat", "int ins/s", "rec ins/s", "check");
    for (const auto& b : benches) {
        const Result ri = run_pvm(PVM_BACKEND_INTERPRETER, PVM_MEMORY_DEFAULT, b.blob, b.reg, repeat);
        Result rg, rc;
        if (jit) {
            rg = run_pvm(PVM_BACKEND_RECOMPILER, PVM_MEMORY_GUARD_PAGES, b.blob, b.reg, repeat);
            rc = run_pvm(PVM_BACKEND_RECOMPILER, PVM_MEMORY_CHECKED, b.blob, b.reg, repeat);
        }
        uint64_t native_value = 0;
        const double nt = time_native(b.native, repeat, native_value);
        const bool same = ri.value == native_value &&
                          (!jit || (rg.value == native_value && rc.value == native_value &&
                                    rg.instructions == ri.instructions && rc.instructions == ri.instructions));
        std::printf("%-12s %10" PRIu64 " %9.5f %9.5f %9.5f %9.5f %6.1fx %6.2fx %6.2fx %9.3e %9.3e  %s\n", b.name,
                    ri.instructions, ri.seconds, jit ? rg.seconds : 0.0, jit ? rc.seconds : 0.0, nt, ri.seconds / nt,
                    jit ? rg.seconds / nt : 0.0, jit ? rc.seconds / nt : 0.0, double(ri.instructions) / ri.seconds,
                    jit ? double(rg.instructions) / rg.seconds : 0.0, same ? "same result" : "RESULT DIFFERS");
    }

    // Compile time and host memory on programs shaped like compiled code. "parse" is pvm_create on
    // the interpreter (parse + pre-decode); "compile" is the recompiler's pvm_create minus that.
    std::printf("\nCompile (CPU, best of %d): programs shaped like compiled code\n", 4 * repeat);
    std::printf("%-8s %8s %8s %10s %10s %10s %10s %11s %10s %10s\n", "program", "KiB", "insns", "parse us",
                "create us", "compile us", "comp us/KiB", "create us/KiB", "int B/insn", "rec B/insn");
    const uint32_t sizes[3] = {40, 170, 600};
    for (uint32_t kib : sizes) {
        const auto blob = pvm::sample_program(kib << 10, 0xC0DE + kib);
        const double ti = time_create(PVM_BACKEND_INTERPRETER, PVM_MEMORY_DEFAULT, blob, 4 * repeat);
        const double tr = jit ? time_create(PVM_BACKEND_RECOMPILER, PVM_MEMORY_DEFAULT, blob, 4 * repeat) : 0;
        pvm_vm* vi = create(PVM_BACKEND_INTERPRETER, PVM_MEMORY_DEFAULT, blob);
        const pvm::HostMemory hi = pvm::host_memory(vi);
        pvm_destroy(vi);
        pvm::HostMemory hr;
        if (jit) {
            pvm_vm* vr = create(PVM_BACKEND_RECOMPILER, PVM_MEMORY_DEFAULT, blob);
            hr = pvm::host_memory(vr);
            pvm_destroy(vr);
        }
        const double k = double(blob.size()) / 1024.0, n = double(hi.instructions);
        std::printf("%-8s %8.1f %8zu %10.1f %10.1f %10.1f %10.2f %11.2f %10.1f %10.1f\n",
                    (std::to_string(kib) + "KiB").c_str(), k, hi.instructions, ti * 1e6, tr * 1e6, (tr - ti) * 1e6,
                    (tr - ti) * 1e6 / k, tr * 1e6 / k, double(hi.program_bytes) / n,
                    double(hr.program_bytes + hr.code_bytes + hr.tables_bytes) / n);
        if (jit && kib == 600)
            std::printf("  recompiler host bytes per instruction: program %.1f, machine code %.1f, tables %.1f\n",
                        double(hr.program_bytes) / n, double(hr.code_bytes) / n, double(hr.tables_bytes) / n);
    }
    return 0;
}
