// A minimal x86-64 instruction encoder for the recompiler: only the forms it emits (Intel SDM
// vol. 2, chapter 2: REX, ModRM, SIB, displacements). Hand-written because compile time is a
// hot path: xbyak 6.68 took 70-140 ns per memory-operand instruction here, this takes ~1 ns.
// The buffer is one anonymous mapping that grows with mremap (all code-internal references are
// relative, so moving it is harmless); allocation failure is reported, never thrown.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace pvm {
namespace x86 {

enum Reg : uint8_t { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15, NOREG = 0xFF };
enum Cond : uint8_t { O, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G };
// Group opcode extensions (ModRM.reg).
enum Alu : uint8_t { ADD = 0, OR = 1, AND = 4, SUB = 5, XOR = 6, CMP = 7 };
enum Shift : uint8_t { ROL = 0, ROR = 1, SHL = 4, SHR = 5, SAR = 7 };

// [base + index*2^scale + disp]
struct Mem {
    Reg base;
    Reg index;
    uint8_t scale;
    int32_t disp;
};
inline Mem mem(Reg base, int32_t disp) { return Mem{base, NOREG, 0, disp}; }
inline Mem mem(Reg base, Reg index, uint8_t scale = 0, int32_t disp = 0) { return Mem{base, index, scale, disp}; }

class Emitter {
public:
    Emitter() = default;
    ~Emitter() {
        if (buf_) munmap(buf_, cap_);
    }
    Emitter(const Emitter&) = delete;
    Emitter& operator=(const Emitter&) = delete;

    // `capacity`: a close estimate, populated at once (one kernel entry instead of a fault per page).
    bool init(size_t capacity) {
        capacity = round(capacity);
        void* m = mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (m == MAP_FAILED) return false;
        buf_ = static_cast<uint8_t*>(m);
        cap_ = capacity;
        p_ = buf_;
        return true;
    }
    // Room for n more bytes (grows the mapping); false when the host has no memory.
    bool reserve(size_t n) {
        if (size_t(buf_ + cap_ - p_) >= n) return true;
        const size_t used = size();
        const size_t cap = round(cap_ * 2 > used + n ? cap_ * 2 : used + n);
        void* m = mremap(buf_, cap_, cap, MREMAP_MAYMOVE);
        if (m == MAP_FAILED) return false;
        buf_ = static_cast<uint8_t*>(m);
        cap_ = cap;
        p_ = buf_ + used;
        return true;
    }
    // Makes the code read+execute (W^X).
    bool finish() { return mprotect(buf_, cap_, PROT_READ | PROT_EXEC) == 0; }
    size_t size() const { return size_t(p_ - buf_); }
    size_t capacity() const { return cap_; }
    uint8_t* begin() const { return buf_; }

    // ---- raw bytes ----
    void b(uint8_t x) { *p_++ = x; }
    void d16(uint16_t x) {
        std::memcpy(p_, &x, 2);
        p_ += 2;
    }
    void d32(uint32_t x) {
        std::memcpy(p_, &x, 4);
        p_ += 4;
    }
    void d64(uint64_t x) {
        std::memcpy(p_, &x, 8);
        p_ += 8;
    }
    void put32(size_t at, uint32_t x) { std::memcpy(buf_ + at, &x, 4); }
    uint32_t get32(size_t at) const {
        uint32_t x;
        std::memcpy(&x, buf_ + at, 4);
        return x;
    }

    // ---- encoding core ----
    // sz: operand size in bytes (1, 2, 4, 8). `opc` holds 1-3 opcode bytes, first byte highest.
    // `byte_regs`: some operand is a byte register (spl/bpl/sil/dil need a REX prefix). The
    // bytes go through a local pointer: stores through uint8_t* may alias the emitter itself.
    void rr(unsigned sz, uint32_t opc, unsigned reg, unsigned rm, bool byte_regs = false, uint8_t pfx = 0) {
        uint8_t* p = p_;
        if (sz == 2) *p++ = 0x66;
        if (pfx) *p++ = pfx;
        p = rex(p, sz == 8, reg, 0, rm, byte_regs && ((reg >= 4 && reg < 8) || (rm >= 4 && rm < 8)));
        p = opcode(p, opc);
        *p++ = uint8_t(0xC0 | (reg & 7) << 3 | (rm & 7));
        p_ = p;
    }
    void rm(unsigned sz, uint32_t opc, unsigned reg, const Mem& m, bool byte_reg = false, uint8_t pfx = 0) {
        uint8_t* p = p_;
        if (sz == 2) *p++ = 0x66;
        if (pfx) *p++ = pfx;
        p = rex(p, sz == 8, reg, m.index == NOREG ? 0 : m.index, m.base, byte_reg && reg >= 4 && reg < 8);
        p = opcode(p, opc);
        p_ = modrm(p, reg, m);
    }

