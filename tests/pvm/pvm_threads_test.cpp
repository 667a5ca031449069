// Several VMs on several threads at once, with host callbacks, page faults (guard pages: the
// SIGSEGV handler) and panics, must give exactly the results each gives alone; and a host
// callback may run another VM (which faults) on the same thread.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "pvm_fuzz.h"

namespace {

// Everything observable about one run: each exit and the memory at the end.
struct Trace {
    std::vector<uint64_t> values;
    bool operator==(const Trace& o) const { return values == o.values; }
};

uint64_t fnv(const uint8_t* p, size_t n, uint64_t h = 1469598103934665603ull) {
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

// Runs a case on one backend the way the differential fuzzer does (resuming after host calls,
// mapping faulting pages, topping up gas) and records every exit.
Trace run(const pvm_fuzz::Case& c, pvm_backend b) {
    Trace t;
    pvm_vm* vm = pvm_fuzz::make_vm(b, c);
    if (!vm) {
        t.values.push_back(~uint64_t(0));
        return t;
    }
    for (unsigned round = 0; round < 32; ++round) {
        const pvm_status s = pvm_run(vm);
        t.values.push_back(s);
        t.values.push_back(pvm_get_pc(vm));
        t.values.push_back(uint64_t(pvm_get_gas(vm)));
        for (unsigned i = 0; i < PVM_NUM_REGS; ++i) t.values.push_back(pvm_get_reg(vm, i));
        if (s == PVM_PAGE_FAULT) t.values.push_back(pvm_fault_address(vm));
        if (s == PVM_HOST_CALL) {
            pvm_set_reg(vm, 7, pvm_get_reg(vm, 7) + pvm_host_call_index(vm));
            continue;
        }
        if (s == PVM_PAGE_FAULT && round % 4 != 3) {
            pvm_map_pages(vm, pvm_fault_address(vm), 4096, PVM_ACCESS_WRITE);
            continue;
        }
        if (s == PVM_OUT_OF_GAS && round % 2 == 0) {
            pvm_set_gas(vm, pvm_get_gas(vm) + 50);
            continue;
        }
        break;
    }
    static thread_local uint8_t page[4096];
    for (uint32_t p = 0; p < pvm_fuzz::kRamPages; ++p) {
        const uint32_t addr = pvm_fuzz::kRam + p * 4096;
        if (pvm_read_memory(vm, addr, page, 4096) == 0) t.values.push_back(fnv(page, 4096));
    }
    pvm_destroy(vm);
    return t;
}

std::vector<pvm_fuzz::Case> cases(unsigned n, uint64_t seed) {
    std::vector<pvm_fuzz::Case> out;
    for (unsigned i = 0; i < n; ++i) out.push_back(pvm_fuzz::Gen(seed + i).make());
    return out;
}

TEST(PvmThreads, ConcurrentVmsMatchRunsAlone) {
    const pvm_backend b =
        pvm_backend_available(PVM_BACKEND_RECOMPILER) ? PVM_BACKEND_RECOMPILER : PVM_BACKEND_INTERPRETER;
    const auto cs = cases(400, 0x7EAD);
    std::vector<Trace> alone;
    uint64_t faults = 0, host_calls = 0;
    for (const auto& c : cs) {
        alone.push_back(run(c, b));
        // Count what the runs exercise (status values are at known places only in the first
        // exit; a coarse tally is enough to show faults and host calls happen).
        faults += alone.back().values.size() > 0 && alone.back().values[0] == PVM_PAGE_FAULT;
        host_calls += c.host_fn;
    }
    EXPECT_GT(faults, 20u);
    EXPECT_GT(host_calls, 100u);
    constexpr unsigned kThreads = 6;
    std::vector<std::vector<Trace>> got(kThreads, std::vector<Trace>(cs.size()));
    std::atomic<unsigned> start{0};
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            start.fetch_add(1);
            while (start.load() < kThreads) {
            }
            // Every thread runs every case, each from a different starting point.
            for (size_t k = 0; k < cs.size(); ++k) {
                const size_t i = (k + t * 67) % cs.size();
                got[t][i] = run(cs[i], b);
            }
        });
    }
    for (auto& th : threads) th.join();
    for (unsigned t = 0; t < kThreads; ++t)
        for (size_t i = 0; i < cs.size(); ++i) ASSERT_TRUE(got[t][i] == alone[i]) << "thread " << t << ", case " << i;
}

