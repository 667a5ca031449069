// libpvm unit tests through the C API, with programs built by the internal assembler.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "assembler.h"
#include "pvm.h"

namespace {

using pvm::Assembler;
enum : unsigned { RA = 0, SP = 1, T0 = 2, T1 = 3, T2 = 4, S0 = 5, S1 = 6, A0 = 7, A1 = 8, A2 = 9, A3 = 10 };

struct Vm {
    pvm_vm* vm = nullptr;
    pvm_error err{};
    explicit Vm(const std::vector<uint8_t>& blob, pvm_backend b = PVM_BACKEND_INTERPRETER)
        : vm(pvm_create(b, blob.data(), blob.size(), &err)) {}
    ~Vm() { pvm_destroy(vm); }
    operator pvm_vm*() const { return vm; }
};

TEST(PvmBlob, MalformedBlobsGiveClearErrors) {
    const std::vector<std::vector<uint8_t>> bad = {
        {},                       // nothing
        {0},                      // no entry size
        {0, 0},                   // no code length
        {0, 5, 0},                // entry size 5
        {0, 0, 3, 190, 135},      // code truncated, no bitmask
        {0, 0, 1, 0, 1, 0xAA},    // trailing byte
        {0x81},                   // truncated varint (2-byte form)
        {0x81, 0, 4, 0},          // 256 jump-table entries of 4 bytes, none present
        {0xFF, 1, 2, 3},          // 8-byte varint truncated
        {0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 4, 0},  // 4 Gi jump-table entries
    };
    for (const auto& b : bad) {
        pvm_error err{};
        pvm_vm* vm = pvm_create(PVM_BACKEND_INTERPRETER, b.data(), b.size(), &err);
        EXPECT_EQ(vm, nullptr);
        EXPECT_EQ(err.code, PVM_ERR_MALFORMED_BLOB);
        EXPECT_NE(std::strstr(err.message, "malformed"), nullptr) << err.message;
        pvm_destroy(vm);
    }
}

TEST(PvmBlob, RecompilerAvailabilityMatchesTheHost) {
    Assembler a;
    a.emit(pvm::op_trap);
    const auto blob = a.blob();
    pvm_error err{};
    pvm_vm* vm = pvm_create(PVM_BACKEND_RECOMPILER, blob.data(), blob.size(), &err);
    if (pvm_backend_available(PVM_BACKEND_RECOMPILER)) {  // x86-64 Linux
    ASSERT_NE(vm, nullptr) << err.message;
    pvm_set_gas(vm, 10);
    EXPECT_EQ(pvm_run(vm), PVM_PANIC);
    EXPECT_EQ(pvm_get_gas(vm), 9);
    pvm_destroy(vm);
    } else {
    EXPECT_EQ(vm, nullptr);
    EXPECT_EQ(err.code, PVM_ERR_BACKEND_UNAVAILABLE);
    EXPECT_NE(std::strstr(err.message, "x86-64"), nullptr);
    }
    EXPECT_TRUE(pvm_backend_available(PVM_BACKEND_INTERPRETER));
}

TEST(PvmBlob, EmptyProgramPanicsAtZero) {
    const std::vector<uint8_t> blob = {0, 0, 0};
    Vm vm(blob);
    ASSERT_NE(vm.vm, nullptr) << vm.err.message;
    pvm_set_gas(vm, 10);
    EXPECT_EQ(pvm_run(vm), PVM_PANIC);
    EXPECT_EQ(pvm_get_pc(vm), 0u);
    EXPECT_EQ(pvm_get_gas(vm), 9);
}

TEST(PvmExec, GasIsChargedPerBlockAndOutOfGasKeepsGas) {
    Assembler a;
    a.load_imm(A0, 1);
    a.load_imm(A1, 2);
    a.reg3(pvm::op_add_64, A2, A0, A1);
    a.halt_via(T0);  // block: 5 instructions
    const auto blob = a.blob();
    Vm vm(blob);
    pvm_set_gas(vm, 4);
    EXPECT_EQ(pvm_run(vm), PVM_OUT_OF_GAS);
    EXPECT_EQ(pvm_get_gas(vm), 4);
    EXPECT_EQ(pvm_get_pc(vm), 0u);
    EXPECT_EQ(pvm_get_reg(vm, A0), 0u);
    pvm_set_gas(vm, 5);
    EXPECT_EQ(pvm_run(vm), PVM_HALT);
    EXPECT_EQ(pvm_get_gas(vm), 0);
    EXPECT_EQ(pvm_get_reg(vm, A2), 3u);
}

TEST(PvmExec, HostCallWithoutCallbackResumesAfterEcalli) {
    Assembler a;
    a.load_imm(A0, 5);
    a.imm(pvm::op_ecalli, 42);
    a.reg_reg_imm(pvm::op_add_imm_64, A0, A0, 1);
    a.halt_via(T0);
    const auto blob = a.blob();
    Vm vm(blob);
    pvm_set_gas(vm, 100);
    EXPECT_EQ(pvm_run(vm), PVM_HOST_CALL);
    EXPECT_EQ(pvm_host_call_index(vm), 42u);
    EXPECT_EQ(pvm_get_pc(vm), 3u);  // the ecalli
    EXPECT_EQ(pvm_next_pc(vm), 5u);
    EXPECT_EQ(pvm_get_gas(vm), 95);
    pvm_set_reg(vm, A0, 100);  // the host's answer
    EXPECT_EQ(pvm_run(vm), PVM_HALT);
    EXPECT_EQ(pvm_get_reg(vm, A0), 101u);
    EXPECT_EQ(pvm_get_gas(vm), 95);  // the block was charged once
}

TEST(PvmExec, HostCallbackTerminateAndError) {
    Assembler a;
    a.imm(pvm::op_ecalli, 7);
    a.halt_via(T0);
    const auto blob = a.blob();
    for (pvm_host_result r : {PVM_HOST_CONTINUE, PVM_HOST_TERMINATE, PVM_HOST_ERROR}) {
        Vm vm(blob);
        pvm_set_gas(vm, 100);
        pvm_set_host_callback(
            vm, [](pvm_vm*, uint32_t idx, void* user) { return idx == 7 ? *static_cast<pvm_host_result*>(user) : PVM_HOST_ERROR; },
            &r);
        const pvm_status s = pvm_run(vm);
        EXPECT_EQ(s, r == PVM_HOST_CONTINUE ? PVM_HALT : r == PVM_HOST_TERMINATE ? PVM_HALT : PVM_PANIC);
        EXPECT_EQ(pvm_get_pc(vm), r == PVM_HOST_CONTINUE ? 7u : 0u);  // the jump_ind, or the ecalli
    }
}

TEST(PvmExec, HostCallbackOutOfGas) {
    Assembler a;
    a.imm(pvm::op_ecalli, 1);
    a.halt_via(T0);
    const auto blob = a.blob();
    Vm vm(blob);
    pvm_set_gas(vm, 10);
    pvm_set_host_callback(
        vm, [](pvm_vm* v, uint32_t, void*) {
            pvm_set_gas(v, pvm_get_gas(v) - 100);
            return PVM_HOST_CONTINUE;
        },
        nullptr);
    EXPECT_EQ(pvm_run(vm), PVM_OUT_OF_GAS);
    EXPECT_EQ(pvm_get_pc(vm), 0u);
}

TEST(PvmExec, PageFaultReportsPageBaseAndResumes) {
    Assembler a;
    a.load_imm(A0, 0x20FFE);
    a.reg_reg_imm(pvm::op_store_ind_u32, A1, A0, 0);  // spans 0x20FFE..0x21001
    a.halt_via(T0);
    const auto blob = a.blob();
    Vm vm(blob);
    pvm_set_gas(vm, 100);
    pvm_set_reg(vm, A1, 0x11223344);
    ASSERT_EQ(pvm_map_pages(vm, 0x20000, 0x1000, PVM_ACCESS_WRITE), 0);
    EXPECT_EQ(pvm_run(vm), PVM_PAGE_FAULT);
    EXPECT_EQ(pvm_fault_address(vm), 0x21000u);
    EXPECT_EQ(pvm_get_pc(vm), 5u);  // the store
    EXPECT_EQ(pvm_get_gas(vm), 96);
    uint8_t b = 0xFF;
    ASSERT_EQ(pvm_read_memory(vm, 0x20FFE, &b, 1), 0);
    EXPECT_EQ(b, 0);  // nothing written
    ASSERT_EQ(pvm_map_pages(vm, 0x21000, 1, PVM_ACCESS_WRITE), 0);
    EXPECT_EQ(pvm_run(vm), PVM_HALT);
    EXPECT_EQ(pvm_get_gas(vm), 96);
    uint32_t v = 0;
    ASSERT_EQ(pvm_read_memory(vm, 0x20FFE, &v, 4), 0);
    EXPECT_EQ(v, 0x11223344u);
}

TEST(PvmExec, LowMemoryPanicsAndReadOnlyFaults) {
    Assembler a;
    a.reg_imm(pvm::op_load_u8, A0, 0xFFFF);
    const auto blob = a.blob();
    Vm vm(blob);
    pvm_set_gas(vm, 100);
    EXPECT_NE(pvm_map_pages(vm, 0xF000, 0x1000, PVM_ACCESS_READ), 0);  // below 64 KiB
    EXPECT_EQ(pvm_run(vm), PVM_PANIC);

    Assembler b;
    b.reg_imm(pvm::op_store_u8, A0, 0x30000);
    const auto blob2 = b.blob();
    Vm vm2(blob2);
    pvm_set_gas(vm2, 100);
    ASSERT_EQ(pvm_map_pages(vm2, 0x30000, 0x1000, PVM_ACCESS_READ), 0);
    EXPECT_EQ(pvm_run(vm2), PVM_PAGE_FAULT);
    EXPECT_EQ(pvm_fault_address(vm2), 0x30000u);
}

TEST(PvmExec, WrappingAccessAtTopOfMemoryPanics) {
    Assembler a;
    a.load_imm(A0, -2);  // 0xFFFF...FFFE: the access wraps into page 0
    a.reg_reg_imm(pvm::op_load_ind_u32, A1, A0, 0);
    const auto blob = a.blob();
    Vm vm(blob);
    pvm_set_gas(vm, 100);
    ASSERT_EQ(pvm_map_pages(vm, 0xFFFFF000u, 0x1000, PVM_ACCESS_WRITE), 0);
    EXPECT_EQ(pvm_run(vm), PVM_PANIC);
    uint8_t buf[4];
    EXPECT_NE(pvm_read_memory(vm, 0xFFFFFFFEu, buf, 4), 0);
    EXPECT_EQ(pvm_read_memory(vm, 0xFFFFFFFCu, buf, 4), 0);
}

TEST(PvmExec, DynamicJumpsThroughTheJumpTable) {
    Assembler a;
    auto target = a.label();
    auto bad = a.label();
    const uint32_t addr = a.jump_address(target);
    const uint32_t bad_addr = a.jump_address(bad);
    a.load_imm(T0, addr);
    a.reg_imm(pvm::op_jump_ind, T0, 0);
    a.bind(target);
    a.load_imm(A0, 77);
    a.load_imm(T1, bad_addr);
    a.reg_imm(pvm::op_jump_ind, T1, 0);
    a.bind(bad);
    a.halt_via(T2);
    const auto blob = a.blob();
    Vm vm(blob);
    pvm_set_gas(vm, 100);
    EXPECT_EQ(pvm_run(vm), PVM_HALT);
    EXPECT_EQ(pvm_get_reg(vm, A0), 77u);

    for (uint64_t wrong : {uint64_t(0), uint64_t(1), uint64_t(3), uint64_t(6), uint64_t(0xFFFF0002)}) {
        Vm v2(blob);
        pvm_set_gas(v2, 100);
        pvm_set_pc(v2, 0);
        // Start at the jump_ind with a wrong address in T0.
        char text[64];
        const uint32_t len = pvm_disassemble(v2, 0, text, sizeof text);
        ASSERT_GT(len, 0u);
        pvm_set_pc(v2, len);
        pvm_set_reg(v2, T0, wrong);
        EXPECT_EQ(pvm_run(v2), PVM_PANIC) << wrong;
        EXPECT_EQ(pvm_get_pc(v2), len);
    }
}

TEST(PvmExec, BranchToNonBlockStartPanics) {
    Assembler a;
    auto mid = a.label();
    a.jump(mid);        // pc 0, 5 bytes (4-byte offset)
    a.load_imm(A0, 1);  // pc 5
    a.bind(mid);        // emits a fallthrough at 8, so `mid` = 9 starts a block
    a.load_imm(A1, 2);  // pc 9
    a.halt_via(T0);     // pc 12: load_imm, jump_ind
    auto blob = a.blob();
    Vm ok(blob);
    pvm_set_gas(ok, 100);
    EXPECT_EQ(pvm_run(ok), PVM_HALT);
    EXPECT_EQ(pvm_get_reg(ok, A1), 2u);
    EXPECT_EQ(pvm_get_reg(ok, A0), 0u);
    // Point the jump at pc 12, inside the block: panic at the jump.
    blob[3 + 1] = 12;  // 3-byte header (no jump table), then the jump's offset
    Vm bad(blob);
    ASSERT_NE(bad.vm, nullptr);
    pvm_set_gas(bad, 100);
    EXPECT_EQ(pvm_run(bad), PVM_PANIC);
    EXPECT_EQ(pvm_get_pc(bad), 0u);
}

TEST(PvmExec, StepTracingExecutesOneInstructionAtATime) {
    Assembler a;
    auto loop = a.label();
    a.load_imm(A0, 3);
    a.bind(loop);
    a.reg_reg_imm(pvm::op_add_imm_64, A0, A0, -1);
    a.reg_imm_off(pvm::op_branch_ne_imm, A0, 0, loop);
    a.halt_via(T0);
    const auto blob = a.blob();
    Vm vm(blob);
    pvm_set_gas(vm, 1000);
    pvm_set_step_tracing(vm, 1);
    int steps = 0;
    pvm_status s;
    while ((s = pvm_run(vm)) == PVM_STEP) ++steps;
    EXPECT_EQ(s, PVM_HALT);
    // load_imm, fallthrough, 3 × (add, branch), load_imm, jump_ind: the last is the exit.
    EXPECT_EQ(steps, 1 + 1 + 6 + 1);
    EXPECT_EQ(pvm_get_gas(vm), 1000 - 2 - 3 * 2 - 2);
}

TEST(PvmExec, DivisionEdgeCases) {
    struct Case {
        uint8_t op;
        uint64_t a, b, want;
    };
    const uint64_t m1 = ~uint64_t(0);
    const Case cases[] = {
        {pvm::op_div_u_64, 7, 0, m1},
        {pvm::op_div_s_64, 7, 0, m1},
        {pvm::op_rem_u_64, 7, 0, 7},
        {pvm::op_rem_s_64, uint64_t(-7), 0, uint64_t(-7)},
        {pvm::op_div_s_64, uint64_t(INT64_MIN), m1, uint64_t(INT64_MIN)},
        {pvm::op_rem_s_64, uint64_t(INT64_MIN), m1, 0},
        {pvm::op_rem_s_64, uint64_t(-7), 2, uint64_t(-1)},
        {pvm::op_div_u_32, 7, 0x100000000ull, m1},
        {pvm::op_rem_u_32, 0x80000000ull, 0, 0xFFFFFFFF80000000ull},
        {pvm::op_div_s_32, 0x80000000ull, 0xFFFFFFFFull, 0xFFFFFFFF80000000ull},
        {pvm::op_rem_s_32, 0x80000000ull, 0xFFFFFFFFull, 0},
        {pvm::op_div_s_32, uint64_t(-9), 2, uint64_t(-4)},
    };
    for (const Case& c : cases) {
        Assembler a;
        a.reg3(c.op, A2, A0, A1);
        a.halt_via(T0);
        const auto blob = a.blob();
        Vm vm(blob);
        pvm_set_gas(vm, 10);
        pvm_set_reg(vm, A0, c.a);
        pvm_set_reg(vm, A1, c.b);
        EXPECT_EQ(pvm_run(vm), PVM_HALT);
        EXPECT_EQ(pvm_get_reg(vm, A2), c.want) << pvm::op_info(c.op).name << " " << c.a << " " << c.b;
    }
}

TEST(PvmStandard, LayoutRegistersAndSbrk) {
    Assembler a;
    // r9 = first byte of args; r10 = ro[1]; rw[0] = r9; r11 = sbrk(8192); store to it.
    a.reg_reg_imm(pvm::op_load_ind_u8, A2, A0, 0);
    a.reg_imm(pvm::op_load_u8, A3, 0x10001);
    a.reg_imm(pvm::op_store_u8, A2, 0x30000);
    a.load_imm(T0, 8192);
    a.reg_reg(pvm::op_sbrk, 11, T0);
    a.reg_reg_imm(pvm::op_store_ind_u64, A3, 11, 8184);
    a.reg_reg(pvm::op_sbrk, 12, T0);
    a.reg_imm(pvm::op_jump_ind, RA, 0);  // r0 = 0xFFFF0000: return halts
    const std::vector<uint8_t> ro = {1, 2, 3}, rw = {9};
    const auto blob = a.standard_blob(ro, rw, 1, 8192);
    const uint8_t args[] = {0x5A, 0x5B};
    pvm_error err{};
    pvm_vm* vm = pvm_create_standard(PVM_BACKEND_INTERPRETER, blob.data(), blob.size(), args, sizeof args, &err);
    ASSERT_NE(vm, nullptr) << err.message;
    EXPECT_EQ(pvm_get_reg(vm, 0), 0xFFFF0000u);
    EXPECT_EQ(pvm_get_reg(vm, 1), 0xFEFE0000u);
    EXPECT_EQ(pvm_get_reg(vm, 7), 0xFEFF0000u);
    EXPECT_EQ(pvm_get_reg(vm, 8), 2u);
    EXPECT_EQ(pvm_page_access(vm, 0x10000), PVM_ACCESS_READ);
    EXPECT_EQ(pvm_page_access(vm, 0x30000), PVM_ACCESS_WRITE);  // rw data
    EXPECT_EQ(pvm_page_access(vm, 0x31000), PVM_ACCESS_WRITE);  // 1 heap page
    EXPECT_EQ(pvm_page_access(vm, 0x32000), PVM_ACCESS_NONE);
    EXPECT_EQ(pvm_page_access(vm, 0xFEFE0000u - 0x2000), PVM_ACCESS_WRITE);  // stack
    EXPECT_EQ(pvm_page_access(vm, 0xFEFE0000u), PVM_ACCESS_NONE);
    pvm_set_gas(vm, 100);
    EXPECT_EQ(pvm_run(vm), PVM_HALT);
    EXPECT_EQ(pvm_get_reg(vm, 9), 0x5Au);
    EXPECT_EQ(pvm_get_reg(vm, 10), 2u);
    EXPECT_EQ(pvm_get_reg(vm, 11), 0x32000u);
    EXPECT_EQ(pvm_get_reg(vm, 12), 0x34000u);
    uint8_t b = 0;
    ASSERT_EQ(pvm_read_memory(vm, 0x30000, &b, 1), 0);
    EXPECT_EQ(b, 0x5A);
    uint64_t v = 0;
    ASSERT_EQ(pvm_read_memory(vm, 0x32000 + 8184, &v, 8), 0);
    EXPECT_EQ(v, 2u);
    EXPECT_NE(pvm_write_memory(vm, 0x10000, &b, 1), 0);  // read-only
    pvm_destroy(vm);
}

TEST(PvmStandard, MalformedStandardBlobs) {
    const std::vector<uint8_t> bad[] = {
        {},
        {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},                      // ro data missing
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0},     // code length 9, 2 bytes
        {0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0},  // empty inner program blob
    };
    for (const auto& b : bad) {
        pvm_error err{};
        pvm_vm* vm = pvm_create_standard(PVM_BACKEND_INTERPRETER, b.data(), b.size(), nullptr, 0, &err);
        EXPECT_EQ(vm, nullptr);
        EXPECT_NE(err.code, PVM_OK);
        pvm_destroy(vm);
    }
}

