// Differential fuzzing of the libpvm backends: random valid programs (every opcode, random
// registers, immediates, branch targets, jump tables, memory maps, gas limits, host calls,
// entry points and step tracing) run on the interpreter (the reference) and the recompiler in
// lockstep; every exit is compared (status, pc, next pc, registers, gas, fault address, host
// call index) and the memory at the end. Addresses cluster at page edges (accesses that
// straddle a page boundary, into unmapped and read-only pages, and across 2^32), and the
// faults are classified so a run shows it exercised them. Shared by the ctest driver, the long
// run (pvm_fuzz_long) and the libFuzzer target.
#pragma once

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "assembler.h"
#include "opcodes.h"
#include "pvm.h"
#include "vm.h"

namespace pvm_fuzz {

constexpr uint32_t kRam = 0x10000;       // first mappable page
constexpr uint32_t kRamPages = 48;       // compared region [kRam, kRam + kRamPages pages)
constexpr uint32_t kTopPage = 0xFFFFF000u;

struct Case {
    std::vector<uint8_t> blob;
    uint64_t regs[PVM_NUM_REGS] = {};
    int64_t gas = 0;
    bool set_pc = false;
    uint32_t pc = 0;
    bool host_fn = false;
    unsigned step_first = 0;  // recompiler VM: step this many instructions first
    struct Map {
        uint32_t addr, len;
        pvm_access access;
    };
    std::vector<Map> maps;
    std::vector<std::pair<uint32_t, std::vector<uint8_t>>> pokes;
};

class Gen {
public:
    explicit Gen(uint64_t seed) : rng_(seed) {}

    uint64_t u64() { return rng_(); }
    uint32_t below(uint32_t n) { return n ? uint32_t(rng_() % n) : 0; }
    bool chance(unsigned n) { return below(n) == 0; }

    // An interesting 32-bit immediate (sign-extended by the encoding).
    int64_t imm() {
        switch (below(10)) {
            case 0: return 0;
            case 1: return int64_t(below(8)) - 2;
            case 2: return int32_t(0x80000000u);
            case 3: return 0x7FFFFFFF;
            case 4: return int32_t(u64());
            case 5:
            case 6: return int64_t(kRam + below(kRamPages * 4096 + 64)) - 32;  // in/around RAM
            case 7: return int64_t(kRam + 4096 * below(6)) - int64_t(below(9));  // page edges
            case 8: return int32_t(kTopPage + below(4096 + 8) - 4);            // top / wrap
            default: return int64_t(below(64));
        }
    }
    uint64_t reg_value() {
        switch (below(8)) {
            case 0: return below(64);
            case 1: return uint64_t(-int64_t(below(4)));
            case 2: return kRam + below(kRamPages * 4096);
            case 3: return uint64_t(1) << below(64);
            case 4: return uint64_t(int64_t(int32_t(u64())));
            case 5: return kRam + 4096 * below(18) - below(9);  // just below a page edge
            case 6: return kTopPage + 4096 - below(9) + (chance(2) ? uint64_t(below(4)) << 32 : 0);  // 2^32 wrap
            default: return u64();
        }
    }
    unsigned reg() { return chance(16) ? 13 + below(3) : below(13); }  // 13..15 clamp to 12