    // ---- common instructions ----
    void mov(Reg d, Reg s, unsigned sz = 8) { rr(sz, 0x8B, d, s); }
    void load(unsigned sz, Reg d, const Mem& m) { rm(sz, 0x8B, d, m); }
    void store(unsigned sz, const Mem& m, Reg s) { rm(sz, sz == 1 ? 0x88 : 0x89, s, m, sz == 1); }
    void store_imm(unsigned sz, const Mem& m, uint32_t v) {
        rm(sz, sz == 1 ? 0xC6 : 0xC7, 0, m);
        if (sz == 1) b(uint8_t(v));
        else if (sz == 2) d16(uint16_t(v));
        else d32(v);
    }
    void lea(unsigned sz, Reg d, const Mem& m) { rm(sz, 0x8D, d, m); }
    // Any value; clobbers no flags.
    void mov_imm(Reg d, uint64_t v) {
        if (v <= 0xFFFFFFFFull) {
            rex(false, 0, 0, d, false);
            b(uint8_t(0xB8 | (d & 7)));
            d32(uint32_t(v));
        } else if (int64_t(v) == int64_t(int32_t(v))) {
            rr(8, 0xC7, 0, d);
            d32(uint32_t(v));
        } else {
            rex(true, 0, 0, d, false);
            b(uint8_t(0xB8 | (d & 7)));
            d64(v);
        }
    }
    void alu(unsigned sz, Alu op, Reg d, Reg s) { rr(sz, uint32_t(op) << 3 | 3, d, s); }   // d op= s
    void alu(unsigned sz, Alu op, Reg d, const Mem& s) { rm(sz, uint32_t(op) << 3 | 3, d, s); }
    void alu_to_mem(unsigned sz, Alu op, const Mem& d, Reg s) { rm(sz, uint32_t(op) << 3 | 1, s, d); }
    void alu_imm(unsigned sz, Alu op, Reg d, int32_t v) {
        if (v >= -128 && v <= 127) {
            rr(sz, 0x83, op, d);
            b(uint8_t(v));
        } else {
            rr(sz, 0x81, op, d);
            d32(uint32_t(v));
        }
    }
    void alu_imm(unsigned sz, Alu op, const Mem& d, int32_t v) {
        if (v >= -128 && v <= 127) {
            rm(sz, 0x83, op, d);
            b(uint8_t(v));
        } else {
            rm(sz, 0x81, op, d);
            d32(uint32_t(v));
        }
    }
    void test(unsigned sz, Reg a, Reg b2) { rr(sz, 0x85, b2, a); }
    void shift_imm(unsigned sz, Shift op, Reg d, uint8_t n) {
        rr(sz, 0xC1, op, d);
        b(n);
    }
    void shift_cl(unsigned sz, Shift op, Reg d) { rr(sz, 0xD3, op, d); }
    void unary(unsigned sz, unsigned ext, Reg d) { rr(sz, 0xF7, ext, d); }  // 2 not, 3 neg, 4 mul, 5 imul, 6 div, 7 idiv
    void unary(unsigned sz, unsigned ext, const Mem& d) { rm(sz, 0xF7, ext, d); }
    void setcc(Cond c, Reg d) { rr(1, 0x0F90u | c, 0, d, true); }
    void cmov(Cond c, Reg d, Reg s) { rr(8, 0x0F40u | c, d, s); }
    void cmov(Cond c, Reg d, const Mem& s) { rm(8, 0x0F40u | c, d, s); }
    void movsxd(Reg d, Reg s) { rr(8, 0x63, d, s); }
    void bswap(Reg d) {
        rex(true, 0, 0, d, false);
        b(0x0F);
        b(uint8_t(0xC8 | (d & 7)));
    }
    void push(Reg r) {
        rex(false, 0, 0, r, false);
        b(uint8_t(0x50 | (r & 7)));
    }
    void pop(Reg r) {
        rex(false, 0, 0, r, false);
        b(uint8_t(0x58 | (r & 7)));
    }
    void call(Reg r) { rr(4, 0xFF, 2, r); }
    void jmp(const Mem& m) { rm(4, 0xFF, 4, m); }
    void jmp(Reg r) { rr(4, 0xFF, 4, r); }
    void ret() { b(0xC3); }

