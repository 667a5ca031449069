// The x86-64 recompiler backend: the whole pre-decoded program (Program::insns, the same form
// the interpreter runs) is translated once, at pvm_create, into one block of x86-64 code with
// xbyak. Every instruction index gets a code label, so the VM can enter at any instruction
// (block start, resume point after a host call / page fault, or mid-block after set_pc).
//
// Host register assignment while guest code runs:
//   r15 = host base of the 4 GiB guest reservation     r14 = Ctx* (register file, exits)
//   r13 = gas                                           rax, rcx, rdx = scratch
//   rbx, rbp, r12, rsi, rdi, r8, r9, r10, r11 = PVM registers (kHostReg); the other four PVM
//   registers live in Ctx::regs. Around every call out (host call, sbrk, slow memory path)
//   all mapped registers are written to Ctx::regs and reloaded afterwards.
//
// Gas: `sub r13, cost; jl` at every op_gas entry (the out-of-line stub adds the cost back, so
// out of gas leaves the gas unchanged, exactly like the interpreter).
// Memory: every load/store checks the guest page-permission table inline (the same table the
// interpreter uses) plus a same-page test; anything else goes to Memory::check out of line,
// which reports panic / page fault (with the page base) exactly as the interpreter does.
// Step tracing runs on the interpreter over the same VmState.
#include "recompiler.h"

#if defined(__x86_64__) && defined(PVM_HAVE_XBYAK)

#include <xbyak/xbyak.h>

#include <cstddef>
#include <cstring>
#include <vector>

#include "opcodes.h"

namespace pvm {

namespace {

constexpr uint32_t kContinue = 0xFF;  // helper result: keep running

struct Ctx {
    uint64_t regs[PVM_NUM_REGS];
    int64_t gas;
    uint8_t* base;
    uint32_t exit_index;
    uint32_t fault;
    uint32_t tmp;
    uint32_t pad;
    VmState* st;
    pvm_vm* vm;
};

// ---- Helpers called from generated code (SysV ABI) ----

uint32_t rt_access(Ctx* c, uint32_t addr, uint32_t n, uint32_t need) {
    uint32_t page = 0;
    const Access a = c->st->memory.check(addr, n, uint8_t(need), page);
    if (a == Access::Ok) return 0;
    if (a == Access::Panic) return PVM_PANIC;
    c->fault = page;
    return PVM_PAGE_FAULT;
}

uint64_t rt_sbrk(Ctx* c, uint64_t n) {
    VmState& st = *c->st;
    uint32_t x = 0;
    if (!st.memory.find_free(st.heap_base, n ? n : 1, x)) return 0;
    if (n && !st.memory.map(x, uint32_t(n), kRead | kWrite)) return 0;
    return x;
}

uint32_t rt_ecalli(Ctx* c, uint32_t index) {
    VmState& st = *c->st;
    const Insn& in = st.program.insns[index];
    st.host_index = uint32_t(in.imm);
    st.pc = in.pc;
    if (!st.host_fn) return PVM_HOST_CALL;  // run() records the resume point
    std::memcpy(st.regs, c->regs, sizeof st.regs);
    st.gas = c->gas;
    const pvm_host_result res = st.host_fn(c->vm, st.host_index, st.host_user);
    std::memcpy(c->regs, st.regs, sizeof st.regs);
    c->gas = st.gas;
    if (res == PVM_HOST_TERMINATE) return PVM_HALT;
    if (res != PVM_HOST_CONTINUE) return PVM_PANIC;
    if (c->gas < 0) return PVM_OUT_OF_GAS;
    return kContinue;
}

using namespace Xbyak;

class Gen : public CodeGenerator {
public:
    Gen(const Program& prog, const uint8_t* perm)
        : CodeGenerator(4096 + prog.insns.size() * 48, AutoGrow), prog_(prog), perm_(perm) {}

    // Host register of each PVM register (nullptr: in Ctx::regs).
    const Reg64* hr_[PVM_NUM_REGS] = {};
    Reg64 hregs_[9] = {rbx, rbp, r12, rsi, rdi, r8, r9, r10, r11};

    std::vector<Label> labels_;
    std::vector<const uint8_t*> jtab_;  // per jump-table entry: code address or nullptr
    Label exit_spill_, exit_nospill_, exit_panic_, exit_halt_, exit_oog_, djump_;
    Label entry_;

    struct Stub {
        Label l;
        int kind;  // 0 panic, 1 oog (cost), 2 access slow path
        uint32_t index;
        uint32_t cost;
        uint32_t n, need;
        Label back;
    };
    std::vector<Stub*> stubs_;
    ~Gen() {
        for (Stub* s : stubs_) delete s;
    }