TEST(PvmApi, MemoryAccessIsChecked) {
    const std::vector<uint8_t> blob = {0, 0, 0};
    Vm vm(blob);
    uint8_t buf[8192] = {};
    EXPECT_NE(pvm_read_memory(vm, 0x20000, buf, 1), 0);
    ASSERT_EQ(pvm_map_pages(vm, 0x20000, 0x2000, PVM_ACCESS_WRITE), 0);
    std::memset(buf, 0xAB, sizeof buf);
    EXPECT_EQ(pvm_write_memory(vm, 0x20000, buf, 8192), 0);
    EXPECT_NE(pvm_write_memory(vm, 0x20001, buf, 8192), 0);  // one byte past the mapping
    EXPECT_EQ(pvm_map_pages(vm, 0x21000, 0x1000, PVM_ACCESS_READ), 0);
    EXPECT_NE(pvm_write_memory(vm, 0x21000, buf, 1), 0);
    EXPECT_EQ(pvm_poke_memory(vm, 0x21000, buf, 1), 0);
    EXPECT_EQ(pvm_map_pages(vm, 0x21000, 0x1000, PVM_ACCESS_NONE), 0);
    EXPECT_EQ(pvm_map_pages(vm, 0x21000, 0x1000, PVM_ACCESS_READ), 0);
    uint8_t b = 1;
    ASSERT_EQ(pvm_read_memory(vm, 0x21000, &b, 1), 0);
    EXPECT_EQ(b, 0);  // unmapped pages lose their contents
    EXPECT_EQ(pvm_get_reg(vm, 13), 0u);
    pvm_set_reg(vm, 99, 5);  // ignored
}