    // ---- jumps: rel32 forms return the offset of the rel32 field ----
    size_t jmp32() {
        b(0xE9);
        d32(0);
        return size() - 4;
    }
    size_t jcc32(Cond c) {
        b(0x0F);
        b(uint8_t(0x80 | c));
        d32(0);
        return size() - 4;
    }
    size_t jcc8(Cond c) {
        b(uint8_t(0x70 | c));
        b(0);
        return size() - 1;
    }
    size_t jmp8() {
        b(0xEB);
        b(0);
        return size() - 1;
    }
    void bind8(size_t at) { buf_[at] = uint8_t(int8_t(int64_t(size()) - int64_t(at + 1))); }
    void patch32(size_t at, size_t target) { put32(at, uint32_t(int32_t(int64_t(target) - int64_t(at + 4)))); }
    // To a known (already emitted) offset: short form when it fits.
    void jmp_to(size_t target) {
        const int64_t d8 = int64_t(target) - int64_t(size() + 2);
        if (d8 >= -128 && d8 <= 127) {
            b(0xEB);
            b(uint8_t(int8_t(d8)));
        } else {
            patch32(jmp32(), target);
        }
    }
    void jcc_to(Cond c, size_t target) {
        const int64_t d8 = int64_t(target) - int64_t(size() + 2);
        if (d8 >= -128 && d8 <= 127) {
            b(uint8_t(0x70 | c));
            b(uint8_t(int8_t(d8)));
        } else {
            patch32(jcc32(c), target);
        }
    }

private:
    static size_t round(size_t n) { return (n + 4095) & ~size_t(4095); }
    static uint8_t* rex(uint8_t* p, bool w, unsigned r, unsigned x, unsigned bb, bool force) {
        const uint8_t v = uint8_t(0x40 | (w ? 8 : 0) | ((r >> 3) & 1) << 2 | ((x >> 3) & 1) << 1 | ((bb >> 3) & 1));
        if (v != 0x40 || force) *p++ = v;
        return p;
    }
    void rex(bool w, unsigned r, unsigned x, unsigned bb, bool force) { p_ = rex(p_, w, r, x, bb, force); }
    static uint8_t* opcode(uint8_t* p, uint32_t opc) {
        if (opc > 0xFFFF) *p++ = uint8_t(opc >> 16);
        if (opc > 0xFF) *p++ = uint8_t(opc >> 8);
        *p++ = uint8_t(opc);
        return p;
    }
    static uint8_t* modrm(uint8_t* p, unsigned reg, const Mem& m) {
        const unsigned base = m.base & 7;
        const bool sib = m.index != NOREG || base == 4;  // rsp/r12 as base need a SIB byte
        unsigned mod;
        if (m.disp == 0 && base != 5)  // rbp/r13 as base need a displacement
            mod = 0;
        else if (m.disp >= -128 && m.disp <= 127)
            mod = 1;
        else
            mod = 2;
        if (sib) {
            *p++ = uint8_t(mod << 6 | (reg & 7) << 3 | 4);
            *p++ = uint8_t(m.scale << 6 | (m.index == NOREG ? 4 : (m.index & 7)) << 3 | base);
        } else {
            *p++ = uint8_t(mod << 6 | (reg & 7) << 3 | base);
        }
        if (mod == 1) {
            *p++ = uint8_t(int8_t(m.disp));
        } else if (mod == 2) {
            const uint32_t d = uint32_t(m.disp);
            std::memcpy(p, &d, 4);
            p += 4;
        }
        return p;
    }

    uint8_t* buf_ = nullptr;
    size_t cap_ = 0;
    uint8_t* p_ = nullptr;
};

}  // namespace x86
}  // namespace pvm