    void generate() {
        // PVM r1 (sp), r2..r9 in host registers; r0, r10..r12 in memory.
        static const int order[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        for (int i = 0; i < 9; ++i) hr_[order[i]] = &hregs_[i];

        const auto& insns = prog_.insns;
        labels_.resize(insns.size());
        jtab_.assign(prog_.jump_index.size(), nullptr);

        // entry(Ctx* rdi, code address rsi)
        L(entry_);
        push(rbx); push(rbp); push(r12); push(r13); push(r14); push(r15);
        sub(rsp, 8);
        mov(r14, rdi);
        mov(r15, ptr[r14 + offsetof(Ctx, base)]);
        mov(r13, ptr[r14 + offsetof(Ctx, gas)]);
        mov(rax, rsi);
        reload();
        jmp(rax);

        for (uint32_t i = 0; i < insns.size(); ++i) {
            L(labels_[i]);
            emit(i, insns[i]);
        }

        // Out-of-line stubs.
        for (size_t k = 0; k < stubs_.size(); ++k) {
            Stub& s = *stubs_[k];
            L(s.l);
            if (s.kind == 0) {
                mov(edx, s.index);
                jmp(exit_panic_, T_NEAR);
            } else if (s.kind == 1) {
                add(r13, s.cost);
                mov(edx, s.index);
                jmp(exit_oog_, T_NEAR);
            } else {
                // eax = guest address
                mov(ptr[r14 + offsetof(Ctx, tmp)], eax);
                spill();
                mov(rdi, r14);
                mov(esi, eax);
                mov(edx, s.n);
                mov(ecx, s.need);
                mov(rax, reinterpret_cast<size_t>(&rt_access));
                call(rax);
                test(eax, eax);
                Label ok;
                jz(ok);
                mov(edx, s.index);
                jmp(exit_nospill_, T_NEAR);
                L(ok);
                reload();
                mov(eax, ptr[r14 + offsetof(Ctx, tmp)]);
                jmp(s.back, T_NEAR);
            }
        }

        // Dynamic jump: eax = target address, edx = instruction index.
        L(djump_);
        cmp(eax, PVM_HALT_ADDRESS);
        je(exit_halt_, T_NEAR);
        test(eax, eax);
        jz(exit_panic_, T_NEAR);
        test(al, 1);
        jnz(exit_panic_, T_NEAR);
        shr(eax, 1);
        cmp(eax, uint32_t(prog_.jump_index.size()));
        ja(exit_panic_, T_NEAR);
        mov(rcx, reinterpret_cast<size_t>(jtab_.data()) - 8);
        mov(rcx, ptr[rcx + rax * 8]);
        test(rcx, rcx);
        jz(exit_panic_, T_NEAR);
        jmp(rcx);

        // Exits: eax = status, edx = instruction index.
        L(exit_panic_);
        mov(eax, PVM_PANIC);
        jmp(exit_spill_);
        L(exit_halt_);
        mov(eax, PVM_HALT);
        jmp(exit_spill_);
        L(exit_oog_);
        mov(eax, PVM_OUT_OF_GAS);
        L(exit_spill_);
        spill();
        L(exit_nospill_);
        mov(ptr[r14 + offsetof(Ctx, exit_index)], edx);
        mov(ptr[r14 + offsetof(Ctx, gas)], r13);
        add(rsp, 8);
        pop(r15); pop(r14); pop(r13); pop(r12); pop(rbp); pop(rbx);
        ret();

        ready(PROTECT_RE);
        for (size_t j = 0; j < prog_.jump_index.size(); ++j) {
            const uint32_t t = prog_.jump_index[j];
            jtab_[j] = t == kNoTarget ? nullptr : labels_[t].getAddress();
        }
    }

    std::vector<const uint8_t*> addresses() const {
        std::vector<const uint8_t*> a(labels_.size());
        for (size_t i = 0; i < labels_.size(); ++i) a[i] = labels_[i].getAddress();
        return a;
    }
    const uint8_t* entry_address() const { return entry_.getAddress(); }

private:
    const Program& prog_;
    const uint8_t* perm_;

    static uint32_t off(unsigned r) { return uint32_t(offsetof(Ctx, regs) + 8 * r); }

    void spill() {
        for (unsigned r = 0; r < PVM_NUM_REGS; ++r)
            if (hr_[r]) mov(ptr[r14 + off(r)], *hr_[r]);
    }
    void reload() {
        for (unsigned r = 0; r < PVM_NUM_REGS; ++r)
            if (hr_[r]) mov(*hr_[r], ptr[r14 + off(r)]);
    }
    void ld(const Reg64& d, unsigned r) {
        if (hr_[r]) {
            if (hr_[r]->getIdx() != d.getIdx()) mov(d, *hr_[r]);
        } else {
            mov(d, ptr[r14 + off(r)]);
        }
    }
    void put(unsigned r, const Reg64& s) {
        if (hr_[r])
            mov(*hr_[r], s);
        else
            mov(ptr[r14 + off(r)], s);
    }
    void ldimm(const Reg64& d, uint64_t v) {
        if (v == 0)
            xor_(d.cvt32(), d.cvt32());
        else if (v <= 0xFFFFFFFFull)
            mov(d.cvt32(), uint32_t(v));
        else if (int64_t(v) == int64_t(int32_t(v)))
            mov(d, int32_t(v));  // sign-extended imm32
        else
            mov(d, v);
    }
    // Puts an immediate into PVM register r without touching rax.
    void putimm(unsigned r, uint64_t v) {
        if (hr_[r]) {
            ldimm(*hr_[r], v);
        } else if (int64_t(v) == int64_t(int32_t(v))) {
            mov(qword[r14 + off(r)], int32_t(v));
        } else {
            mov(rdx, v);
            mov(ptr[r14 + off(r)], rdx);
        }
    }
    static bool fits32(uint64_t v) { return int64_t(v) == int64_t(int32_t(v)); }

    Stub* stub(int kind, uint32_t index) {
        Stub* s = new Stub();
        s->kind = kind;
        s->index = index;
        stubs_.push_back(s);
        return s;
    }
    Label& panic_label(uint32_t index) { return stub(0, index)->l; }
    Label& target_label(uint32_t index, uint32_t target) {
        return target == kNoTarget ? panic_label(index) : labels_[target];
    }

    // Guest address in eax (upper half zero). Checks [eax, eax+n) for `need`; afterwards the
    // access is [r15 + rax]. Clobbers rcx, rdx.
    void check(uint32_t index, unsigned n, unsigned need) {
        Stub* s = stub(2, index);
        s->n = n;
        s->need = need;
        mov(edx, eax);
        shr(edx, kPageShift);
        mov(rcx, reinterpret_cast<size_t>(perm_));
        test(byte[rcx + rdx], uint8_t(need));
        jz(s->l, T_NEAR);
        if (n > 1) {
            mov(edx, eax);
            and_(edx, kPageSize - 1);
            cmp(edx, kPageSize - n);
            ja(s->l, T_NEAR);
        }
        L(s->back);
    }
    // eax = uint32(PVM register b + imm), or imm when b < 0.
    void addr(int b, uint64_t imm) {
        if (b < 0) {
            mov(eax, uint32_t(imm));
        } else {
            ld(rax, unsigned(b));
            if (uint32_t(imm)) add(eax, uint32_t(imm));
            else mov(eax, eax);
        }
    }
    void load(uint32_t index, unsigned dst, int b, uint64_t imm, unsigned n, bool sign) {
        addr(b, imm);
        check(index, n, kRead);
        const auto m = r15 + rax;
        switch (n) {
            case 1: sign ? movsx(rdx, byte[m]) : movzx(edx, byte[m]); break;
            case 2: sign ? movsx(rdx, word[m]) : movzx(edx, word[m]); break;
            case 4: sign ? movsxd(rdx, dword[m]) : mov(edx, dword[m]); break;
            default: mov(rdx, qword[m]); break;
        }
        put(dst, rdx);
    }
    void store_reg(uint32_t index, unsigned src, int b, uint64_t imm, unsigned n) {
        addr(b, imm);
        check(index, n, kWrite);
        ld(rdx, src);
        const auto m = r15 + rax;
        switch (n) {
            case 1: mov(byte[m], dl); break;
            case 2: mov(word[m], dx); break;
            case 4: mov(dword[m], edx); break;
            default: mov(qword[m], rdx); break;
        }
    }
    void store_imm(uint32_t index, int b, uint64_t imm, uint64_t val, unsigned n) {
        addr(b, imm);
        check(index, n, kWrite);
        const auto m = r15 + rax;
        switch (n) {
            case 1: mov(byte[m], uint8_t(val)); break;
            case 2: mov(word[m], uint16_t(val)); break;
            case 4: mov(dword[m], uint32_t(val)); break;
            default:
                if (fits32(val)) {
                    mov(qword[m], int32_t(val));
                } else {
                    mov(rdx, val);
                    mov(qword[m], rdx);
                }
                break;
        }
    }
    // Conditional branch on flags already set.
    template <typename J>
    void branch(uint32_t index, const Insn& in, J jcc) {
        (this->*jcc)(target_label(index, in.target), T_NEAR);
    }
    void cmp_imm(unsigned a, uint64_t x) {
        if (hr_[a]) {
            if (fits32(x)) cmp(*hr_[a], int32_t(x));
            else { mov(rdx, x); cmp(*hr_[a], rdx); }
        } else {
            if (fits32(x)) cmp(qword[r14 + off(a)], int32_t(x));
            else { mov(rdx, x); cmp(qword[r14 + off(a)], rdx); }
        }
    }
    void cmp_reg(unsigned a, unsigned b) {
        ld(rax, a);
        if (hr_[b]) cmp(rax, *hr_[b]);
        else cmp(rax, qword[r14 + off(b)]);
    }
    // rax op= x (64-bit ALU with an immediate).
    template <typename F>
    void alu_imm(uint64_t x, F f) {
        if (fits32(x)) {
            f(rax, int32_t(x));
        } else {
            mov(rdx, x);
            f(rax, rdx);
        }
    }
    void call_out(const void* fn) {
        mov(rax, reinterpret_cast<size_t>(fn));
        call(rax);
    }
    void djump(uint32_t index) {  // eax = target
        mov(edx, index);
        jmp(djump_, T_NEAR);
    }

    void emit(uint32_t i, const Insn& in) {
        const unsigned A = in.a, B = in.b, D = in.d;
        const uint64_t X = in.imm, Y = in.imm2;
        const uint32_t X32 = uint32_t(X);
        switch (in.op) {
            case op_gas: {
                Stub* s = stub(1, i);
                s->cost = uint32_t(X);
                sub(r13, uint32_t(X));
                jl(s->l, T_NEAR);
                break;
            }
            case op_invalid:
            case op_trap:
                mov(edx, i);
                jmp(exit_panic_, T_NEAR);
                break;
            case op_fallthrough:
                break;
            case op_ecalli: {
                spill();
                mov(ptr[r14 + offsetof(Ctx, gas)], r13);
                mov(rdi, r14);
                mov(esi, i);
                call_out(reinterpret_cast<const void*>(&rt_ecalli));
                reload();
                mov(r13, ptr[r14 + offsetof(Ctx, gas)]);
                Label cont;
                cmp(eax, kContinue);
                je(cont);
                mov(edx, i);
                jmp(exit_nospill_, T_NEAR);
                L(cont);
                break;
            }
            case op_load_imm_64:
            case op_load_imm: putimm(A, X); break;
            case op_store_imm_u8: store_imm(i, -1, X, Y, 1); break;
            case op_store_imm_u16: store_imm(i, -1, X, Y, 2); break;
            case op_store_imm_u32: store_imm(i, -1, X, Y, 4); break;
            case op_store_imm_u64: store_imm(i, -1, X, Y, 8); break;
            case op_jump: jmp(target_label(i, in.target), T_NEAR); break;
            case op_jump_ind:
                addr(int(A), X);
                djump(i);
                break;
            case op_load_u8: load(i, A, -1, X, 1, false); break;
            case op_load_i8: load(i, A, -1, X, 1, true); break;
            case op_load_u16: load(i, A, -1, X, 2, false); break;
            case op_load_i16: load(i, A, -1, X, 2, true); break;
            case op_load_u32: load(i, A, -1, X, 4, false); break;
            case op_load_i32: load(i, A, -1, X, 4, true); break;
            case op_load_u64: load(i, A, -1, X, 8, false); break;
            case op_store_u8: store_reg(i, A, -1, X, 1); break;
            case op_store_u16: store_reg(i, A, -1, X, 2); break;
            case op_store_u32: store_reg(i, A, -1, X, 4); break;
            case op_store_u64: store_reg(i, A, -1, X, 8); break;
            case op_store_imm_ind_u8: store_imm(i, int(A), X, Y, 1); break;
            case op_store_imm_ind_u16: store_imm(i, int(A), X, Y, 2); break;
            case op_store_imm_ind_u32: store_imm(i, int(A), X, Y, 4); break;
            case op_store_imm_ind_u64: store_imm(i, int(A), X, Y, 8); break;
            case op_load_imm_jump:
                putimm(A, X);
                jmp(target_label(i, in.target), T_NEAR);
                break;
            case op_branch_eq_imm: cmp_imm(A, X); branch(i, in, &Gen::je_); break;
            case op_branch_ne_imm: cmp_imm(A, X); branch(i, in, &Gen::jne_); break;
            case op_branch_lt_u_imm: cmp_imm(A, X); branch(i, in, &Gen::jb_); break;
            case op_branch_le_u_imm: cmp_imm(A, X); branch(i, in, &Gen::jbe_); break;
            case op_branch_ge_u_imm: cmp_imm(A, X); branch(i, in, &Gen::jae_); break;
            case op_branch_gt_u_imm: cmp_imm(A, X); branch(i, in, &Gen::ja_); break;
            case op_branch_lt_s_imm: cmp_imm(A, X); branch(i, in, &Gen::jl_); break;
            case op_branch_le_s_imm: cmp_imm(A, X); branch(i, in, &Gen::jle_); break;
            case op_branch_ge_s_imm: cmp_imm(A, X); branch(i, in, &Gen::jge_); break;
            case op_branch_gt_s_imm: cmp_imm(A, X); branch(i, in, &Gen::jg_); break;
            case op_move_reg: ld(rax, A); put(D, rax); break;
            case op_sbrk:
                spill();
                mov(rdi, r14);
                mov(rsi, ptr[r14 + off(A)]);
                call_out(reinterpret_cast<const void*>(&rt_sbrk));
                reload();
                put(D, rax);
                break;
            case op_count_set_bits_64: ld(rax, A); popcnt(rax, rax); put(D, rax); break;
            case op_count_set_bits_32: ld(rax, A); popcnt(eax, eax); put(D, rax); break;
            case op_leading_zero_bits_64:
                ld(rax, A); mov(edx, 127); bsr(rax, rax); cmovz(eax, edx); xor_(eax, 63); put(D, rax);
                break;
            case op_leading_zero_bits_32:
                ld(rax, A); mov(edx, 63); bsr(eax, eax); cmovz(eax, edx); xor_(eax, 31); put(D, rax);
                break;
            case op_trailing_zero_bits_64:
                ld(rax, A); mov(edx, 64); bsf(rax, rax); cmovz(eax, edx); put(D, rax);
                break;
            case op_trailing_zero_bits_32:
                ld(rax, A); mov(edx, 32); bsf(eax, eax); cmovz(eax, edx); put(D, rax);
                break;
            case op_sign_extend_8: ld(rax, A); movsx(rax, al); put(D, rax); break;
            case op_sign_extend_16: ld(rax, A); movsx(rax, ax); put(D, rax); break;
            case op_zero_extend_16: ld(rax, A); movzx(eax, ax); put(D, rax); break;
            case op_reverse_bytes: ld(rax, A); bswap(rax); put(D, rax); break;
            case op_store_ind_u8: store_reg(i, A, int(B), X, 1); break;
            case op_store_ind_u16: store_reg(i, A, int(B), X, 2); break;
            case op_store_ind_u32: store_reg(i, A, int(B), X, 4); break;
            case op_store_ind_u64: store_reg(i, A, int(B), X, 8); break;
            case op_load_ind_u8: load(i, A, int(B), X, 1, false); break;
            case op_load_ind_i8: load(i, A, int(B), X, 1, true); break;
            case op_load_ind_u16: load(i, A, int(B), X, 2, false); break;
            case op_load_ind_i16: load(i, A, int(B), X, 2, true); break;
            case op_load_ind_u32: load(i, A, int(B), X, 4, false); break;
            case op_load_ind_i32: load(i, A, int(B), X, 4, true); break;
            case op_load_ind_u64: load(i, A, int(B), X, 8, false); break;
            case op_add_imm_32: ld(rax, B); add(eax, X32); movsxd(rax, eax); put(A, rax); break;
            case op_and_imm: ld(rax, B); alu_imm(X, [&](const Reg64& r, auto v) { and_(r, v); }); put(A, rax); break;
            case op_xor_imm: ld(rax, B); alu_imm(X, [&](const Reg64& r, auto v) { xor_(r, v); }); put(A, rax); break;
            case op_or_imm: ld(rax, B); alu_imm(X, [&](const Reg64& r, auto v) { or_(r, v); }); put(A, rax); break;
            case op_mul_imm_32: ld(rax, B); imul(eax, eax, int32_t(X32)); movsxd(rax, eax); put(A, rax); break;
            case op_set_lt_u_imm: cmp_imm(B, X); setb(al); movzx(eax, al); put(A, rax); break;
            case op_set_lt_s_imm: cmp_imm(B, X); setl(al); movzx(eax, al); put(A, rax); break;
            case op_set_gt_u_imm: cmp_imm(B, X); seta(al); movzx(eax, al); put(A, rax); break;
            case op_set_gt_s_imm: cmp_imm(B, X); setg(al); movzx(eax, al); put(A, rax); break;
            case op_shlo_l_imm_32: ld(rax, B); shl(eax, uint8_t(X & 31)); movsxd(rax, eax); put(A, rax); break;
            case op_shlo_r_imm_32: ld(rax, B); shr(eax, uint8_t(X & 31)); movsxd(rax, eax); put(A, rax); break;
            case op_shar_r_imm_32: ld(rax, B); sar(eax, uint8_t(X & 31)); movsxd(rax, eax); put(A, rax); break;
            case op_neg_add_imm_32: ld(rdx, B); mov(eax, X32); sub(eax, edx); movsxd(rax, eax); put(A, rax); break;
            case op_shlo_l_imm_alt_32: ld(rcx, B); mov(eax, X32); shl(eax, cl); movsxd(rax, eax); put(A, rax); break;
            case op_shlo_r_imm_alt_32: ld(rcx, B); mov(eax, X32); shr(eax, cl); movsxd(rax, eax); put(A, rax); break;
            case op_shar_r_imm_alt_32: ld(rcx, B); mov(eax, X32); sar(eax, cl); movsxd(rax, eax); put(A, rax); break;
            case op_cmov_iz_imm:
            case op_cmov_nz_imm:
                ld(rax, A); ldimm(rdx, X); ld(rcx, B); test(rcx, rcx);
                if (in.op == op_cmov_iz_imm) cmovz(rax, rdx); else cmovnz(rax, rdx);
                put(A, rax);
                break;
            case op_add_imm_64: ld(rax, B); alu_imm(X, [&](const Reg64& r, auto v) { add(r, v); }); put(A, rax); break;
            case op_mul_imm_64:
                ld(rax, B);
                if (fits32(X)) imul(rax, rax, int32_t(X));
                else { mov(rdx, X); imul(rax, rdx); }
                put(A, rax);
                break;
            case op_shlo_l_imm_64: ld(rax, B); shl(rax, uint8_t(X & 63)); put(A, rax); break;
            case op_shlo_r_imm_64: ld(rax, B); shr(rax, uint8_t(X & 63)); put(A, rax); break;
            case op_shar_r_imm_64: ld(rax, B); sar(rax, uint8_t(X & 63)); put(A, rax); break;
            case op_neg_add_imm_64: ld(rdx, B); ldimm(rax, X); sub(rax, rdx); put(A, rax); break;
            case op_shlo_l_imm_alt_64: ld(rcx, B); ldimm(rax, X); shl(rax, cl); put(A, rax); break;
            case op_shlo_r_imm_alt_64: ld(rcx, B); ldimm(rax, X); shr(rax, cl); put(A, rax); break;
            case op_shar_r_imm_alt_64: ld(rcx, B); ldimm(rax, X); sar(rax, cl); put(A, rax); break;
            case op_rot_r_64_imm: ld(rax, B); ror(rax, uint8_t(X & 63)); put(A, rax); break;
            case op_rot_r_64_imm_alt: ld(rcx, B); ldimm(rax, X); ror(rax, cl); put(A, rax); break;
            case op_rot_r_32_imm: ld(rax, B); ror(eax, uint8_t(X & 31)); movsxd(rax, eax); put(A, rax); break;
            case op_rot_r_32_imm_alt: ld(rcx, B); mov(eax, X32); ror(eax, cl); movsxd(rax, eax); put(A, rax); break;
            case op_branch_eq: cmp_reg(A, B); branch(i, in, &Gen::je_); break;
            case op_branch_ne: cmp_reg(A, B); branch(i, in, &Gen::jne_); break;
            case op_branch_lt_u: cmp_reg(A, B); branch(i, in, &Gen::jb_); break;
            case op_branch_lt_s: cmp_reg(A, B); branch(i, in, &Gen::jl_); break;
            case op_branch_ge_u: cmp_reg(A, B); branch(i, in, &Gen::jae_); break;
            case op_branch_ge_s: cmp_reg(A, B); branch(i, in, &Gen::jge_); break;
            case op_load_imm_jump_ind:
                ld(rax, B);
                if (uint32_t(Y)) add(eax, uint32_t(Y));
                else mov(eax, eax);
                putimm(A, X);
                djump(i);
                break;
            case op_add_32: ld(rax, A); ld(rdx, B); add(eax, edx); movsxd(rax, eax); put(D, rax); break;
            case op_sub_32: ld(rax, A); ld(rdx, B); sub(eax, edx); movsxd(rax, eax); put(D, rax); break;
            case op_mul_32: ld(rax, A); ld(rdx, B); imul(eax, edx); movsxd(rax, eax); put(D, rax); break;
            case op_div_u_32:
            case op_div_s_32:
            case op_rem_u_32:
            case op_rem_s_32:
                div32(in.op, A, B, D);
                break;
            case op_div_u_64:
            case op_div_s_64:
            case op_rem_u_64:
            case op_rem_s_64:
                div64(in.op, A, B, D);
                break;
            case op_shlo_l_32: ld(rcx, B); ld(rax, A); shl(eax, cl); movsxd(rax, eax); put(D, rax); break;
            case op_shlo_r_32: ld(rcx, B); ld(rax, A); shr(eax, cl); movsxd(rax, eax); put(D, rax); break;
            case op_shar_r_32: ld(rcx, B); ld(rax, A); sar(eax, cl); movsxd(rax, eax); put(D, rax); break;
            case op_add_64: ld(rax, A); ld(rdx, B); add(rax, rdx); put(D, rax); break;
            case op_sub_64: ld(rax, A); ld(rdx, B); sub(rax, rdx); put(D, rax); break;
            case op_mul_64: ld(rax, A); ld(rdx, B); imul(rax, rdx); put(D, rax); break;
            case op_shlo_l_64: ld(rcx, B); ld(rax, A); shl(rax, cl); put(D, rax); break;
            case op_shlo_r_64: ld(rcx, B); ld(rax, A); shr(rax, cl); put(D, rax); break;
            case op_shar_r_64: ld(rcx, B); ld(rax, A); sar(rax, cl); put(D, rax); break;
            case op_and_: ld(rax, A); ld(rdx, B); and_(rax, rdx); put(D, rax); break;
            case op_xor_: ld(rax, A); ld(rdx, B); xor_(rax, rdx); put(D, rax); break;
            case op_or_: ld(rax, A); ld(rdx, B); or_(rax, rdx); put(D, rax); break;
            case op_mul_upper_s_s: ld(rax, A); ld(rcx, B); imul(rcx); put(D, rdx); break;
            case op_mul_upper_u_u: ld(rax, A); ld(rcx, B); mul(rcx); put(D, rdx); break;
            case op_mul_upper_s_u:
                ld(rax, A); ld(rcx, B); mul(rcx);
                ld(rax, A); sar(rax, 63); and_(rax, rcx); sub(rdx, rax);
                put(D, rdx);
                break;
            case op_set_lt_u: cmp_reg(A, B); setb(al); movzx(eax, al); put(D, rax); break;
            case op_set_lt_s: cmp_reg(A, B); setl(al); movzx(eax, al); put(D, rax); break;
            case op_cmov_iz:
            case op_cmov_nz:
                ld(rax, D); ld(rdx, A); ld(rcx, B); test(rcx, rcx);
                if (in.op == op_cmov_iz) cmovz(rax, rdx); else cmovnz(rax, rdx);
                put(D, rax);
                break;
            case op_rot_l_64: ld(rcx, B); ld(rax, A); rol(rax, cl); put(D, rax); break;
            case op_rot_l_32: ld(rcx, B); ld(rax, A); rol(eax, cl); movsxd(rax, eax); put(D, rax); break;
            case op_rot_r_64: ld(rcx, B); ld(rax, A); ror(rax, cl); put(D, rax); break;
            case op_rot_r_32: ld(rcx, B); ld(rax, A); ror(eax, cl); movsxd(rax, eax); put(D, rax); break;
            case op_and_inv: ld(rax, A); ld(rdx, B); not_(rdx); and_(rax, rdx); put(D, rax); break;
            case op_or_inv: ld(rax, A); ld(rdx, B); not_(rdx); or_(rax, rdx); put(D, rax); break;
            case op_xnor: ld(rax, A); ld(rdx, B); xor_(rax, rdx); not_(rax); put(D, rax); break;
            case op_max: ld(rax, A); ld(rdx, B); cmp(rax, rdx); cmovl(rax, rdx); put(D, rax); break;
            case op_max_u: ld(rax, A); ld(rdx, B); cmp(rax, rdx); cmovb(rax, rdx); put(D, rax); break;
            case op_min: ld(rax, A); ld(rdx, B); cmp(rax, rdx); cmovg(rax, rdx); put(D, rax); break;
            case op_min_u: ld(rax, A); ld(rdx, B); cmp(rax, rdx); cmova(rax, rdx); put(D, rax); break;
            default:
                mov(edx, i);
                jmp(exit_panic_, T_NEAR);
                break;
        }
    }

    // GP A.5.13 division edge cases: x/0 = ~0, x%0 = x, MIN/-1 = MIN, MIN%-1 = 0.
    void div32(uint8_t op, unsigned A, unsigned B, unsigned D) {
        const bool is_signed = op == op_div_s_32 || op == op_rem_s_32;
        const bool is_rem = op == op_rem_u_32 || op == op_rem_s_32;
        Label zero, neg1, done;
        ld(rax, A);
        ld(rcx, B);
        test(ecx, ecx);
        jz(zero);
        if (is_signed) {
            cmp(ecx, -1);
            je(neg1);
            cdq();
            idiv(ecx);
        } else {
            xor_(edx, edx);
            div(ecx);
        }
        movsxd(rax, is_rem ? edx : eax);
        jmp(done);
        L(zero);
        if (is_rem) movsxd(rax, eax);
        else mov(rax, -1);
        if (is_signed) {
            jmp(done);
            L(neg1);
            if (is_rem) {
                xor_(eax, eax);
            } else {
                neg(eax);
                movsxd(rax, eax);
            }
        }
        L(done);
        put(D, rax);
    }
    void div64(uint8_t op, unsigned A, unsigned B, unsigned D) {
        const bool is_signed = op == op_div_s_64 || op == op_rem_s_64;
        const bool is_rem = op == op_rem_u_64 || op == op_rem_s_64;
        Label zero, neg1, done;
        ld(rax, A);
        ld(rcx, B);
        test(rcx, rcx);
        jz(zero);
        if (is_signed) {
            cmp(rcx, -1);
            je(neg1);
            cqo();
            idiv(rcx);
        } else {
            xor_(edx, edx);
            div(rcx);
        }
        if (is_rem) mov(rax, rdx);
        jmp(done);
        L(zero);
        if (!is_rem) mov(rax, -1);
        if (is_signed) {
            jmp(done);
            L(neg1);
            if (is_rem) xor_(eax, eax);
            else neg(rax);
        }
        L(done);
        put(D, rax);
    }

    // Member-function adaptors for conditional jumps (xbyak's jcc are overloaded).
    void je_(const Label& l, LabelType t) { je(l, t); }
    void jne_(const Label& l, LabelType t) { jne(l, t); }
    void jb_(const Label& l, LabelType t) { jb(l, t); }
    void jbe_(const Label& l, LabelType t) { jbe(l, t); }
    void jae_(const Label& l, LabelType t) { jae(l, t); }
    void ja_(const Label& l, LabelType t) { ja(l, t); }
    void jl_(const Label& l, LabelType t) { jl(l, t); }
    void jle_(const Label& l, LabelType t) { jle(l, t); }
    void jge_(const Label& l, LabelType t) { jge(l, t); }
    void jg_(const Label& l, LabelType t) { jg(l, t); }
};

class Recompiler final : public Executor {
public:
    bool prepare(VmState& st, std::string& error) override {
        if (!__builtin_cpu_supports("popcnt")) {
            error = "the recompiler needs a CPU with POPCNT";
            return false;
        }
        try {
            gen_ = std::make_unique<Gen>(st.program, st.memory.perm_table());
            gen_->generate();
            addr_ = gen_->addresses();
            entry_ = reinterpret_cast<uint32_t (*)(Ctx*, const void*)>(const_cast<uint8_t*>(gen_->entry_address()));
            code_size_ = gen_->getSize();
        } catch (const std::exception& e) {
            error = std::string("recompilation failed: ") + e.what();
            return false;
        }
        return true;
    }

