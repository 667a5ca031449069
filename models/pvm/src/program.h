// Program blob parsing (GP A.2) and the pre-decoded form shared by every backend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pvm {

constexpr uint32_t kNoTarget = 0xFFFFFFFFu;

// One pre-decoded instruction: operands resolved, registers clamped to 0..12, static branch
// targets resolved to the index of the target block's op_gas entry (kNoTarget: invalid target,
// taking the branch panics).
struct Insn {
    uint8_t op;  // Op (dense operation index, see opcodes.h)
    uint8_t a;   // rA
    uint8_t b;   // rB
    uint8_t d;   // rD
    uint32_t pc;
    uint64_t imm;   // νX (for op_gas: the block's cost; for RegRegOff/Off: target pc)
    uint64_t imm2;  // νY (for RegImmOff: target pc)
    uint32_t target;
    uint32_t next_pc;  // pc of the next instruction (host-call resume point)
};
static_assert(sizeof(Insn) == 32, "Insn should stay one half cache line");

// The decoded instruction stream: every instruction start (bitmask bit set), plus an op_invalid
// at the end of the code, in pc order; an op_gas entry precedes the first instruction of every
// basic block (GP A.3; gas is charged once per block on entry, 1 per instruction, as the
// vectors expect).
struct Program {
    std::vector<uint8_t> code;
    std::vector<uint8_t> is_insn;       // per code byte: bitmask bit
    std::vector<uint8_t> is_block;      // per code byte: valid jump target (GP ϖ)
    std::vector<uint32_t> jump_table;   // raw entries (pcs)
    std::vector<uint32_t> jump_index;   // per entry: op_gas index of the target, or kNoTarget
    std::vector<Insn> insns;
    std::vector<uint32_t> pc_index;     // per pc in [0, |c|]: index of its instruction, or kNoTarget

    uint32_t code_size() const { return static_cast<uint32_t>(code.size()); }
    // Index of the op_gas entry of the block starting at pc, or kNoTarget when pc ∉ ϖ.
    uint32_t block_index(uint64_t pc) const {
        if (pc >= code.size() || !is_block[pc]) return kNoTarget;
        return pc_index[pc] - 1;
    }
};

// GP A.2 deblob. Returns false with a message on a malformed blob.
bool parse_program(const uint8_t* blob, size_t len, Program& out, std::string& error);

// GP variable-length natural number (E). Returns false if truncated.
bool read_varint(const uint8_t* p, size_t len, size_t& pos, uint64_t& value);

// Decodes one instruction at pc (GP A.5). Used by the pre-decoder and the disassembler.
Insn decode_insn(const Program& prog, uint32_t pc);

// Disassembly of one decoded instruction ("add_32 r9, r7, r8").
std::string disassemble(const Insn& insn);

}  // namespace pvm