    Case make() {
        Case c;
        pvm::Assembler a;
        const unsigned n_labels = 1 + below(8);
        std::vector<pvm::Assembler::Label> labels;
        for (unsigned i = 0; i < n_labels; ++i) labels.push_back(a.label());
        std::vector<uint32_t> jump_addrs;
        for (unsigned i = 0; i < n_labels; ++i)
            if (chance(2)) jump_addrs.push_back(a.jump_address(labels[below(n_labels)]));
        const unsigned n = 1 + below(48);
        std::vector<unsigned> bind_at(n_labels);
        for (auto& b : bind_at) b = below(n + 1);
        for (unsigned i = 0; i <= n; ++i) {
            for (unsigned l = 0; l < n_labels; ++l)
                if (bind_at[l] == i) a.bind(labels[l]);
            if (i == n) break;
            insn(a, labels, jump_addrs);
        }
        if (!chance(4)) a.halt_via(below(13));
        c.blob = a.blob();
        // Occasionally corrupt a code byte (invalid opcodes, odd operand lengths).
        if (chance(16) && c.blob.size() > 8) c.blob[c.blob.size() - 1 - below(4)] ^= uint8_t(1u << below(8));

        for (auto& r : c.regs) r = reg_value();
        switch (below(4)) {
            case 0: c.gas = below(8); break;
            case 1: c.gas = below(64); break;
            case 2: c.gas = below(4000); break;
            default: c.gas = 10000; break;
        }
        if (chance(8)) {
            c.set_pc = true;
            c.pc = below(uint32_t(c.blob.size()) + 2);
        }
        c.host_fn = chance(2);
        if (chance(8)) c.step_first = 1 + below(20);

        // Memory: RAM pages RW / RO / unmapped, the top page sometimes.
        uint32_t p = 0;
        while (p < 16) {
            const uint32_t len = 1 + below(4);
            const unsigned kind = below(4);
            if (kind < 2)
                c.maps.push_back({kRam + p * 4096, len * 4096, PVM_ACCESS_WRITE});
            else if (kind == 2)
                c.maps.push_back({kRam + p * 4096, len * 4096, PVM_ACCESS_READ});
            p += len;
        }
        if (chance(4)) c.maps.push_back({kTopPage, 4096, chance(2) ? PVM_ACCESS_WRITE : PVM_ACCESS_READ});
        for (unsigned i = 0; i < 4; ++i) {
            std::vector<uint8_t> bytes(1 + below(64));
            for (auto& b : bytes) b = uint8_t(u64());
            c.pokes.push_back({kRam + below(16 * 4096 - 64), bytes});
        }
        return c;
    }

private:
    void insn(pvm::Assembler& a, const std::vector<pvm::Assembler::Label>& labels,
              const std::vector<uint32_t>& jump_addrs) {
        using namespace pvm;
        if (chance(10)) {
            // A burst of accesses through one or two base registers (the recompiler keeps
            // zero-extended bases in scratch registers across them), with small offsets that
            // reach page edges, and sometimes a write to a base register in between.
            static const uint8_t kOps[] = {op_load_ind_u8,  op_load_ind_i16, op_load_ind_u32,     op_load_ind_u64,
                                           op_store_ind_u8, op_store_ind_u16, op_store_ind_u64,   op_store_imm_ind_u32,
                                           op_load_ind_i32, op_store_ind_u32, op_store_imm_ind_u8, op_load_ind_u16};
            const unsigned base[2] = {reg() % 13, reg() % 13};
            for (unsigned k = 0, n = 2 + below(5); k < n; ++k) {
                const uint8_t op = kOps[below(sizeof kOps)];
                const unsigned b = base[below(2)];
                const int64_t off = chance(4) ? int64_t(below(64)) - 8 : int64_t(below(0x10000));
                if (op_info(op).fmt == Fmt::RegImmImm)
                    a.reg_imm_imm(op, b, off, imm());
                else
                    a.reg_reg_imm(op, reg(), b, off);
                if (chance(6)) a.reg_reg_imm(op_add_imm_64, b, b, int64_t(below(4096)));
            }
            return;
        }
        const uint8_t op = uint8_t(below(op_gas));
        const OpInfo& info = op_info(op);
        auto lab = [&] { return labels[below(uint32_t(labels.size()))]; };
        auto jaddr = [&]() -> int64_t {
            if (!jump_addrs.empty() && !chance(4)) return jump_addrs[below(uint32_t(jump_addrs.size()))];
            if (chance(3)) return int32_t(PVM_HALT_ADDRESS);
            return int64_t(below(32));
        };
        switch (info.fmt) {
            case Fmt::None: a.emit(op); break;
            case Fmt::Imm: a.imm(op, below(40)); break;
            case Fmt::RegExtImm: a.reg_ext_imm(op, reg(), reg_value()); break;
            case Fmt::ImmImm: a.imm_imm(op, imm(), imm()); break;
            case Fmt::Off: a.jump(lab()); break;
            case Fmt::RegImm:
                if (op == op_jump_ind) {
                    const unsigned r = reg() % 13;
                    if (!chance(4)) a.load_imm(r, jaddr());
                    a.reg_imm(op, r, chance(2) ? 0 : int64_t(below(4)) * 2 - 2);
                } else {
                    a.reg_imm(op, reg(), imm());
                }
                break;
            case Fmt::RegImmImm: a.reg_imm_imm(op, reg(), imm(), imm()); break;
            case Fmt::RegImmOff: a.reg_imm_off(op, reg(), imm(), lab()); break;
            case Fmt::RegReg:
                if (op == op_sbrk) {
                    const unsigned r = reg() % 13;
                    // Always a small size: huge sbrks only exercise the shared (slow) page search.
                    a.load_imm(r, below(3) == 0 ? 0 : int64_t(below(20000)));
                    a.reg_reg(op, reg(), r);
                } else {
                    a.reg_reg(op, reg(), reg());
                }
                break;
            case Fmt::RegRegImm: {
                int64_t x = imm();
                if (chance(2)) x = below(70);  // shift / rotate amounts
                a.reg_reg_imm(op, reg(), reg(), x);
                break;
            }
            case Fmt::RegRegOff: a.reg_reg_off(op, reg(), reg(), lab()); break;
            case Fmt::RegRegImmImm: {
                const unsigned b = reg() % 13;
                if (!chance(4)) a.load_imm(b, 0);
                a.reg_reg_imm_imm(op, reg(), b, imm(), jaddr());
                break;
            }
            case Fmt::RegRegReg: a.reg3(op, reg(), reg(), reg()); break;
        }
    }
    std::mt19937_64 rng_;
};

// Deterministic host call: touches registers, gas and memory; may terminate or fail.
inline pvm_host_result host_call(pvm_vm* vm, uint32_t index, void*) {
    const uint64_t r7 = pvm_get_reg(vm, 7);
    pvm_set_reg(vm, 7, r7 * 31 + index);
    pvm_set_reg(vm, index % 13, pvm_get_reg(vm, (index + 5) % 13) ^ 0x5A5A);
    pvm_set_gas(vm, pvm_get_gas(vm) - int64_t(index % 7));
    (void)pvm_write_memory(vm, kRam + (index % 64) * 8, &r7, sizeof r7);
    if (index % 19 == 7) (void)pvm_map_pages(vm, kRam + 20 * 4096, 4096, PVM_ACCESS_WRITE);
    if (index % 13 == 5) return PVM_HOST_TERMINATE;
    if (index % 17 == 3) return PVM_HOST_ERROR;
    return PVM_HOST_CONTINUE;
}

struct Stats {
    uint64_t programs = 0, divergences = 0, exits = 0;
    uint64_t by_status[6] = {};
    uint64_t create_failed = 0;
    // Memory exits by kind (reference VM): accesses straddling a page boundary, stores to
    // read-only pages, accesses wrapping past 2^32.
    uint64_t straddle = 0, ro_store = 0, wrap = 0;
};

// Size and address of the memory access of the instruction at the VM's pc (n = 0: none).
inline void access_at(pvm_vm* vm, unsigned& n, bool& store, uint32_t& addr) {
    n = 0;
    const pvm::Program& p = vm->st.program();
    const uint32_t idx = p.index_of(pvm_get_pc(vm));
    if (idx == pvm::kNoTarget) return;
    const pvm::Insn& in = p.insns[idx];
    const char* name = pvm::op_info(in.op).name;
    const bool ld = std::strncmp(name, "load_", 5) == 0 && std::strncmp(name, "load_imm", 8) != 0;
    const bool st = std::strncmp(name, "store_", 6) == 0;
    if (!ld && !st) return;
    const char* w = std::strrchr(name, '_') + 2;  // u8 / i16 / u32 / u64 -> width
    n = unsigned(std::atoi(w)) / 8;
    store = st;
    uint64_t base = 0;
    switch (pvm::op_info(in.op).fmt) {
        case pvm::Fmt::RegImmImm: base = pvm_get_reg(vm, in.a); break;
        case pvm::Fmt::RegRegImm: base = pvm_get_reg(vm, in.b); break;
        default: break;
    }
    addr = uint32_t(base + in.imm);
}

inline void classify(pvm_vm* vm, pvm_status s, Stats& stats) {
    if (s != PVM_PAGE_FAULT && s != PVM_PANIC) return;
    unsigned n;
    bool store;
    uint32_t addr;
    access_at(vm, n, store, addr);
    if (!n) return;
    if (uint64_t(addr) + n > (uint64_t(1) << 32)) ++stats.wrap;
    else if ((addr >> 12) != ((addr + n - 1) >> 12)) ++stats.straddle;
    if (s == PVM_PAGE_FAULT && store && pvm_page_access(vm, pvm_fault_address(vm)) == PVM_ACCESS_READ) ++stats.ro_store;
}

inline pvm_vm* make_vm(pvm_backend b, const Case& c) {
    pvm_error err{};
    pvm_vm* vm = pvm_create(b, c.blob.data(), c.blob.size(), &err);
    if (!vm) return nullptr;
    for (const auto& m : c.maps) pvm_map_pages(vm, m.addr, m.len, m.access);
    for (const auto& p : c.pokes) pvm_poke_memory(vm, p.first, p.second.data(), uint32_t(p.second.size()));
    for (unsigned i = 0; i < PVM_NUM_REGS; ++i) pvm_set_reg(vm, i, c.regs[i]);
    pvm_set_gas(vm, c.gas);
    if (c.set_pc) pvm_set_pc(vm, c.pc);
    if (c.host_fn) pvm_set_host_callback(vm, host_call, nullptr);
    return vm;
}

// Runs one case on both backends; returns an empty string when they agree.
inline std::string run_case(const Case& c, Stats& stats) {
    ++stats.programs;
    pvm_vm* ref = make_vm(PVM_BACKEND_INTERPRETER, c);
    pvm_vm* jit = make_vm(PVM_BACKEND_RECOMPILER, c);
    std::string diff;
    char buf[256];
    if (!ref || !jit) {
        if (bool(ref) != bool(jit)) diff = "pvm_create differs";
        ++stats.create_failed;
        pvm_destroy(ref);
        pvm_destroy(jit);
        return diff;
    }
    unsigned steps_left = c.step_first;
    if (steps_left) pvm_set_step_tracing(jit, 1);
    for (unsigned round = 0; round < 32 && diff.empty(); ++round) {
        const pvm_status s1 = pvm_run(ref);
        pvm_status s2;
        for (;;) {
            s2 = pvm_run(jit);
            if (s2 != PVM_STEP) break;
            if (--steps_left == 0) pvm_set_step_tracing(jit, 0);
        }
        ++stats.exits;
        ++stats.by_status[s1 < 6 ? s1 : 5];
        classify(ref, s1, stats);
        auto mismatch = [&](const char* what, uint64_t x, uint64_t y) {
            if (x != y && diff.empty()) {
                std::snprintf(buf, sizeof buf, "exit %u: %s interpreter=0x%" PRIx64 " recompiler=0x%" PRIx64, round,
                              what, x, y);
                diff = buf;
            }
        };
        mismatch("status", s1, s2);
        mismatch("pc", pvm_get_pc(ref), pvm_get_pc(jit));
        mismatch("next pc", pvm_next_pc(ref), pvm_next_pc(jit));
        mismatch("gas", uint64_t(pvm_get_gas(ref)), uint64_t(pvm_get_gas(jit)));
        for (unsigned i = 0; i < PVM_NUM_REGS; ++i) {
            std::snprintf(buf, sizeof buf, "r%u", i);
            const std::string name = buf;
            mismatch(name.c_str(), pvm_get_reg(ref, i), pvm_get_reg(jit, i));
        }
        if (s1 == PVM_PAGE_FAULT) mismatch("fault address", pvm_fault_address(ref), pvm_fault_address(jit));
        if (s1 == PVM_HOST_CALL) mismatch("host call index", pvm_host_call_index(ref), pvm_host_call_index(jit));
        if (!diff.empty()) break;
        if (s1 == PVM_HOST_CALL) {
            for (pvm_vm* vm : {ref, jit}) {
                pvm_set_reg(vm, 7, pvm_get_reg(vm, 7) + pvm_host_call_index(vm));
                pvm_set_gas(vm, pvm_get_gas(vm) - 1);
            }
            continue;
        }
        if (s1 == PVM_PAGE_FAULT && round % 4 != 3) {
            const uint32_t page = pvm_fault_address(ref);
            for (pvm_vm* vm : {ref, jit}) pvm_map_pages(vm, page, 4096, PVM_ACCESS_WRITE);
            continue;
        }
        if (s1 == PVM_OUT_OF_GAS && round % 2 == 0) {  // top up and continue
            for (pvm_vm* vm : {ref, jit}) pvm_set_gas(vm, pvm_get_gas(vm) + 50);
            continue;
        }
        break;
    }
    if (diff.empty()) {
        static uint8_t p1[4096], p2[4096];
        auto cmp_page = [&](uint32_t addr) {
            const pvm_access a1 = pvm_page_access(ref, addr), a2 = pvm_page_access(jit, addr);
            if (a1 != a2) {
                std::snprintf(buf, sizeof buf, "page 0x%x access %d vs %d", addr, a1, a2);
                diff = buf;
                return;
            }
            if (a1 == PVM_ACCESS_NONE) return;
            pvm_read_memory(ref, addr, p1, 4096);
            pvm_read_memory(jit, addr, p2, 4096);
            if (std::memcmp(p1, p2, 4096) != 0) {
                std::snprintf(buf, sizeof buf, "memory differs in page 0x%x", addr);
                diff = buf;
            }
        };
        for (uint32_t i = 0; i < kRamPages && diff.empty(); ++i) cmp_page(kRam + i * 4096);
        if (diff.empty()) cmp_page(kTopPage);
    }
    pvm_destroy(ref);
    pvm_destroy(jit);
    if (!diff.empty()) ++stats.divergences;
    return diff;
}

}  // namespace pvm_fuzz