    pvm_status run(pvm_vm* vm, VmState& st) override {
        if (st.step) return interp_->run(vm, st);  // same state; step on the interpreter
        uint32_t index = 0;
        pvm_status status = PVM_PANIC;
        if (!entry_point(st, index, status)) return status;
        Ctx c;
        std::memcpy(c.regs, st.regs, sizeof c.regs);
        c.gas = st.gas;
        c.base = st.memory.host(0);
        c.exit_index = 0;
        c.fault = 0;
        c.tmp = 0;
        c.st = &st;
        c.vm = vm;
        status = static_cast<pvm_status>(entry_(&c, addr_[index]));
        std::memcpy(st.regs, c.regs, sizeof st.regs);
        st.gas = c.gas;
        st.pc = st.program.insns[c.exit_index].pc;
        if (status == PVM_PAGE_FAULT) {
            st.fault_addr = c.fault;
            st.resume_valid = true;
            st.resume_index = c.exit_index;
        } else if (status == PVM_HOST_CALL) {
            st.resume_valid = true;
            st.resume_index = c.exit_index + 1;
        }
        return status;
    }

    size_t code_size() const override { return code_size_; }

private:
    std::unique_ptr<Executor> interp_ = make_interpreter();
    std::unique_ptr<Gen> gen_;
    std::vector<const uint8_t*> addr_;
    uint32_t (*entry_)(Ctx*, const void*) = nullptr;
    size_t code_size_ = 0;
};

}  // namespace

bool recompiler_available() { return true; }
std::unique_ptr<Executor> make_recompiler() { return std::make_unique<Recompiler>(); }

}  // namespace pvm

#else  // not x86-64, or no xbyak

namespace pvm {
bool recompiler_available() { return false; }
std::unique_ptr<Executor> make_recompiler() { return nullptr; }
}  // namespace pvm

#endif
