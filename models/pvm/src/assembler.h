// A small PVM assembler for tests and benchmarks: emits instructions in the GP A.5 operand
// formats with minimal immediates, resolves labels (4-byte offsets) and builds the program
// blob (GP A.2), standard program blobs (GP A.7) and .polkavm containers. Header-only, internal
// (not installed).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "opcodes.h"

namespace pvm {

inline void put_varint(std::vector<uint8_t>& out, uint64_t x) {  // GP E (natural numbers)
    for (unsigned l = 0; l < 8; ++l) {
        if (x < (uint64_t(1) << (7 * (l + 1)))) {
            out.push_back(uint8_t(256 - (1u << (8 - l)) + (x >> (8 * l))));
            for (unsigned i = 0; i < l; ++i) out.push_back(uint8_t(x >> (8 * i)));
            return;
        }
    }
    out.push_back(0xFF);
    for (unsigned i = 0; i < 8; ++i) out.push_back(uint8_t(x >> (8 * i)));
}

class Assembler {
public:
    struct Label {
        uint32_t id;
    };

    Label label() {
        labels_.push_back(kUnbound);
        return Label{uint32_t(labels_.size() - 1)};
    }
    // Binds a label here. Jump targets must start a basic block: a fallthrough is emitted
    // first when the previous instruction does not end one.
    void bind(Label l) {
        if (!code_.empty() && !last_terminator_) emit(op_fallthrough);
        labels_[l.id] = pc();
    }
    uint32_t pc() const { return uint32_t(code_.size()); }

    // Jump-table entry for a label; returns the dynamic-jump address ((index + 1) * 2).
    uint32_t jump_address(Label l) {
        table_.push_back(l.id);
        return uint32_t(table_.size() * 2);
    }

    // --- Formats (GP A.5.x); `op` is an Op from opcodes.h ---
    void emit(uint8_t op) { begin(op); }                                     // None
    void imm(uint8_t op, int64_t x) { begin(op); put_imm(x); }               // Imm
    void reg_ext_imm(uint8_t op, unsigned a, uint64_t x) {                   // RegExtImm
        begin(op);
        byte(a);
        for (unsigned i = 0; i < 8; ++i) byte(uint8_t(x >> (8 * i)));
    }
    void imm_imm(uint8_t op, int64_t x, int64_t y) {                          // ImmImm
        begin(op);
        byte(imm_len(x));
        put_imm(x);
        put_imm(y);
    }
    void jump(Label l) { begin(op_jump); put_off(l); }                       // Off
    void reg_imm(uint8_t op, unsigned a, int64_t x) { begin(op); byte(a); put_imm(x); }  // RegImm
    void reg_imm_imm(uint8_t op, unsigned a, int64_t x, int64_t y) {          // RegImmImm
        begin(op);
        byte(uint8_t(a | imm_len(x) << 4));
        put_imm(x);
        put_imm(y);
    }
    void reg_imm_off(uint8_t op, unsigned a, int64_t x, Label l) {            // RegImmOff
        begin(op);
        byte(uint8_t(a | imm_len(x) << 4));
        put_imm(x);
        put_off(l);
    }
    void reg_reg(uint8_t op, unsigned d, unsigned a) { begin(op); byte(uint8_t(d | a << 4)); }  // RegReg
    void reg_reg_imm(uint8_t op, unsigned a, unsigned b, int64_t x) {         // RegRegImm
        begin(op);
        byte(uint8_t(a | b << 4));
        put_imm(x);
    }
    void reg_reg_off(uint8_t op, unsigned a, unsigned b, Label l) {           // RegRegOff
        begin(op);
        byte(uint8_t(a | b << 4));
        put_off(l);
    }
    void reg_reg_imm_imm(uint8_t op, unsigned a, unsigned b, int64_t x, int64_t y) {  // RegRegImmImm
        begin(op);
        byte(uint8_t(a | b << 4));
        byte(imm_len(x));
        put_imm(x);
        put_imm(y);
    }
    void reg3(uint8_t op, unsigned d, unsigned a, unsigned b) {               // RegRegReg: φD = φA op φB
        begin(op);
        byte(uint8_t(a | b << 4));
        byte(uint8_t(d));
    }

    // Common shorthands.
    void load_imm(unsigned r, int64_t v) {
        if (v == int64_t(int32_t(v)))
            reg_imm(op_load_imm, r, v);
        else
            reg_ext_imm(op_load_imm_64, r, uint64_t(v));
    }
    // Loads 0xFFFF0000 into `scratch` and jumps there (halt).
    void halt_via(unsigned scratch) {
        reg_imm(op_load_imm, scratch, int64_t(int32_t(0xFFFF0000u)));
        reg_imm(op_jump_ind, scratch, 0);
    }

    // The parts: code with the labels resolved, packed bitmask, jump table.
    std::vector<uint8_t> code() const {
        std::vector<uint8_t> code = code_;
        for (const auto& f : fixups_) {
            const uint32_t target = labels_.at(f.label);
            if (target == kUnbound) throw std::logic_error("unbound label");
            const uint32_t off = target - f.insn_pc;
            for (unsigned i = 0; i < 4; ++i) code[f.at + i] = uint8_t(off >> (8 * i));
        }
        return code;
    }
    std::vector<uint8_t> bitmask() const {
        std::vector<uint8_t> mask((code_.size() + 7) / 8, 0);
        for (size_t i = 0; i < mask_.size(); ++i)
            if (mask_[i]) mask[i / 8] |= uint8_t(1u << (i % 8));
        return mask;
    }
    std::vector<uint32_t> jump_table() const {
        std::vector<uint32_t> t;
        for (uint32_t id : table_) t.push_back(labels_.at(id));
        return t;
    }