// A host call that runs another VM to completion on the same thread; the inner VM faults twice
// (guard pages: the handler must resolve faults of the innermost run) and its result goes back
// into the outer VM.
struct Nested {
    std::vector<uint8_t> inner_blob;
    int inner_runs = 0;
};

pvm_host_result run_inner(pvm_vm* outer, uint32_t, void* user) {
    Nested& n = *static_cast<Nested*>(user);
    pvm_vm* inner = pvm_create(PVM_BACKEND_RECOMPILER, n.inner_blob.data(), n.inner_blob.size(), nullptr);
    if (!inner) return PVM_HOST_ERROR;
    pvm_set_gas(inner, 1000);
    pvm_set_reg(inner, 7, pvm_get_reg(outer, 7));
    pvm_status s;
    int faults = 0;
    while ((s = pvm_run(inner)) == PVM_PAGE_FAULT) {
        ++faults;
        pvm_map_pages(inner, pvm_fault_address(inner), 4096, PVM_ACCESS_WRITE);
    }
    pvm_set_reg(outer, 8, s == PVM_HALT ? pvm_get_reg(inner, 9) : 0);
    pvm_set_reg(outer, 9, uint64_t(faults));
    pvm_destroy(inner);
    ++n.inner_runs;
    return PVM_HOST_CONTINUE;
}

TEST(PvmThreads, HostCallbackRunsAnotherVmThatFaults) {
    if (!pvm_backend_available(PVM_BACKEND_RECOMPILER)) GTEST_SKIP() << "no recompiler on this host";
    using namespace pvm;
    // Inner: r9 = [0x30000] + [0x40000] + r7 after storing r7 at both (two page faults).
    Assembler in;
    in.reg_imm(op_store_u64, 7, 0x30000);
    in.reg_imm(op_store_u64, 7, 0x40000);
    in.reg_imm(op_load_u64, 2, 0x30000);
    in.reg_imm(op_load_u64, 3, 0x40000);
    in.reg3(op_add_64, 9, 2, 3);
    in.reg3(op_add_64, 9, 9, 7);
    in.halt_via(4);
    // Outer: ecalli, then fault on its own unmapped page, then ecalli again; results summed.
    Assembler out;
    out.imm(op_ecalli, 1);
    out.reg3(op_add_64, 10, 8, 9);
    out.reg_imm(op_store_u64, 10, 0x50000);
    out.reg_reg_imm(op_add_imm_64, 7, 7, 1);
    out.imm(op_ecalli, 2);
    out.reg3(op_add_64, 11, 8, 9);
    out.halt_via(4);
    Nested n{in.blob(), 0};
    const auto outer_blob = out.blob();
    auto one = [&](Nested& nn) {
        pvm_vm* vm = pvm_create(PVM_BACKEND_RECOMPILER, outer_blob.data(), outer_blob.size(), nullptr);
        EXPECT_NE(vm, nullptr);
        pvm_set_host_callback(vm, run_inner, &nn);
        pvm_set_reg(vm, 7, 5);
        pvm_set_gas(vm, 100);
        pvm_status s = pvm_run(vm);
        EXPECT_EQ(s, PVM_PAGE_FAULT);
        EXPECT_EQ(pvm_fault_address(vm), 0x50000u);
        pvm_map_pages(vm, 0x50000, 4096, PVM_ACCESS_WRITE);
        s = pvm_run(vm);
        EXPECT_EQ(s, PVM_HALT);
        const uint64_t r10 = pvm_get_reg(vm, 10), r11 = pvm_get_reg(vm, 11);
        pvm_destroy(vm);
        return std::make_pair(r10, r11);
    };
    const auto alone = one(n);
    EXPECT_EQ(alone.first, 3u * 5 + 2);   // inner: 5 + 5 + 5, two faults
    EXPECT_EQ(alone.second, 3u * 6 + 2);
    EXPECT_EQ(n.inner_runs, 2);
    std::vector<std::thread> threads;
    std::atomic<int> same{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int k = 0; k < 50; ++k) {
                Nested nn{n.inner_blob, 0};
                if (one(nn) == alone && nn.inner_runs == 2) same.fetch_add(1);
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(same.load(), 200);
}

}  // namespace