TEST(PvmApi, LongRunOfNonInstructionBytesTraps) {
    // A 30-byte code whose only bitmask bit is at 0 (fallthrough): skip is capped at 24, so
    // execution continues at pc 25, which is no instruction start: a trap.
    std::vector<uint8_t> blob = {0, 0, 30};
    std::vector<uint8_t> code(30, 0);
    code[0] = 1;  // fallthrough
    blob.insert(blob.end(), code.begin(), code.end());
    blob.insert(blob.end(), {1, 0, 0, 0});
    Vm vm(blob);
    ASSERT_NE(vm.vm, nullptr) << vm.err.message;
    pvm_set_gas(vm, 10);
    EXPECT_EQ(pvm_run(vm), PVM_PANIC);
    EXPECT_EQ(pvm_get_pc(vm), 25u);
    EXPECT_EQ(pvm_get_gas(vm), 8);
}

TEST(PvmApi, Disassemble) {
    const std::vector<uint8_t> blob = {0, 0, 3, 190, 135, 9, 1};
    Vm vm(blob);
    char buf[64];
    EXPECT_EQ(pvm_disassemble(vm, 0, buf, sizeof buf), 3u);
    EXPECT_STREQ(buf, "add_32 r9, r7, r8");
    EXPECT_EQ(pvm_disassemble(vm, 1, buf, sizeof buf), 0u);
    EXPECT_STREQ(pvm_status_name(PVM_PAGE_FAULT), "page-fault");
}

}  // namespace