    // The program blob (GP A.2).
    std::vector<uint8_t> blob() const {
        const std::vector<uint8_t> code = this->code();
        std::vector<uint8_t> out;
        put_varint(out, table_.size());
        out.push_back(4);
        put_varint(out, code.size());
        for (uint32_t id : table_) {
            const uint32_t target = labels_.at(id);
            if (target == kUnbound) throw std::logic_error("unbound label");
            for (unsigned i = 0; i < 4; ++i) out.push_back(uint8_t(target >> (8 * i)));
        }
        out.insert(out.end(), code.begin(), code.end());
        const std::vector<uint8_t> mask = bitmask();
        out.insert(out.end(), mask.begin(), mask.end());
        return out;
    }

    // A standard program blob (GP A.7) around this program.
    std::vector<uint8_t> standard_blob(const std::vector<uint8_t>& ro, const std::vector<uint8_t>& rw,
                                       uint16_t heap_pages, uint32_t stack) const {
        const std::vector<uint8_t> c = blob();
        std::vector<uint8_t> out;
        auto le = [&](uint64_t v, unsigned n) {
            for (unsigned i = 0; i < n; ++i) out.push_back(uint8_t(v >> (8 * i)));
        };
        le(ro.size(), 3);
        le(rw.size(), 3);
        le(heap_pages, 2);
        le(stack, 3);
        out.insert(out.end(), ro.begin(), ro.end());
        out.insert(out.end(), rw.begin(), rw.end());
        le(c.size(), 4);
        out.insert(out.end(), c.begin(), c.end());
        return out;
    }

    // A .polkavm container (version 0, container.h) around this program: memory configuration
    // (ro_data_size = |ro|, rw_data_size = rw_size >= |rw|, stack), read-only and read-write data,
    // the exports (name, pc), the code section (the GP A.2 blob) and the end section.
    std::vector<uint8_t> polkavm_blob(const std::vector<uint8_t>& ro, const std::vector<uint8_t>& rw, uint32_t rw_size,
                                      uint32_t stack,
                                      const std::vector<std::pair<std::string, uint32_t>>& exports) const {
        std::vector<uint8_t> out{'P', 'V', 'M', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        auto section = [&](uint8_t id, const std::vector<uint8_t>& payload) {
            out.push_back(id);
            put_varint(out, payload.size());
            out.insert(out.end(), payload.begin(), payload.end());
        };
        std::vector<uint8_t> config;
        put_varint(config, ro.size());
        put_varint(config, rw_size < rw.size() ? rw.size() : rw_size);
        put_varint(config, stack);
        section(1, config);
        if (!ro.empty()) section(2, ro);
        if (!rw.empty()) section(3, rw);
        if (!exports.empty()) {
            std::vector<uint8_t> e;
            put_varint(e, exports.size());
            for (const auto& x : exports) {
                put_varint(e, x.second);
                put_varint(e, x.first.size());
                e.insert(e.end(), x.first.begin(), x.first.end());
            }
            section(5, e);
        }
        section(6, blob());
        out.push_back(0);
        for (unsigned i = 0; i < 8; ++i) out[5 + i] = uint8_t(uint64_t(out.size()) >> (8 * i));
        return out;
    }

private:
    static constexpr uint32_t kUnbound = 0xFFFFFFFFu;
    struct Fixup {
        size_t at;
        uint32_t insn_pc;
        uint32_t label;
    };

    void begin(uint8_t op) {
        const OpInfo& info = op_info(op);
        insn_pc_ = pc();
        code_.push_back(info.opcode);
        mask_.push_back(1);
        last_terminator_ = info.terminator;
    }
    void byte(uint8_t b) {
        code_.push_back(b);
        mask_.push_back(0);
    }
    static uint8_t imm_len(int64_t x) {  // smallest l with X_l(x mod 2^8l) = x
        if (x == 0) return 0;
        for (uint8_t l = 1; l < 4; ++l) {
            const unsigned shift = 64 - 8 * l;
            if (int64_t(uint64_t(x) << shift) >> shift == x) return l;
        }
        if (x != int64_t(int32_t(x))) throw std::invalid_argument("immediate does not fit in 32 bits");
        return 4;
    }
    void put_imm(int64_t x) {
        const uint8_t l = imm_len(x);
        for (unsigned i = 0; i < l; ++i) byte(uint8_t(uint64_t(x) >> (8 * i)));
    }
    void put_off(Label l) {
        fixups_.push_back(Fixup{code_.size(), insn_pc_, l.id});
        for (unsigned i = 0; i < 4; ++i) byte(0);
    }

    std::vector<uint8_t> code_;
    std::vector<uint8_t> mask_;
    std::vector<uint32_t> labels_;
    std::vector<uint32_t> table_;
    std::vector<Fixup> fixups_;
    uint32_t insn_pc_ = 0;
    bool last_terminator_ = true;
};

}  // namespace pvm
