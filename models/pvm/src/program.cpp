#include "program.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "gas_model.h"
#include "opcodes.h"

namespace pvm {

namespace {

const OpInfo kOps[op_count] = {
#define PVM_INFO(num, id, name, fmt, term) OpInfo{name, Fmt::fmt, term != 0, num},
    PVM_OPCODES(PVM_INFO)
#undef PVM_INFO
    OpInfo{"gas", Fmt::None, false, 0},
    OpInfo{"invalid", Fmt::None, true, 0},
};

// Per profile: opcode byte -> Op. `unlikely` exists only in the new-gas draft.
struct OpcodeMap {
    uint8_t op[2][256];
    OpcodeMap() {
        for (auto& table : op)
            for (auto& o : table) o = op_invalid;
        for (unsigned i = 0; i < op_gas; ++i) {
            op[unsigned(Gp::NewGas)][kOps[i].opcode] = uint8_t(i);
            if (i != op_unlikely) op[unsigned(Gp::V0_7_2)][kOps[i].opcode] = uint8_t(i);
        }
    }
};
const OpcodeMap kOpcodeMap;

// The code and bitmask of the blob being parsed (not kept after parsing). `mask` is a copy of
// the bitmask padded with 1-bits (the GP extends k with 1s past the end) and 8 spare bytes.
struct Code {
    const uint8_t* c;
    const uint8_t* mask;
    uint64_t len;

