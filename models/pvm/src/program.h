// Program blob parsing (GP A.2) and the pre-decoded form shared by every backend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "opcodes.h"

namespace pvm {

constexpr uint32_t kNoTarget = 0xFFFFFFFFu;

// One pre-decoded instruction: operands resolved, registers clamped to 0..12, static branch
// targets resolved to the index of the target block's op_gas entry (kNoTarget: invalid target,
// taking the branch panics). The next instruction's pc is the pc of the next entry.
// op_gas entries: imm = the block's cost, imm2 = its instruction count when counting is on (else
// 0). Branches in the new-gas profile: d = their simulated latency (1 predicted, 20 not).
struct Insn {
    uint8_t op;  // Op (dense operation index, see opcodes.h)
    uint8_t a;   // rA
    uint8_t b;   // rB
    uint8_t d;   // rD
    uint32_t pc;
    uint64_t imm;   // νX (for op_gas: the block's cost; for RegRegOff/Off: target pc)
    uint64_t imm2;  // νY (for RegImmOff: target pc)
    uint32_t target;
    uint32_t rest;  // gas of this instruction and the rest of its block (entering mid-block)
};
static_assert(sizeof(Insn) == 32, "Insn should stay one half cache line");

// The decoded instruction stream: every instruction start (bitmask bit set, or a byte reached
// by a skip capped at 24, which executes as a trap), plus an op_invalid at the end of the code,
// in pc order; an op_gas entry precedes the first instruction of every basic block (GP A.3; gas
// is charged once per block on entry, 1 per instruction, as the vectors expect).
struct Program {
    Gp gp = Gp::V0_7_2;
    uint32_t trap_cost = 1;             // gas of the implicit trap at a pc that is no instruction
    bool counting = false;              // op_gas entries count instructions (imm2)
    uint32_t code_len = 0;
    std::vector<uint32_t> jump_table;   // raw entries (pcs)
    std::vector<uint32_t> jump_index;   // per entry: op_gas index of the target, or kNoTarget
    std::vector<Insn> insns;
    std::vector<uint32_t> pc_index;     // per pc in [0, |c|]: index of its instruction, or kNoTarget

    // Index of the instruction at pc, or kNoTarget when pc is no instruction start.
    uint32_t index_of(uint64_t pc) const { return pc <= code_len ? pc_index[pc] : kNoTarget; }
    // pc of the instruction after entry i (for a host call: the resume point).
    uint32_t next_pc(uint32_t i) const { return i + 1 < insns.size() ? insns[i + 1].pc : insns[i].pc + 1; }
    size_t host_bytes() const {
        return insns.capacity() * sizeof(Insn) + pc_index.capacity() * 4 + jump_table.capacity() * 4 +
               jump_index.capacity() * 4;
    }
};

struct ParseOptions {
    Gp gp = Gp::V0_7_2;
    bool count_instructions = false;  // op_gas entries carry their instruction count (imm2)
};

// GP A.2 deblob. Returns false with a message on a malformed blob. May throw std::bad_alloc.
bool parse_program(const uint8_t* blob, size_t len, const ParseOptions& options, Program& out, std::string& error);
// The same from separate parts: code, bitmask (packed, ceil(|c|/8) bytes LSB first as in GP A.2,
// or one byte 0/1 per code byte) and jump table.
bool parse_parts(const uint8_t* code, size_t code_len, const uint8_t* bitmask, size_t bitmask_len,
                 const uint32_t* jump_table, size_t jump_table_len, const ParseOptions& options, Program& out,
                 std::string& error);

// Gas charged on entering the program at instruction index `index` (a block start charges its
// op_gas cost; mid-block the rest of the block: instruction count, or a simulation from there).
int64_t entry_cost(const Program& p, uint32_t index);

// GP variable-length natural number (E). Returns false if truncated.
bool read_varint(const uint8_t* p, size_t len, size_t& pos, uint64_t& value);

// Disassembly of one decoded instruction ("add_32 r9, r7, r8") into buf (NUL-terminated).
void disassemble(const Insn& insn, char* buf, size_t size);

}  // namespace pvm
