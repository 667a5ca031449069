// A generator of programs shaped like compiled code, for tests and benchmarks (internal, not
// installed): functions of blocks of 3-8 instructions (ALU, constants, stack loads and stores,
// loads through pointers) ending in branches, jumps, calls and returns, until the blob (code
// and its bitmask, about 9/8 of the code) reaches `blob_bytes`. Deterministic for a seed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "assembler.h"

namespace pvm {

inline std::vector<uint8_t> sample_program(uint32_t blob_bytes, uint64_t seed) {
    const uint32_t code_bytes = blob_bytes / 9 * 8;
    Assembler a;
    uint64_t x = seed | 1;
    auto rnd = [&](uint32_t m) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return uint32_t(x % m);
    };
    constexpr unsigned kRa = 0, kSp = 1;
    std::vector<Assembler::Label> labels;
    labels.reserve(code_bytes / 16 + 2);
    for (uint32_t i = 0; i < code_bytes / 16 + 1; ++i) labels.push_back(a.label());
    size_t next = 0;
    while (a.pc() < code_bytes && next + 1 < labels.size()) {
        a.bind(labels[next++]);
        const uint32_t len = 3 + rnd(6);
        for (uint32_t k = 0; k < len; ++k) {
            const unsigned d = 2 + rnd(10), s1 = 1 + rnd(11), s2 = 2 + rnd(10);
            switch (rnd(12)) {
                case 0: a.reg3(op_add_64, d, s1, s2); break;
                case 1: a.reg_reg_imm(op_add_imm_64, d, s1, int64_t(rnd(64)) - 32); break;
                case 2: a.reg_reg_imm(op_load_ind_u64, d, kSp, int64_t(rnd(32)) * 8); break;
                case 3: a.reg_reg_imm(op_store_ind_u64, s1, kSp, int64_t(rnd(32)) * 8); break;
                case 4: a.reg_reg_imm(op_load_ind_u32, d, s1, int64_t(rnd(256))); break;
                case 5: a.load_imm(d, int64_t(rnd(100000))); break;
                case 6: a.reg3(op_xor_, d, s1, s2); break;
                case 7: a.reg_reg_imm(op_shlo_l_imm_64, d, s1, rnd(64)); break;
                case 8: a.reg3(op_sub_32, d, s1, s2); break;
                case 9: a.reg_reg_imm(op_store_ind_u8, s1, s2, int64_t(rnd(64))); break;
                case 10: a.reg3(op_mul_64, d, s1, s2); break;
                default: a.reg_reg(op_move_reg, d, s1); break;
            }
        }
        const size_t target = std::min(labels.size() - 1, next + rnd(20));
        switch (rnd(4)) {
            case 0: a.reg_reg_off(op_branch_lt_u, 2 + rnd(10), 2 + rnd(10), labels[target]); break;
            case 1: a.reg_imm_off(op_branch_eq_imm, 2 + rnd(10), rnd(4), labels[target]); break;
            case 2: a.reg_imm_off(op_load_imm_jump, kRa, 0, labels[target]); break;
            default: a.reg_imm(op_jump_ind, kRa, 0); break;
        }
    }
    while (next < labels.size()) a.bind(labels[next++]);
    a.emit(op_trap);
    return a.blob();
}

}  // namespace pvm