    // Code byte with the GP's infinite zero extension (ζ = c ++ [0, 0, ...]).
    uint8_t byte(uint64_t i) const { return i < len ? c[i] : 0; }
    bool bit(uint64_t i) const { return (mask[i >> 3] >> (i & 7)) & 1; }
    // GP A.5: l bytes little-endian, sign-extended from 8l bits (X_l); l = 0 gives 0.
    uint64_t imm(uint64_t pos, unsigned l) const {
        uint64_t v = 0;
        if (pos + l <= len) {
            for (unsigned i = 0; i < l; ++i) v |= uint64_t(c[pos + i]) << (8 * i);
        } else {
            for (unsigned i = 0; i < l; ++i) v |= uint64_t(byte(pos + i)) << (8 * i);
        }
        if (l > 0 && l < 8) {
            const unsigned shift = 64 - 8 * l;
            v = uint64_t(int64_t(v << shift) >> shift);
        }
        return v;
    }
    // skip(i) = min(24, j >= 0 such that k[i+1+j] = 1): the bits after pc from one load.
    unsigned skip(uint64_t pc) const {
        const uint64_t i = pc + 1;
        uint64_t w;
        std::memcpy(&w, mask + (i >> 3), 8);
        w = (w >> (i & 7)) | (uint64_t(1) << 24);
        return unsigned(__builtin_ctzll(w));
    }
};

inline uint8_t reg(unsigned nibble) { return static_cast<uint8_t>(std::min(12u, nibble)); }

// Decodes one instruction at pc (GP A.5); `skip` = skip(pc).
Insn decode(const Code& code, uint32_t pc, unsigned skip, Gp gp) {
    Insn in{};
    in.pc = pc;
    in.target = kNoTarget;
    if (pc >= code.len || !code.bit(pc)) {
        in.op = op_invalid;
        return in;
    }
    in.op = op_from_opcode(code.c[pc], gp);
    const OpInfo& info = op_info(in.op);
    const uint8_t b1 = code.byte(uint64_t(pc) + 1);
    const uint8_t b2 = code.byte(uint64_t(pc) + 2);
    const unsigned len = skip;  // ℓ
    auto rest = [](unsigned l, unsigned used) { return std::min(4u, l > used ? l - used : 0u); };
    switch (info.fmt) {
        case Fmt::None:
            break;
        case Fmt::Imm:
            in.imm = code.imm(uint64_t(pc) + 1, std::min(4u, len));
            break;
        case Fmt::RegExtImm:
            in.a = reg(b1 & 15);
            in.imm = code.imm(uint64_t(pc) + 2, 8);
            break;
        case Fmt::ImmImm: {
            const unsigned lx = std::min(4u, unsigned(b1 & 7));
            in.imm = code.imm(uint64_t(pc) + 2, lx);
            in.imm2 = code.imm(uint64_t(pc) + 2 + lx, rest(len, lx + 1));
            break;
        }
        case Fmt::Off:
            in.imm = uint32_t(pc + uint32_t(code.imm(uint64_t(pc) + 1, std::min(4u, len))));
            break;
        case Fmt::RegImm:
            in.a = reg(b1 & 15);
            in.imm = code.imm(uint64_t(pc) + 2, rest(len, 1));
            break;
        case Fmt::RegImmImm:
        case Fmt::RegImmOff: {
            in.a = reg(b1 & 15);
            const unsigned lx = std::min(4u, unsigned((b1 >> 4) & 7));
            in.imm = code.imm(uint64_t(pc) + 2, lx);
            in.imm2 = code.imm(uint64_t(pc) + 2 + lx, rest(len, lx + 1));
            if (info.fmt == Fmt::RegImmOff) in.imm2 = uint32_t(pc + uint32_t(in.imm2));
            break;
        }
        case Fmt::RegReg:
            in.d = reg(b1 & 15);
            in.a = reg(b1 >> 4);
            break;
        case Fmt::RegRegImm:
        case Fmt::RegRegOff:
            in.a = reg(b1 & 15);
            in.b = reg(b1 >> 4);
            in.imm = code.imm(uint64_t(pc) + 2, rest(len, 1));
            if (info.fmt == Fmt::RegRegOff) in.imm = uint32_t(pc + uint32_t(in.imm));
            break;
        case Fmt::RegRegImmImm: {
            in.a = reg(b1 & 15);
            in.b = reg(b1 >> 4);
            const unsigned lx = std::min(4u, unsigned(b2 & 7));
            in.imm = code.imm(uint64_t(pc) + 3, lx);
            in.imm2 = code.imm(uint64_t(pc) + 3 + lx, rest(len, lx + 2));
            break;
        }
        case Fmt::RegRegReg:
            in.a = reg(b1 & 15);
            in.b = reg(b1 >> 4);
            in.d = reg(b2);
            break;
    }
    return in;
}

}  // namespace

const OpInfo& op_info(uint8_t op) { return kOps[op < op_count ? op : uint8_t(op_invalid)]; }
uint8_t op_from_opcode(uint8_t opcode, Gp gp) { return kOpcodeMap.op[unsigned(gp) & 1][opcode]; }

bool read_varint(const uint8_t* p, size_t len, size_t& pos, uint64_t& value) {
    if (pos >= len) return false;
    const uint8_t b0 = p[pos++];
    unsigned l = 0;
    while (l < 8 && (b0 & (0x80u >> l))) ++l;
    if (len - pos < l) return false;
    uint64_t low = 0;
    for (unsigned i = 0; i < l; ++i) low |= uint64_t(p[pos + i]) << (8 * i);
    pos += l;
    if (l == 8) {
        value = low;
    } else {
        const uint64_t high = b0 & (0xFFu >> (l + 1));
        value = (high << (8 * l)) | low;
    }
    return true;
}

namespace {

bool fail(std::string& error, const char* fmt, uint64_t a = 0, uint64_t b = 0) {
    char buf[200];
    std::snprintf(buf, sizeof buf, fmt, a, b);
    error = buf;
    return false;
}

// Static branch target pc of a decoded terminator, or -1 when it has none.
int64_t static_target(const Insn& in) {
    switch (op_info(in.op).fmt) {
        case Fmt::Off:
        case Fmt::RegRegOff:
            return int64_t(in.imm);
        case Fmt::RegImmOff:
            return int64_t(in.imm2);
        default:
            return -1;
    }
}

}  // namespace

namespace {

constexpr uint64_t kMaxCode = 64u << 20;        // 64 MiB: generous, keeps indices 32-bit
constexpr uint64_t kMaxJumpTable = 16u << 20;   // entries (PolkaVM's limit)

// Decodes the code (with its padded bitmask) and resolves the jump table (p.jump_table filled).
bool build(const uint8_t* code_bytes, uint64_t code_len, const std::vector<uint8_t>& mask, const ParseOptions& options,
           Program& p, std::string& error);

}  // namespace

bool parse_program(const uint8_t* blob, size_t len, const ParseOptions& options, Program& p, std::string& error) {
    if (!blob && len) return fail(error, "program blob pointer is NULL");
    size_t pos = 0;
    uint64_t jt_count = 0, code_len = 0;
    if (!read_varint(blob, len, pos, jt_count))
        return fail(error, "malformed program blob: truncated jump-table entry count");
    if (pos >= len) return fail(error, "malformed program blob: truncated jump-table entry size");
    const unsigned z = blob[pos++];
    if (z > 4) return fail(error, "malformed program blob: jump-table entry size %" PRIu64 " (must be 0..4)", z);
    if (!read_varint(blob, len, pos, code_len))
        return fail(error, "malformed program blob: truncated code length");
    if (code_len > kMaxCode)
        return fail(error, "malformed program blob: code length %" PRIu64 " exceeds the limit %" PRIu64, code_len,
                    kMaxCode);
    const uint64_t remaining = len - pos;
    if (jt_count > kMaxJumpTable || (z && jt_count > remaining / z))
        return fail(error, "malformed program blob: jump table of %" PRIu64 " entries is too large (%" PRIu64
                           " bytes left in the blob, at most 16 Mi entries)",
                    jt_count, remaining);
    const uint64_t jt_bytes = jt_count * z;
    const uint64_t mask_len = (code_len + 7) / 8;
    const uint64_t expected = jt_bytes + code_len + mask_len;
    if (expected != remaining)
        return fail(error,
                    "malformed program blob: jump table, code and bitmask need %" PRIu64
                    " bytes after the header, the blob has %" PRIu64,
                    expected, remaining);

    p.jump_table.resize(jt_count);
    for (uint64_t i = 0; i < jt_count; ++i) {
        uint32_t v = 0;
        for (unsigned k = 0; k < z; ++k) v |= uint32_t(blob[pos + k]) << (8 * k);
        pos += z;
        p.jump_table[i] = v;
    }
    // The bitmask, padded: bits past the code are 1, and 8 more bytes for the word loads.
    std::vector<uint8_t> mask(mask_len + 9, 0xFF);
    std::memcpy(mask.data(), blob + pos + code_len, mask_len);
    if (code_len % 8) mask[mask_len - 1] |= uint8_t(0xFF << (code_len % 8));
    return build(blob + pos, code_len, mask, options, p, error);
}

bool parse_parts(const uint8_t* code, size_t code_len, const uint8_t* bitmask, size_t bitmask_len,
                 const uint32_t* jump_table, size_t jump_table_len, const ParseOptions& options, Program& p,
                 std::string& error) {
    if ((!code && code_len) || (!bitmask && bitmask_len) || (!jump_table && jump_table_len))
        return fail(error, "malformed program: NULL code, bitmask or jump-table pointer");
    if (code_len > kMaxCode)
        return fail(error, "malformed program: code length %" PRIu64 " exceeds the limit %" PRIu64, code_len, kMaxCode);
    if (jump_table_len > kMaxJumpTable)
        return fail(error, "malformed program: jump table of %" PRIu64 " entries (at most 16 Mi)", jump_table_len);
    const uint64_t mask_len = (uint64_t(code_len) + 7) / 8;
    std::vector<uint8_t> mask(mask_len + 9, 0xFF);
    if (bitmask_len == mask_len) {  // packed, LSB first (GP A.2)
        if (mask_len) std::memcpy(mask.data(), bitmask, mask_len);
        if (code_len % 8) mask[mask_len - 1] |= uint8_t(0xFF << (code_len % 8));
    } else if (bitmask_len == code_len) {  // one byte per code byte
        std::fill(mask.begin(), mask.begin() + ptrdiff_t(mask_len), uint8_t(0));
        for (size_t i = 0; i < code_len; ++i) {
            if (bitmask[i] > 1)
                return fail(error, "malformed program: unpacked bitmask byte %" PRIu64 " is %" PRIu64 " (must be 0 or 1)",
                            i, bitmask[i]);
            mask[i / 8] |= uint8_t(bitmask[i] << (i % 8));
        }
        if (code_len % 8) mask[mask_len - 1] |= uint8_t(0xFF << (code_len % 8));
    } else {
        return fail(error,
                    "malformed program: bitmask of %" PRIu64 " bytes for %" PRIu64
                    " code bytes (expected ceil(|c|/8) packed or |c| unpacked)",
                    bitmask_len, code_len);
    }
    p.jump_table.assign(jump_table, jump_table + jump_table_len);
    return build(code, code_len, mask, options, p, error);
}

int64_t entry_cost(const Program& p, uint32_t index) {
    if (p.insns[index].op == op_gas) return int64_t(p.insns[index].imm);
    if (p.gp == Gp::NewGas) return simulated_block_cost(p, index);
    return p.insns[index].rest;
}

namespace {

bool build(const uint8_t* code_bytes, uint64_t code_len, const std::vector<uint8_t>& mask, const ParseOptions& options,
           Program& p, std::string& error) {
    (void)error;
    const uint64_t jt_count = p.jump_table.size();
    p.gp = options.gp;
    p.counting = options.count_instructions;
    const Code code{code_bytes, mask.data(), code_len};
    p.code_len = uint32_t(code_len);

    // Decode every instruction start, in pc order, ending with an op_invalid at pc = |c|. The
    // entry after an instruction is always the one at its pc + 1 + skip: the next bitmask bit,
    // or (skip capped at 24) a byte without bitmask bit, which executes as a trap (GP A.19). An
    // op_gas entry precedes the first instruction of every block: index 0 and after every
    // terminator (undefined opcodes end a block as a trap does). ϖ (GP A.3) = 0 and every
    // instruction after a terminator, if it is a valid opcode.
    std::vector<uint8_t> is_block(code_len, 0);  // parse-time only
    p.pc_index.resize(code_len + 1);
    std::memset(p.pc_index.data(), 0xFF, p.pc_index.size() * sizeof(uint32_t));  // kNoTarget
    p.insns.clear();
    // At most one entry per instruction start (bitmask bit, or a byte reached by a skip of 24)
    // and one op_gas per block: reserved once (untouched capacity costs no memory). The set bits
    // are visited a word at a time.
    uint64_t starts = 0, ends = 0, first = code_len;
    for (uint64_t w = 0; w * 64 < code_len; ++w) {
        uint64_t bits;
        std::memcpy(&bits, code.mask + w * 8, 8);
        if (code_len - w * 64 < 64) bits &= (uint64_t(1) << (code_len - w * 64)) - 1;
        while (bits) {
            const uint64_t i = w * 64 + unsigned(__builtin_ctzll(bits));
            bits &= bits - 1;
            if (first == code_len) first = i;
            ++starts;
            const uint8_t op = op_from_opcode(code.c[i], options.gp);
            ends += op == op_invalid || op_info(op).terminator;
        }
    }
    p.insns.reserve(size_t(starts + ends + 2 * (code_len / 25) + 4));
    uint64_t pc = first;
    bool new_block = true, after_terminator = false;
    size_t gas_at = 0;
    for (;;) {
        const bool end = pc >= code_len;
        const unsigned skip = end ? 0 : code.skip(pc);
        const Insn in = decode(code, uint32_t(end ? code_len : pc), skip, options.gp);
        if (new_block) {
            Insn gas{};
            gas.op = op_gas;
            gas.pc = in.pc;
            gas.target = kNoTarget;
            gas_at = p.insns.size();
            p.insns.push_back(gas);
            new_block = false;
        }
        const bool valid = in.op != op_invalid;
        if (!end && (pc == 0 || after_terminator) && valid) is_block[pc] = 1;
        after_terminator = valid && op_info(in.op).terminator;
        p.pc_index[in.pc] = uint32_t(p.insns.size());
        p.insns.push_back(in);
        if (!valid || after_terminator) {
            const size_t n = p.insns.size() - gas_at - 1;
            p.insns[gas_at].imm = n;  // 1 gas per instruction (GP <= 0.7.2; the new-gas cost comes below)
            p.insns[gas_at].imm2 = options.count_instructions ? n : 0;
            for (size_t k = 1; k <= n; ++k) p.insns[gas_at + k].rest = uint32_t(n + 1 - k);
            new_block = true;
        }
        if (end) break;
        pc += 1 + skip;
    }

    // Resolve static targets and the jump table.
    auto block_index = [&](uint64_t t) -> uint32_t {
        return t < code_len && is_block[t] ? p.pc_index[t] - 1 : kNoTarget;
    };
    for (Insn& in : p.insns) {
        if (in.op == op_gas || in.op == op_invalid) continue;
        const int64_t t = static_target(in);
        if (t >= 0) in.target = block_index(uint64_t(t));
    }
    p.jump_index.resize(jt_count);
    for (uint64_t i = 0; i < jt_count; ++i) p.jump_index[i] = block_index(p.jump_table[i]);

    if (options.gp == Gp::NewGas) {
        // Branch latency (GP 0.7.1∆ A.10, b): 1 when the fall-through or the target starts with
        // trap or unlikely (or lies past the code), else 20 (a misprediction).
        auto cheap = [&](uint64_t at) { return at >= code_len || code.c[at] == 0 || code.c[at] == 3; };
        for (size_t i = 0; i + 1 < p.insns.size(); ++i) {
            Insn& in = p.insns[i];
            const Fmt f = op_info(in.op).fmt;
            if (in.op == op_gas || in.op == op_invalid || !op_info(in.op).terminator) continue;
            if (f != Fmt::RegRegOff && f != Fmt::RegImmOff) continue;
            if (in.op == op_load_imm_jump) continue;
            const uint64_t target = f == Fmt::RegRegOff ? in.imm : in.imm2;
            in.d = cheap(p.insns[i + 1].pc) || cheap(target) ? 1 : 20;
        }
        for (size_t i = 0; i < p.insns.size(); ++i)
            if (p.insns[i].op == op_gas) p.insns[i].imm = simulated_block_cost(p, uint32_t(i + 1));
        p.trap_cost = 2;  // a one-instruction trap block: max(5 - 3, 1)
    }
    return true;
}

}  // namespace



void disassemble(const Insn& in, char* buf, size_t size) {
    if (!buf || !size) return;
    if (in.op == op_gas) {
        std::snprintf(buf, size, "@block gas=%" PRIu64, in.imm);
        return;
    }
    if (in.op == op_invalid) {
        std::snprintf(buf, size, "invalid");
        return;
    }
    const OpInfo& info = op_info(in.op);
    const char* n = info.name;
    const int64_t x = int64_t(in.imm), y = int64_t(in.imm2);
    switch (info.fmt) {
        case Fmt::None: std::snprintf(buf, size, "%s", n); break;
        case Fmt::Imm: std::snprintf(buf, size, "%s %" PRId64, n, x); break;
        case Fmt::RegExtImm: std::snprintf(buf, size, "%s r%u, 0x%" PRIx64, n, in.a, in.imm); break;
        case Fmt::ImmImm: std::snprintf(buf, size, "%s [0x%" PRIx64 "], %" PRId64, n, in.imm & 0xFFFFFFFFu, y); break;
        case Fmt::Off: std::snprintf(buf, size, "%s @%" PRIu64, n, in.imm); break;
        case Fmt::RegImm: std::snprintf(buf, size, "%s r%u, %" PRId64, n, in.a, x); break;
        case Fmt::RegImmImm: std::snprintf(buf, size, "%s r%u, %" PRId64 ", %" PRId64, n, in.a, x, y); break;
        case Fmt::RegImmOff: std::snprintf(buf, size, "%s r%u, %" PRId64 ", @%" PRIu64, n, in.a, x, in.imm2); break;
        case Fmt::RegReg: std::snprintf(buf, size, "%s r%u, r%u", n, in.d, in.a); break;
        case Fmt::RegRegImm: std::snprintf(buf, size, "%s r%u, r%u, %" PRId64, n, in.a, in.b, x); break;
        case Fmt::RegRegOff: std::snprintf(buf, size, "%s r%u, r%u, @%" PRIu64, n, in.a, in.b, in.imm); break;
        case Fmt::RegRegImmImm:
            std::snprintf(buf, size, "%s r%u, r%u, %" PRId64 ", %" PRId64, n, in.a, in.b, x, y);
            break;
        case Fmt::RegRegReg: std::snprintf(buf, size, "%s r%u, r%u, r%u", n, in.d, in.a, in.b); break;
    }
}

}  // namespace pvm
