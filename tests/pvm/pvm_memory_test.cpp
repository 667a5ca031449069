// libpvm memory models and host-cost bounds: the same faults on the interpreter, the recompiler
// on guard pages and the recompiler on the checked model (page edges, straddling accesses,
// read-only pages, 2^32 wrap, the low 64 KiB); model selection; sbrk's host work bounded by a
// constant per call (issue 19 item 12); the recompiler's host memory per guest instruction
// (item 13).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "assembler.h"
#include "pvm.h"
#include "sample_program.h"
#include "vm.h"

namespace {

using pvm::Assembler;
enum : unsigned { RA = 0, SP = 1, T0 = 2, T1 = 3, T2 = 4, S0 = 5, S1 = 6, A0 = 7, A1 = 8, A2 = 9, A3 = 10, A5 = 12 };

struct Config {
    pvm_backend backend;
    pvm_memory_model model;
    const char* name;
};
const Config kConfigs[] = {
    {PVM_BACKEND_INTERPRETER, PVM_MEMORY_DEFAULT, "interpreter"},
    {PVM_BACKEND_RECOMPILER, PVM_MEMORY_GUARD_PAGES, "recompiler/guard"},
    {PVM_BACKEND_RECOMPILER, PVM_MEMORY_CHECKED, "recompiler/checked"},
};

pvm_vm* make(const Config& c, const std::vector<uint8_t>& blob) {
    pvm_error err{};
    pvm_vm* vm = pvm_create_ex(c.backend, c.model, blob.data(), blob.size(), &err);
    EXPECT_NE(vm, nullptr) << c.name << ": " << err.message;
    return vm;
}

bool recompiler() { return pvm_backend_available(PVM_BACKEND_RECOMPILER) != 0; }

// One memory access after loading its base register; the expected exit.
struct FaultCase {
    const char* what;
    uint8_t op;            // the access
    unsigned base;         // base register (RegRegImm / RegImmImm forms) or 99: absolute address
    uint64_t base_value;
    int64_t imm;
    std::vector<std::pair<uint32_t, pvm_access>> pages;  // 4 KiB pages mapped
    pvm_status status;
    uint32_t fault;        // for PVM_PAGE_FAULT
};

std::vector<uint8_t> fault_program(const FaultCase& fc) {
    Assembler a;
    if (fc.base != 99) a.load_imm(fc.base, int64_t(fc.base_value));
    const pvm::Fmt fmt = pvm::op_info(fc.op).fmt;
    if (fmt == pvm::Fmt::RegRegImm)
        a.reg_reg_imm(fc.op, A1, fc.base, fc.imm);  // load: A1 = [base + imm]; store: [base + imm] = A1
    else if (fmt == pvm::Fmt::RegImmImm)
        a.reg_imm_imm(fc.op, fc.base, fc.imm, 0x5A);
    else if (fmt == pvm::Fmt::ImmImm)
        a.imm_imm(fc.op, fc.imm, 0x5A);
    else
        a.reg_imm(fc.op, A1, fc.imm);  // absolute load / store
    a.load_imm(A2, 77);  // after the access: shows where execution resumed
    a.halt_via(T0);
    return a.blob();
}

TEST(PvmMemoryModels, FaultsMatchOnEveryBackendAndModel) {
    using namespace pvm;
    const std::vector<FaultCase> cases = {
        {"load straddling into an unmapped page", op_load_ind_u64, T1, 0x20FFC, 0, {{0x20000, PVM_ACCESS_WRITE}},
         PVM_PAGE_FAULT, 0x21000},
        {"load straddling into a read-only page", op_load_ind_u64, T1, 0x20FFC, 0,
         {{0x20000, PVM_ACCESS_WRITE}, {0x21000, PVM_ACCESS_READ}}, PVM_HALT, 0},
        {"store straddling into a read-only page", op_store_ind_u64, T1, 0x20FFA, 0,
         {{0x20000, PVM_ACCESS_WRITE}, {0x21000, PVM_ACCESS_READ}}, PVM_PAGE_FAULT, 0x21000},
        {"store straddling from a read-only page", op_store_ind_u32, T1, 0x20FFE, 0,
         {{0x20000, PVM_ACCESS_READ}, {0x21000, PVM_ACCESS_WRITE}}, PVM_PAGE_FAULT, 0x20000},
        {"store to a read-only page", op_store_ind_u8, T1, 0x21000, 0x10, {{0x21000, PVM_ACCESS_READ}},
         PVM_PAGE_FAULT, 0x21000},
        {"store immediate to a read-only page", op_store_imm_ind_u16, T1, 0x21000, 0xFFE,
         {{0x21000, PVM_ACCESS_READ}}, PVM_PAGE_FAULT, 0x21000},
        {"absolute load, unmapped", op_load_u8, 99, 0, 0x30000, {}, PVM_PAGE_FAULT, 0x30000},
        {"absolute store above 2^31, unmapped", op_store_u32, 99, 0, int32_t(0xFFFFF000u), {}, PVM_PAGE_FAULT,
         0xFFFFF000u},
        {"absolute store immediate, read-only", op_store_imm_u64, 99, 0, 0x30FF8, {{0x30000, PVM_ACCESS_READ}},
         PVM_PAGE_FAULT, 0x30000},
        {"access wrapping past 2^32", op_load_ind_u32, T1, 0xFFFFFFFEu, 0, {{0xFFFFF000u, PVM_ACCESS_WRITE}},
         PVM_PANIC, 0},
        {"last bytes of memory", op_load_ind_u32, T1, 0xFFFFFFFCu, 0, {{0xFFFFF000u, PVM_ACCESS_READ}}, PVM_HALT, 0},
        {"access into the low 64 KiB", op_load_ind_u16, T1, 0xFFFF, 0, {{0x10000, PVM_ACCESS_WRITE}}, PVM_PANIC, 0},
        {"straddle below a mapped page", op_load_ind_u16, T1, 0x1FFFF, 0, {{0x20000, PVM_ACCESS_WRITE}},
         PVM_PAGE_FAULT, 0x1F000},
        {"base register in the context (r12), upper bits ignored", op_load_ind_u32, A5, 0x700020FFEull, 0,
         {{0x20000, PVM_ACCESS_WRITE}}, PVM_PAGE_FAULT, 0x21000},
        {"base register r0", op_store_ind_u16, RA, 0x21FFF, 0, {{0x21000, PVM_ACCESS_WRITE}}, PVM_PAGE_FAULT,
         0x22000},
        {"negative offset", op_load_ind_i8, T1, 0x22000, -1, {{0x22000, PVM_ACCESS_WRITE}}, PVM_PAGE_FAULT, 0x21000},
    };
    for (const Config& cfg : kConfigs) {
        if (cfg.backend == PVM_BACKEND_RECOMPILER && !recompiler()) continue;
        for (const FaultCase& fc : cases) {
            SCOPED_TRACE(std::string(cfg.name) + ": " + fc.what);
            const auto blob = fault_program(fc);
            pvm_vm* vm = make(cfg, blob);
            ASSERT_NE(vm, nullptr);
            for (const auto& p : fc.pages) ASSERT_EQ(pvm_map_pages(vm, p.first, 4096, p.second), 0);
            // Recognisable contents around the access.
            for (const auto& p : fc.pages) {
                std::vector<uint8_t> fill(4096);
                for (size_t i = 0; i < fill.size(); ++i) fill[i] = uint8_t(p.first >> 12) + uint8_t(i);
                ASSERT_EQ(pvm_poke_memory(vm, p.first, fill.data(), 4096), 0);
            }
            pvm_set_reg(vm, A1, 0x1122334455667788ull);
            pvm_set_gas(vm, 1000);
            const pvm_status s = pvm_run(vm);
            EXPECT_EQ(s, fc.status) << pvm_status_name(s);
            if (s == PVM_PAGE_FAULT) {
                EXPECT_EQ(pvm_fault_address(vm), fc.fault);
                EXPECT_EQ(pvm_get_reg(vm, A2), 0u);  // stopped at the access
                EXPECT_EQ(pvm_get_reg(vm, A1), 0x1122334455667788ull);  // a faulting load writes nothing
                // Nothing was stored: every mapped page still has its contents.
                for (const auto& p : fc.pages) {
                    std::vector<uint8_t> back(4096);
                    ASSERT_EQ(pvm_read_memory(vm, p.first, back.data(), 4096), 0);
                    for (size_t i = 0; i < back.size(); ++i)
                        ASSERT_EQ(back[i], uint8_t(uint8_t(p.first >> 12) + uint8_t(i))) << "byte " << i;
                }
                // Map the page and resume: the access completes, the block is not charged again.
                const int64_t gas = pvm_get_gas(vm);
                ASSERT_EQ(pvm_map_pages(vm, fc.fault, 4096, PVM_ACCESS_WRITE), 0);
                EXPECT_EQ(pvm_run(vm), PVM_HALT);
                EXPECT_EQ(pvm_get_reg(vm, A2), 77u);
                EXPECT_EQ(pvm_get_gas(vm), gas);
            } else if (s == PVM_HALT) {
                EXPECT_EQ(pvm_get_reg(vm, A2), 77u);
            }
            pvm_destroy(vm);
        }
    }
}

TEST(PvmMemoryModels, LoadedValuesAcrossPagesAndSignExtension) {
    using namespace pvm;
    Assembler a;
    a.load_imm(T1, 0x20FFD);
    a.reg_reg_imm(op_load_ind_u64, A0, T1, 0);   // straddles 0x20FFD..0x21004
    a.reg_reg_imm(op_load_ind_i16, A1, T1, 2);   // 0x20FFF..0x21000
    a.reg_reg_imm(op_load_ind_i32, A2, T1, 3);   // 0x21000: one page
    a.load_imm(S0, int64_t(0x8877665544332211ull));
    a.reg_reg_imm(op_store_ind_u64, S0, T1, 0x1000);  // 0x21FFD..0x22004
    a.reg_reg_imm(op_load_ind_u64, S1, T1, 0x1000);
    a.halt_via(T0);
    const auto blob = a.blob();
    for (const Config& cfg : kConfigs) {
        if (cfg.backend == PVM_BACKEND_RECOMPILER && !recompiler()) continue;
        SCOPED_TRACE(cfg.name);
        pvm_vm* vm = make(cfg, blob);
        ASSERT_NE(vm, nullptr);
        ASSERT_EQ(pvm_map_pages(vm, 0x20000, 3 * 4096, PVM_ACCESS_WRITE), 0);
        const uint8_t bytes[8] = {0x01, 0x02, 0xF3, 0x94, 0x85, 0x06, 0x07, 0x08};
        ASSERT_EQ(pvm_write_memory(vm, 0x20FFD, bytes, 8), 0);
        pvm_set_gas(vm, 100);
        ASSERT_EQ(pvm_run(vm), PVM_HALT);
        EXPECT_EQ(pvm_get_reg(vm, A0), 0x0807068594F30201ull);
        EXPECT_EQ(pvm_get_reg(vm, A1), 0xFFFFFFFFFFFF94F3ull);
        EXPECT_EQ(pvm_get_reg(vm, A2), 0x0000000007068594ull);
        EXPECT_EQ(pvm_get_reg(vm, S1), 0x8877665544332211ull);
        pvm_destroy(vm);
    }
}

TEST(PvmMemoryModels, SelectionAndEnvironment) {
    const std::vector<uint8_t> blob = {0, 0, 0};
    pvm_error err{};
    pvm_vm* vm = pvm_create(PVM_BACKEND_INTERPRETER, blob.data(), blob.size(), &err);
    ASSERT_NE(vm, nullptr);
    EXPECT_EQ(pvm_get_memory_model(vm), PVM_MEMORY_CHECKED);
    pvm_destroy(vm);
    vm = pvm_create_ex(PVM_BACKEND_INTERPRETER, pvm_memory_model(7), blob.data(), blob.size(), &err);
    EXPECT_EQ(vm, nullptr);
    EXPECT_EQ(err.code, PVM_ERR_INVALID_ARGUMENT);
    if (!recompiler()) GTEST_SKIP() << "no recompiler on this host";
    const char* env = std::getenv("PVM_MEMORY_MODEL");
    const std::string saved = env ? env : "";
    unsetenv("PVM_MEMORY_MODEL");
    vm = pvm_create(PVM_BACKEND_RECOMPILER, blob.data(), blob.size(), &err);
    ASSERT_NE(vm, nullptr) << err.message;
    EXPECT_EQ(pvm_get_memory_model(vm), PVM_MEMORY_GUARD_PAGES);
    pvm_destroy(vm);
    vm = pvm_create_ex(PVM_BACKEND_RECOMPILER, PVM_MEMORY_CHECKED, blob.data(), blob.size(), &err);
    ASSERT_NE(vm, nullptr);
    EXPECT_EQ(pvm_get_memory_model(vm), PVM_MEMORY_CHECKED);
    pvm_destroy(vm);
    setenv("PVM_MEMORY_MODEL", "checked", 1);
    vm = pvm_create(PVM_BACKEND_RECOMPILER, blob.data(), blob.size(), &err);
    ASSERT_NE(vm, nullptr);
    EXPECT_EQ(pvm_get_memory_model(vm), PVM_MEMORY_CHECKED);
    pvm_destroy(vm);
    setenv("PVM_MEMORY_MODEL", "fast", 1);
    vm = pvm_create(PVM_BACKEND_RECOMPILER, blob.data(), blob.size(), &err);
    EXPECT_EQ(vm, nullptr);
    EXPECT_EQ(err.code, PVM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::strstr(err.message, "PVM_MEMORY_MODEL"), nullptr) << err.message;
    if (saved.empty())
        unsetenv("PVM_MEMORY_MODEL");
    else
        setenv("PVM_MEMORY_MODEL", saved.c_str(), 1);
}

// ---- Issue 19 item 12: host work of sbrk bounded by a constant times its gas ----

// n calls of sbrk(bytes) in a loop (3 instructions = 3 gas per call); returns the VM's memory
// work during the run.
uint64_t sbrk_work(pvm_backend backend, uint32_t n, uint32_t bytes, int64_t& gas_used, uint32_t holes = 0) {
    Assembler a;
    auto loop = a.label();
    a.load_imm(T0, n);
    a.load_imm(T1, bytes);
    a.bind(loop);
    a.reg_reg(pvm::op_sbrk, T2, T1);
    a.reg_reg_imm(pvm::op_add_imm_64, T0, T0, -1);
    a.reg_imm_off(pvm::op_branch_ne_imm, T0, 0, loop);
    a.halt_via(S0);
    const auto blob = a.blob();
    pvm_error err{};
    pvm_vm* vm = pvm_create(backend, blob.data(), blob.size(), &err);
    EXPECT_NE(vm, nullptr) << err.message;
    if (!vm) return 0;
    // Fragment the heap: `holes` one-page holes between mapped pages, each too small for the
    // calls, so a linear search would walk all of them on every call.
    for (uint32_t i = 0; i < holes; ++i) pvm_map_pages(vm, 0x10000 + (2 * i + 1) * 4096, 4096, PVM_ACCESS_READ);
    const uint64_t w0 = vm->st.memory.work();
    const int64_t gas0 = int64_t(1) << 40;
    pvm_set_gas(vm, gas0);
    EXPECT_EQ(pvm_run(vm), PVM_HALT);
    EXPECT_NE(pvm_get_reg(vm, T2), 0u);  // the last sbrk succeeded
    gas_used = gas0 - pvm_get_gas(vm);
    const uint64_t w = vm->st.memory.work() - w0;
    pvm_destroy(vm);
    return w;
}

TEST(PvmSbrk, HostWorkIsBoundedByGas) {
    // The bound: a constant number of page-table entries and search-tree nodes per gas. The
    // old linear page search needed ~k page visits for the k-th call (quadratic in calls).
    constexpr uint64_t kWorkPerGas = 64;
    for (pvm_backend b : {PVM_BACKEND_INTERPRETER, PVM_BACKEND_RECOMPILER}) {
        if (b == PVM_BACKEND_RECOMPILER && !recompiler()) continue;
        SCOPED_TRACE(pvm_backend_name(b));
        uint64_t per_call[3];
        const uint32_t counts[3] = {20000, 40000, 80000};
        for (int k = 0; k < 3; ++k) {
            int64_t gas = 0;
            const uint64_t w = sbrk_work(b, counts[k], 4096, gas);
            EXPECT_LE(w, kWorkPerGas * uint64_t(gas)) << counts[k] << " calls";
            per_call[k] = w / counts[k];
            std::printf("%s: %u sbrk calls, gas %lld, memory work %llu (%.1f per call)\n", pvm_backend_name(b),
                        counts[k], (long long)gas, (unsigned long long)w, double(w) / counts[k]);
        }
        EXPECT_LE(per_call[2], per_call[0] * 3 / 2);  // flat, not growing with the number of calls
        // A fragmented heap: 5000 holes below every fit.
        int64_t gas = 0;
        const uint64_t w = sbrk_work(b, 2000, 8192, gas, 5000);
        EXPECT_LE(w, kWorkPerGas * uint64_t(gas));
        std::printf("%s: 2000 sbrk calls above 5000 holes, memory work %llu (%.1f per call)\n", pvm_backend_name(b),
                    (unsigned long long)w, double(w) / 2000);
    }
}

TEST(PvmSbrk, FirstFitAcrossHolesAndLimits) {
    // sbrk returns the lowest fitting address at or above the heap base.
    Assembler a;
    a.reg_reg(pvm::op_sbrk, A0, T0);
    a.reg_reg(pvm::op_sbrk, A1, T1);
    a.reg_reg(pvm::op_sbrk, A2, T2);
    a.reg_reg(pvm::op_sbrk, A3, S0);
    a.halt_via(RA);
    const auto blob = a.blob();
    for (const Config& cfg : kConfigs) {
        if (cfg.backend == PVM_BACKEND_RECOMPILER && !recompiler()) continue;
        SCOPED_TRACE(cfg.name);
        pvm_vm* vm = make(cfg, blob);
        ASSERT_NE(vm, nullptr);
        ASSERT_EQ(pvm_map_pages(vm, 0x11000, 4096, PVM_ACCESS_READ), 0);  // hole of 1 page at 0x10000
        ASSERT_EQ(pvm_map_pages(vm, 0x14000, 4096, PVM_ACCESS_READ), 0);  // hole of 2 pages at 0x12000
        pvm_set_reg(vm, T0, 0x2000);            // 2 pages: 0x12000
        pvm_set_reg(vm, T1, 1);                 // 1 byte: 0x10000
        pvm_set_reg(vm, T2, 0);                 // the lowest free address: 0x15000
        pvm_set_reg(vm, S0, uint64_t(1) << 32); // too large: 0
        pvm_set_gas(vm, 100);
        ASSERT_EQ(pvm_run(vm), PVM_HALT);
        EXPECT_EQ(pvm_get_reg(vm, A0), 0x12000u);
        EXPECT_EQ(pvm_get_reg(vm, A1), 0x10000u);
        EXPECT_EQ(pvm_get_reg(vm, A2), 0x15000u);
        EXPECT_EQ(pvm_get_reg(vm, A3), 0u);
        EXPECT_EQ(pvm_page_access(vm, 0x13FFF), PVM_ACCESS_WRITE);
        EXPECT_EQ(pvm_page_access(vm, 0x15000), PVM_ACCESS_NONE);
        pvm_destroy(vm);
    }
}

// ---- Issue 19 item 13: the recompiler's host memory per guest instruction ----

size_t rss_bytes() {
    std::ifstream f("/proc/self/statm");
    size_t size = 0, resident = 0;
    f >> size >> resident;
    return resident * 4096;
}

TEST(PvmHostMemory, RecompilerBytesPerInstructionAreBounded) {
    if (!recompiler()) GTEST_SKIP() << "no recompiler on this host";
    const auto blob = pvm::sample_program(800 << 10, 12345);  // ~220000 instructions
    // The bound: the pre-decoded program (32 B per instruction and per block, 4 B per code
    // byte), the machine code and the pc -> offset table. The xbyak version used ~600 B per
    // basic block in labels and stubs.
    constexpr double kMaxBytesPerInstruction = 160;
    const size_t rss0 = rss_bytes();
    pvm_error err{};
    pvm_vm* vm = pvm_create(PVM_BACKEND_RECOMPILER, blob.data(), blob.size(), &err);
    ASSERT_NE(vm, nullptr) << err.message;
    const size_t rss1 = rss_bytes();
    const pvm::HostMemory h = pvm::host_memory(vm);
    EXPECT_GE(h.instructions, 200000u);
    const double per = double(h.program_bytes + h.code_bytes + h.tables_bytes) / double(h.instructions);
    EXPECT_LE(per, kMaxBytesPerInstruction) << "program " << h.program_bytes << ", code " << h.code_bytes
                                            << ", tables " << h.tables_bytes;
    std::printf("%zu instructions: program %.1f B, code %.1f B, tables %.1f B per instruction; resident +%.1f B\n",
                h.instructions, double(h.program_bytes) / h.instructions, double(h.code_bytes) / h.instructions,
                double(h.tables_bytes) / h.instructions, double(rss1 - rss0) / h.instructions);
#if !defined(__SANITIZE_ADDRESS__)
    // The same bound on what the process really gained (resident pages).
    EXPECT_LE(double(rss1 > rss0 ? rss1 - rss0 : 0) / double(h.instructions), kMaxBytesPerInstruction);
#else
    (void)rss0;
    (void)rss1;
#endif
    // And the program runs (calls and returns through r0 until the trap or a bad return).
    pvm_map_pages(vm, 0x20000, 0x10000, PVM_ACCESS_WRITE);
    pvm_set_reg(vm, SP, 0x20000);
    pvm_set_gas(vm, 1000000);
    const pvm_status s = pvm_run(vm);
    EXPECT_TRUE(s == PVM_PANIC || s == PVM_PAGE_FAULT || s == PVM_HALT || s == PVM_OUT_OF_GAS) << pvm_status_name(s);
    pvm_destroy(vm);
}

}  // namespace
