// The x86-64 recompiler backend.
//
// Compilation is one pass over the pre-decoded program (Program::insns, the form the interpreter
// runs), emitting machine code straight into one buffer (x86_emitter.h). The only tables are a
// fixed pc -> code-offset table (one uint32 per entry of Program::insns; any entry can be a run's
// start: block start, resume point after a host call or page fault, mid-block after set_pc) and
// a table of code addresses per jump-table entry. A forward branch is emitted with a 32-bit
// displacement that is patched when its target is emitted: until then the pending branches to a
// target form a chain threaded through their own displacement fields, headed by the target's
// code-offset entry, so no per-block or per-branch heap structure exists. Out-of-line stubs
// (out of gas, invalid branch targets, checked-memory slow paths) are emitted after the code
// from a flat list of fixups.
//
// Host register assignment while guest code runs:
//   r15 = anchor (guest base; the context and the page table sit at fixed negative offsets)
//   r14 = gas                 rax, rcx = scratch
//   PVM r1..r11 in rbx, rsi, rdi, r8, r9, r10, r11, r12, r13, rbp, rdx; r0 and r12 in the
//   context. Around every call out (host call, sbrk, slow memory path) the host registers are
//   written to the context and reloaded afterwards.
//
// Memory models (memory.h):
//   guard: a guest access is `[r15 + rax]` (rax = 32-bit guest address) or `[r15 + disp32]`
//     (constant address below 2^31): one host instruction. A forbidden access raises SIGSEGV;
//     resolve_fault() finds the guest instruction from the faulting host address (binary search
//     in the code-offset table), recomputes the guest address from the saved registers, asks
//     Memory::check for panic or page fault and the fault address, and resumes the thread at the
//     exit routine. Nothing of the faulting instruction has happened (x86 faults are precise and
//     every guest instruction writes its destination after its access).
//   checked: each access looks its page up in the page table (right, same page); anything else
//     goes out of line to rt_access, which does the full check and the (page-straddling) access.
//
// Gas: `sub r14, cost; jl stub` at every block entry; the stub exits out of gas and run() adds
// the cost back, so gas, pc and registers are the interpreter's. Step tracing runs on the
// interpreter over the same VmState.
#include "recompiler.h"

#if defined(__x86_64__) && defined(__linux__)

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <vector>

#include "opcodes.h"
#include "signals.h"
#include "x86_emitter.h"

namespace pvm {

namespace {

using namespace x86;

constexpr uint32_t kContinue = 0xFF;  // helper result: keep running
constexpr uint32_t kUnset = 0xFFFFFFFFu;

// The run context, placed so that it ends at the anchor (regs and gas within disp8 of r15).
struct Ctx {
    VmState* st;
    pvm_vm* vm;
    const uint8_t* const* jtab;  // code address per jump-table entry
    const uint8_t* entry_code;   // where a run starts, and rax / rcx there (base-register cache)
    uint64_t entry_rax;
    uint64_t entry_rcx;
    uint64_t instructions;  // VmState::instructions while running (counting modules)
    uint32_t exit_index;
    uint32_t fault;
    uint32_t djump_index;
    uint32_t acc_status;  // checked slow path: 0 or the exit status
    uint32_t acc_index;
    uint32_t pad;
    int64_t gas;
    uint64_t regs[PVM_NUM_REGS];
};
static_assert(sizeof(Ctx) % 8 == 0 && sizeof(Ctx) <= kPageSize, "Ctx fits the context page");

constexpr int32_t ctx_off(size_t field) { return int32_t(field) - int32_t(sizeof(Ctx)); }
#define CTX(field) ctx_off(offsetof(Ctx, field))
inline Ctx* ctx_of(const Memory& m) { return reinterpret_cast<Ctx*>(m.anchor() - sizeof(Ctx)); }

constexpr Reg kHost[PVM_NUM_REGS] = {NOREG, RBX, RSI, RDI, R8, R9, R10, R11, R12, R13, RBP, RDX, NOREG};
constexpr unsigned kRdxGuest = 11;  // the PVM register living in rdx (mul/div need rdx)
constexpr int32_t slot(unsigned r) { return CTX(regs) + int32_t(8 * r); }
constexpr int32_t kPageTableDisp = -int32_t(kPageTableToAnchor);

// Guest memory accesses: size, right, base register (0 none, 1 = rA, 2 = rB), sign extension,
// load or store and where the stored value is (rA or the second immediate).
struct AccessInfo {
    uint8_t n = 0;  // 0: not an access
    uint8_t need = 0;
    uint8_t base = 0;
    bool sign = false;
    bool store = false;
    bool value_imm = false;
};
AccessInfo access_info_of(uint8_t op) {
    AccessInfo a;
    auto set = [&](unsigned n, uint8_t need, uint8_t base, bool sign, bool store, bool vimm) {
        a.n = uint8_t(n);
        a.need = need;
        a.base = base;
        a.sign = sign;
        a.store = store;
        a.value_imm = vimm;
    };
    switch (op) {
        case op_load_u8: set(1, kRead, 0, false, false, false); break;
        case op_load_i8: set(1, kRead, 0, true, false, false); break;
        case op_load_u16: set(2, kRead, 0, false, false, false); break;
        case op_load_i16: set(2, kRead, 0, true, false, false); break;
        case op_load_u32: set(4, kRead, 0, false, false, false); break;
        case op_load_i32: set(4, kRead, 0, true, false, false); break;
        case op_load_u64: set(8, kRead, 0, false, false, false); break;
        case op_store_u8: set(1, kWrite, 0, false, true, false); break;
        case op_store_u16: set(2, kWrite, 0, false, true, false); break;
        case op_store_u32: set(4, kWrite, 0, false, true, false); break;
        case op_store_u64: set(8, kWrite, 0, false, true, false); break;
        case op_store_imm_u8: set(1, kWrite, 0, false, true, true); break;
        case op_store_imm_u16: set(2, kWrite, 0, false, true, true); break;
        case op_store_imm_u32: set(4, kWrite, 0, false, true, true); break;
        case op_store_imm_u64: set(8, kWrite, 0, false, true, true); break;
        case op_store_imm_ind_u8: set(1, kWrite, 1, false, true, true); break;
        case op_store_imm_ind_u16: set(2, kWrite, 1, false, true, true); break;
        case op_store_imm_ind_u32: set(4, kWrite, 1, false, true, true); break;
        case op_store_imm_ind_u64: set(8, kWrite, 1, false, true, true); break;
        case op_store_ind_u8: set(1, kWrite, 2, false, true, false); break;
        case op_store_ind_u16: set(2, kWrite, 2, false, true, false); break;
        case op_store_ind_u32: set(4, kWrite, 2, false, true, false); break;
        case op_store_ind_u64: set(8, kWrite, 2, false, true, false); break;
        case op_load_ind_u8: set(1, kRead, 2, false, false, false); break;
        case op_load_ind_i8: set(1, kRead, 2, true, false, false); break;
        case op_load_ind_u16: set(2, kRead, 2, false, false, false); break;
        case op_load_ind_i16: set(2, kRead, 2, true, false, false); break;
        case op_load_ind_u32: set(4, kRead, 2, false, false, false); break;
        case op_load_ind_i32: set(4, kRead, 2, true, false, false); break;
        case op_load_ind_u64: set(8, kRead, 2, false, false, false); break;
        default: break;
    }
    return a;
}
// One table lookup (the compiler asks for every instruction).
struct AccessTable {
    AccessInfo t[op_count];
    AccessTable() {
        for (unsigned op = 0; op < op_count; ++op) t[op] = access_info_of(uint8_t(op));
    }
};
const AccessTable kAccessTable;
inline const AccessInfo& access_info(uint8_t op) { return kAccessTable.t[op < op_count ? op : uint8_t(op_invalid)]; }

inline uint32_t access_address(const Insn& in, const AccessInfo& a, const uint64_t* regs) {
    const uint64_t base = a.base == 1 ? regs[in.a] : a.base == 2 ? regs[in.b] : 0;
    return uint32_t(base + in.imm);
}

// ---- Helpers called from generated code (SysV ABI); none lets an exception out ----

uint32_t rt_ecalli(Ctx* c, uint32_t index) {
    VmState& st = *c->st;
    const Insn& in = st.program().insns[index];
    st.host_index = uint32_t(in.imm);
    st.pc = in.pc;
    if (!st.host_fn) return PVM_HOST_CALL;  // run() records the resume point
    std::memcpy(st.regs, c->regs, sizeof st.regs);
    st.gas = c->gas;
    st.instructions = c->instructions;
    pvm_host_result res;
    try {
        res = st.host_fn(c->vm, st.host_index, st.host_user);
    } catch (...) {
        res = PVM_HOST_ERROR;
    }
    std::memcpy(c->regs, st.regs, sizeof st.regs);
    c->gas = st.gas;
    c->instructions = st.instructions;
    if (res == PVM_HOST_TERMINATE) return PVM_HALT;
    if (res != PVM_HOST_CONTINUE) return PVM_PANIC;
    if (c->gas < 0) return PVM_OUT_OF_GAS;
    return kContinue;
}

uint64_t rt_sbrk(Ctx* c, uint64_t n) { return sbrk(*c->st, n); }

// Checked model, slow path: the full check and the access (possibly straddling two pages).
// Returns the loaded value; on failure sets acc_status (and fault, acc_index).
uint64_t rt_access(Ctx* c, uint32_t index, uint32_t addr) {
    VmState& st = *c->st;
    const Insn& in = st.program().insns[index];
    const AccessInfo a = access_info(in.op);
    uint32_t page = 0;
    const Access acc = st.memory.check(addr, a.n, a.need, page);
    if (acc != Access::Ok) {
        c->acc_status = acc == Access::Panic ? PVM_PANIC : PVM_PAGE_FAULT;
        c->fault = page;
        c->acc_index = index;
        return 0;
    }
    c->acc_status = 0;
    bool ok;
    uint64_t v = 0;
    if (a.store) {
        v = a.value_imm ? in.imm2 : c->regs[in.a];
        ok = st.memory.write(addr, &v, a.n, false, &page);
        v = 0;
    } else {
        ok = st.memory.read(addr, &v, a.n, &page);
    }
    if (!ok) {  // a memory callback refused: a page fault there
        c->acc_status = PVM_PAGE_FAULT;
        c->fault = page;
        c->acc_index = index;
        return 0;
    }
    if (!a.store && a.sign) {
        const unsigned shift = 64 - 8 * a.n;
        v = uint64_t(int64_t(v << shift) >> shift);
    }
    return v;
}

enum class Fix : uint8_t { OutOfGas, Panic, Exit, Access };
struct Fixup {
    uint32_t pos;    // rel32 field to patch
    uint32_t index;  // instruction
    uint32_t back;   // Access: where the slow path continues
    Fix kind;
};

// ---- The translation of a module ----

class Code final : public ModuleCode {
public:
    Emitter em;
    std::vector<uint32_t> off;             // per Program::insns entry: code offset
    std::vector<uint8_t> cached;           // per entry: guest registers in rax / rcx there (+1, 0: none)
    std::vector<const uint8_t*> jtab;      // per jump-table entry
    size_t entry = 0, exit = 0, exit_fault = 0;
    MemoryModel model = MemoryModel::Checked;

    size_t host_bytes() const override {
        return em.size() + off.capacity() * sizeof(uint32_t) + cached.capacity() + jtab.capacity() * sizeof(void*);
    }
    size_t code_bytes() const override { return em.size(); }
    const uint8_t* at(size_t o) const { return em.begin() + o; }
};

class Compiler {
public:
    Compiler(const Program& p, Code& c) : p_(p), c_(c), e_(c.em) {}

    bool compile(std::string& error) {
        const auto& insns = p_.insns;
        c_.off.assign(insns.size(), kUnset);
        c_.cached.assign(insns.size(), 0);
        // ~10 bytes of code and stubs per entry on compiled code (grown if needed).
        if (!e_.init(4096 + insns.size() * 12) || !e_.reserve(1024)) return oom(error);
        fixups_.reserve(insns.size() / 4 + 16);
        routines();
        for (uint32_t i = 0; i < insns.size(); ++i) {
            if (!e_.reserve(512)) return oom(error);
            bind(i);
            if (insns[i].op == op_gas) forget_all();  // a block start: reached by jumps
            c_.cached[i] = uint8_t((cache_[1] + 1) << 4 | (cache_[0] + 1));
            insn(i, insns[i]);
            after(insns[i]);
        }
        for (const Fixup& f : fixups_) {
            if (!e_.reserve(512)) return oom(error);
            stub(f);
        }
        if (!e_.finish()) return oom(error);
        c_.jtab.resize(p_.jump_index.size());
        for (size_t j = 0; j < c_.jtab.size(); ++j) {
            const uint32_t t = p_.jump_index[j];
            c_.jtab[j] = c_.at(t == kNoTarget ? djump_bad_ : c_.off[t]);
        }
        return true;
    }

private:
    static bool oom(std::string& error) {
        error = "recompilation failed: out of memory for the code buffer";
        return false;
    }
    bool guard() const { return c_.model == MemoryModel::Guard; }
    static Mem slotm(unsigned r) { return mem(R15, slot(r)); }

    // Binds instruction i here, patching the chain of branches waiting for it.
    void bind(uint32_t i) {
        uint32_t at = c_.off[i];
        const size_t here = e_.size();
        while (at != kUnset) {
            const uint32_t next = e_.get32(at);
            e_.patch32(at, here);
            at = next;
        }
        c_.off[i] = uint32_t(here);
    }
    // Jump (cond, or unconditional when always) to the op_gas entry `target` of a block.
    void branch(uint32_t i, uint32_t target, Cond c, bool always = false) {
        if (target == kNoTarget) {
            fixups_.push_back({uint32_t(always ? e_.jmp32() : e_.jcc32(c)), i, 0, Fix::Panic});
        } else if (target <= i) {
            always ? e_.jmp_to(c_.off[target]) : e_.jcc_to(c, c_.off[target]);
        } else {
            const size_t at = always ? e_.jmp32() : e_.jcc32(c);
            e_.put32(at, c_.off[target]);  // link into the target's chain
            c_.off[target] = uint32_t(at);
        }
    }
    void fix(size_t pos, uint32_t i, Fix kind, size_t back = 0) {
        fixups_.push_back({uint32_t(pos), i, uint32_t(back), kind});
    }

    // ---- shared routines (emitted first, so every reference to them is backward) ----
    void routines() {
        // entry(anchor = rdi): callee-saved registers, guest state, rax/rcx, jump to entry_code.
        c_.entry = e_.size();
        for (Reg r : {RBX, RBP, R12, R13, R14, R15}) e_.push(r);
        e_.alu_imm(8, SUB, RSP, 8);  // 16-byte alignment for calls out
        e_.mov(R15, RDI);
        e_.load(8, R14, mem(R15, CTX(gas)));
        reload();
        e_.load(8, RAX, mem(R15, CTX(entry_rax)));
        e_.load(8, RCX, mem(R15, CTX(entry_rcx)));
        e_.jmp(mem(R15, CTX(entry_code)));
        // Exits: eax = status, ecx = instruction index.
        exit_oog_ = e_.size();
        e_.mov_imm(RAX, PVM_OUT_OF_GAS);
        const size_t j1 = e_.jmp8();
        exit_panic_ = e_.size();
        e_.mov_imm(RAX, PVM_PANIC);
        const size_t j2 = e_.jmp8();
        exit_halt_ = e_.size();
        e_.mov_imm(RAX, PVM_HALT);
        e_.bind8(j1);
        e_.bind8(j2);
        c_.exit = e_.size();
        c_.exit_fault = c_.exit;
        spill();
        e_.store(8, mem(R15, CTX(gas)), R14);
        e_.store(4, mem(R15, CTX(exit_index)), RCX);
        e_.alu_imm(8, ADD, RSP, 8);
        for (Reg r : {R15, R14, R13, R12, RBP, RBX}) e_.pop(r);
        e_.ret();
        // Dynamic jump: eax = address, ecx = index. Valid addresses are (k + 1) * 2 for a
        // jump-table entry k: rotating right by one and subtracting one maps them to k and
        // every other address (0, odd) to >= 2^31, so one unsigned compare checks all.
        djump_ = e_.size();
        e_.alu_imm(4, CMP, RAX, int32_t(PVM_HALT_ADDRESS));
        e_.jcc_to(E, exit_halt_);
        e_.shift_imm(4, ROR, RAX, 1);
        e_.alu_imm(4, SUB, RAX, 1);
        e_.alu_imm(4, CMP, RAX, int32_t(p_.jump_index.size()));
        e_.jcc_to(AE, exit_panic_);
        e_.store(4, mem(R15, CTX(djump_index)), RCX);
        e_.load(8, RCX, mem(R15, CTX(jtab)));
        e_.jmp(mem(RCX, RAX, 3));
        djump_bad_ = e_.size();  // a jump-table entry that is no block start
        e_.load(4, RCX, mem(R15, CTX(djump_index)));
        e_.jmp_to(exit_panic_);
        // Checked model: a failed slow path (host registers reloaded): status in acc_status.
        acc_fail_ = e_.size();
        e_.load(4, RAX, mem(R15, CTX(acc_status)));
        e_.load(4, RCX, mem(R15, CTX(acc_index)));
        e_.jmp_to(c_.exit);
    }

    void stub(const Fixup& f) {
        e_.patch32(f.pos, e_.size());
        switch (f.kind) {
            case Fix::OutOfGas:
                e_.mov_imm(RCX, f.index);
                e_.jmp_to(exit_oog_);
                break;
            case Fix::Panic:
                e_.mov_imm(RCX, f.index);
                e_.jmp_to(exit_panic_);
                break;
            case Fix::Exit:
                e_.mov_imm(RCX, f.index);
                e_.jmp_to(c_.exit);
                break;
            case Fix::Access: {
                // eax = guest address.
                spill();
                e_.lea(8, RDI, mem(R15, -int32_t(sizeof(Ctx))));
                e_.mov_imm(RSI, f.index);
                e_.mov(RDX, RAX, 4);
                call_out(reinterpret_cast<const void*>(&rt_access));
                reload();
                e_.alu_imm(4, CMP, mem(R15, CTX(acc_status)), 0);
                e_.jcc_to(NE, acc_fail_);
                e_.jmp_to(f.back);
                break;
            }
        }
    }

    void spill() {
        for (unsigned r = 0; r < PVM_NUM_REGS; ++r)
            if (kHost[r] != NOREG) e_.store(8, slotm(r), kHost[r]);
    }
    void reload() {
        for (unsigned r = 0; r < PVM_NUM_REGS; ++r)
            if (kHost[r] != NOREG) e_.load(8, kHost[r], slotm(r));
    }
    void call_out(const void* fn) {
        e_.mov_imm(RAX, reinterpret_cast<uint64_t>(fn));
        e_.call(RAX);
    }

    // ---- operands ----
    // op reg, guest register (sz-bit r/m form)
    void rop(unsigned sz, uint32_t opc, Reg reg, unsigned g) {
        if (kHost[g] != NOREG)
            e_.rr(sz, opc, reg, kHost[g]);
        else
            e_.rm(sz, opc, reg, slotm(g));
    }
    void get(Reg d, unsigned g) {  // d = guest register (64-bit)
        if (kHost[g] != d) rop(8, 0x8B, d, g);
    }
    void get32(Reg d, unsigned g) { rop(4, 0x8B, d, g); }  // d = low half, zero-extended
    void put(unsigned g, Reg s) {                          // guest register = s
        if (kHost[g] == NOREG)
            e_.store(8, slotm(g), s);
        else if (kHost[g] != s)
            e_.mov(kHost[g], s);
    }
    void put_sx32(unsigned g, Reg s) {  // guest register = sign-extended low half of s
        if (kHost[g] != NOREG) {
            e_.movsxd(kHost[g], s);
        } else {
            e_.movsxd(RAX, s);
            e_.store(8, slotm(g), RAX);
        }
    }
    void put_imm(unsigned g, uint64_t v) {
        if (kHost[g] != NOREG) {
            e_.mov_imm(kHost[g], v);
        } else if (int64_t(v) == int64_t(int32_t(v))) {
            e_.store_imm(8, slotm(g), uint32_t(v));
        } else {
            e_.mov_imm(RAX, v);
            e_.store(8, slotm(g), RAX);
        }
    }
    Reg work(unsigned g) const { return kHost[g] != NOREG ? kHost[g] : RAX; }
    // flags = rA - rB (64-bit); may use rcx.
    void cmp_regs(unsigned a, unsigned b) {
        if (kHost[a] != NOREG) {
            rop(8, 0x3B, kHost[a], b);
        } else if (kHost[b] != NOREG) {
            e_.alu_to_mem(8, CMP, slotm(a), kHost[b]);
        } else {
            e_.load(8, RCX, slotm(a));
            e_.alu(8, CMP, RCX, slotm(b));
        }
    }
    void cmp_imm(unsigned a, uint64_t x) {
        if (kHost[a] != NOREG)
            e_.alu_imm(8, CMP, kHost[a], int32_t(x));
        else
            e_.alu_imm(8, CMP, slotm(a), int32_t(x));
    }
    void test_zero(unsigned g) {  // ZF = (guest register == 0)
        if (kHost[g] != NOREG)
            e_.test(8, kHost[g], kHost[g]);
        else
            e_.alu_imm(8, CMP, slotm(g), 0);
    }

    // D = A op B, 64-bit, op in r/m-source form.
    void alu3(uint32_t opc, bool commutative, unsigned d, unsigned a, unsigned b) {
        const Reg D = kHost[d];
        if (D != NOREG) {
            if (d == a) return rop(8, opc, D, b);
            if (d == b && commutative) return rop(8, opc, D, a);
            if (d != b) {
                get(D, a);
                return rop(8, opc, D, b);
            }
        }
        get(RAX, a);
        rop(8, opc, RAX, b);
        put(d, RAX);
    }
    // D = sx32(A op B).
    void alu3_32(uint32_t opc, unsigned d, unsigned a, unsigned b) {
        get32(RAX, a);
        rop(4, opc, RAX, b);
        put_sx32(d, RAX);
    }
    // D = A shift (B mod width).
    void shift3(Shift op, bool is64, unsigned d, unsigned a, unsigned b) {
        get32(RCX, b);
        if (is64) {
            const Reg W = work(d);
            get(W, a);
            e_.shift_cl(8, op, W);
            put(d, W);
        } else {
            get32(RAX, a);
            e_.shift_cl(4, op, RAX);
            put_sx32(d, RAX);
        }
    }
    // A = B op imm (64-bit ALU).
    void alu_imm3(Alu op, unsigned a, unsigned b, uint64_t x) {
        const Reg W = work(a);
        get(W, b);
        e_.alu_imm(8, op, W, int32_t(x));
        put(a, W);
    }
    void shift_imm3(Shift op, bool is64, unsigned a, unsigned b, uint64_t x) {
        if (is64) {
            const Reg W = work(a);
            get(W, b);
            e_.shift_imm(8, op, W, uint8_t(x & 63));
            put(a, W);
        } else {
            get32(RAX, b);
            e_.shift_imm(4, op, RAX, uint8_t(x & 31));
            put_sx32(a, RAX);
        }
    }
    // A = imm shift (B mod width) (the _alt forms).
    void shift_alt(Shift op, bool is64, unsigned a, unsigned b, uint64_t x) {
        get32(RCX, b);
        e_.mov_imm(RAX, is64 ? x : uint32_t(x));
        e_.shift_cl(is64 ? 8 : 4, op, RAX);
        if (is64)
            put(a, RAX);
        else
            put_sx32(a, RAX);
    }
    // D = (flags after cmp) ? 1 : 0.
    template <typename Cmp>
    void setcc(Cond c, unsigned d, bool reads_d, Cmp cmp) {
        const Reg D = kHost[d];
        const Reg W = D != NOREG && !reads_d ? D : RAX;
        e_.alu(4, XOR, W, W);
        cmp();
        e_.setcc(c, W);
        put(d, W);
    }

    // ---- memory accesses ----
    // The host operand of guest address (rB + imm) mod 2^32 (b < 0: imm alone).
    Mem address(int b, uint64_t imm) {
        const uint32_t x = uint32_t(imm);
        if (guard() && b >= 0 && x <= kGuardBytes - 8) {
            // [r15 + zext32(rB) + x]: when rB + x passes 2^32 the host address falls in the guard
            // region after the guest space, and the guest address (below 64 KiB) panics there.
            const Reg r = cached(unsigned(b));
            return Mem{R15, r, 0, int32_t(x)};
        }
        forget(0);
        if (b < 0) {
            if (guard() && x < 0x80000000u) return mem(R15, int32_t(x));
            e_.mov_imm(RAX, x);
        } else if (kHost[b] != NOREG) {
            if (x == 0)
                e_.mov(RAX, kHost[b], 4);
            else
                e_.lea(4, RAX, mem(kHost[b], int32_t(x)));
        } else {
            e_.load(4, RAX, slotm(unsigned(b)));
            if (x) e_.alu_imm(4, ADD, RAX, int32_t(x));
        }
        if (guard()) return mem(R15, RAX);
        return checked();
    }
    // ---- base-register cache (guard model) ----
    // cache_[0] / cache_[1]: the guest register whose zero-extended low half rax / rcx hold, or
    // -1. Kept across the accesses of a block (a run of stack stores is one mov and the stores);
    // any other instruction that may touch rax or rcx, or writes a cached register, drops it.
    // Every entry point records the state (Code::cached) so a run entering there sets rax/rcx.
    int cache_[2] = {-1, -1};
    unsigned victim_ = 0;
    void forget_all() { cache_[0] = cache_[1] = -1; }
    void forget(unsigned slot) { cache_[slot] = -1; }
    void forget_reg(unsigned g) {
        for (int& c : cache_)
            if (c == int(g)) c = -1;
    }
    Reg cached(unsigned g) {
        for (unsigned k = 0; k < 2; ++k)
            if (cache_[k] == int(g)) return k ? RCX : RAX;
        unsigned k = cache_[0] < 0 ? 0 : cache_[1] < 0 ? 1 : (victim_ ^= 1);
        const Reg r = k ? RCX : RAX;
        get32(r, g);
        cache_[k] = int(g);
        return r;
    }
    // Instructions that leave rax and rcx alone (on these operands); what they write.
    bool keeps_cache(const Insn& in) const {
        if (access_info(in.op).n) return true;  // the access code keeps the cache itself
        switch (in.op) {
            case op_add_imm_64: return kHost[in.a] != NOREG && kHost[in.b] != NOREG;
            case op_load_imm:
            case op_load_imm_64: return kHost[in.a] != NOREG;
            case op_move_reg:
            case op_add_64:
            case op_and_:
            case op_xor_:
            case op_or_:
            case op_mul_64: return kHost[in.d] != NOREG;
            case op_sub_64: return kHost[in.d] != NOREG && in.d != in.b;
            default: return false;
        }
    }
    void after(const Insn& in) {
        if (!guard() || !keeps_cache(in)) return forget_all();
        const AccessInfo a = access_info(in.op);
        if (a.n) {
            if (!a.store) forget_reg(in.a);
        } else {
            const Fmt f = op_info(in.op).fmt;
            forget_reg(f == Fmt::RegRegReg || f == Fmt::RegReg ? in.d : in.a);
        }
    }

    uint32_t cur_ = 0;       // instruction being emitted
    unsigned cur_n_ = 0;     // its access size and right
    uint8_t cur_need_ = 0;
    size_t pending_[2] = {};
    unsigned npending_ = 0;
    // Checked model: same page and the right in the page table, else out of line (the jumps are
    // patched by access_done); afterwards rax is the host address.
    Mem checked() {
        npending_ = 0;
        if (cur_n_ > 1) {
            e_.mov(RCX, RAX, 4);
            e_.alu_imm(4, AND, RCX, int32_t(kPageSize - 1));
            e_.alu_imm(4, CMP, RCX, int32_t(kPageSize - cur_n_));
            pending_[npending_++] = e_.jcc32(A);
        }
        e_.mov(RCX, RAX, 4);
        e_.shift_imm(4, SHR, RCX, uint8_t(kPageShift));
        e_.load(8, RCX, mem(R15, RCX, 3, kPageTableDisp));
        e_.rr(1, 0xF6, 0, RCX);  // test cl, need
        e_.b(cur_need_);
        pending_[npending_++] = e_.jcc32(E);
        e_.alu_imm(8, AND, RCX, int32_t(kAddrMask));  // the host page (flags cleared)
        e_.alu_imm(4, AND, RAX, int32_t(kPageSize - 1));
        e_.alu(8, ADD, RAX, RCX);
        return mem(RAX, 0);
    }
    // After the access instruction: where the checked slow path resumes.
    void access_done() {
        if (guard()) return;
        const size_t back = e_.size();
        for (unsigned k = 0; k < npending_; ++k) fix(pending_[k], cur_, Fix::Access, back);
    }
    void load(unsigned d, int b, uint64_t imm, unsigned n, bool sign) {
        cur_n_ = n;
        cur_need_ = kRead;
        const Mem m = address(b, imm);
        const Reg W = guard() ? work(d) : RAX;
        if (W == RAX) forget(0);
        switch (n) {
            case 1: sign ? e_.rm(8, 0x0FBE, W, m) : e_.rm(4, 0x0FB6, W, m); break;
            case 2: sign ? e_.rm(8, 0x0FBF, W, m) : e_.rm(4, 0x0FB7, W, m); break;
            case 4: sign ? e_.rm(8, 0x63, W, m) : e_.load(4, W, m); break;
            default: e_.load(8, W, m); break;
        }
        access_done();
        put(d, W);
    }
    void store_reg(unsigned src, int b, uint64_t imm, unsigned n) {
        cur_n_ = n;
        cur_need_ = kWrite;
        const Mem m = address(b, imm);
        Reg s = kHost[src];
        if (s == NOREG) {
            s = m.index == RCX ? RAX : RCX;
            forget(s == RCX ? 1 : 0);
            e_.load(8, s, slotm(src));
        }
        e_.store(n, m, s);
        access_done();
    }
    void store_imm(int b, uint64_t imm, uint64_t v, unsigned n) {
        cur_n_ = n;
        cur_need_ = kWrite;
        const Mem m = address(b, imm);
        e_.store_imm(n, m, uint32_t(v));  // a 64-bit store sign-extends the 32-bit immediate
        access_done();
    }

    // ---- call-outs ----
    void ecalli(uint32_t i) {
        spill();
        e_.store(8, mem(R15, CTX(gas)), R14);
        e_.lea(8, RDI, mem(R15, -int32_t(sizeof(Ctx))));
        e_.mov_imm(RSI, i);
        call_out(reinterpret_cast<const void*>(&rt_ecalli));
        reload();
        e_.load(8, R14, mem(R15, CTX(gas)));
        e_.alu_imm(4, CMP, RAX, int32_t(kContinue));
        fix(e_.jcc32(NE), i, Fix::Exit);
    }
    void sbrk_(unsigned d, unsigned a) {
        spill();
        e_.lea(8, RDI, mem(R15, -int32_t(sizeof(Ctx))));
        e_.load(8, RSI, slotm(a));
        call_out(reinterpret_cast<const void*>(&rt_sbrk));
        reload();
        put(d, RAX);
    }
    void djump(uint32_t i) {  // eax = target address
        e_.mov_imm(RCX, i);
        e_.jmp_to(djump_);
    }

    // GP A.5.13 division edge cases: x/0 = ~0, x%0 = x, MIN/-1 = MIN (= -x), MIN%-1 = 0.
    void divrem(uint8_t op, unsigned d, unsigned a, unsigned b) {
        const bool is64 = op == op_div_u_64 || op == op_div_s_64 || op == op_rem_u_64 || op == op_rem_s_64;
        const bool sgn = op == op_div_s_32 || op == op_rem_s_32 || op == op_div_s_64 || op == op_rem_s_64;
        const bool rem = op == op_rem_u_32 || op == op_rem_s_32 || op == op_rem_u_64 || op == op_rem_s_64;
        const unsigned sz = is64 ? 8 : 4;
        e_.store(8, slotm(kRdxGuest), RDX);
        rop(sz, 0x8B, RAX, a);
        rop(sz, 0x8B, RCX, b);
        e_.test(sz, RCX, RCX);
        const size_t zero = e_.jcc8(E);
        size_t neg1 = 0;
        if (sgn) {
            e_.alu_imm(sz, CMP, RCX, -1);
            neg1 = e_.jcc8(E);
            if (is64) e_.b(0x48);
            e_.b(0x99);  // cqo / cdq
            e_.unary(sz, 7, RCX);
        } else {
            e_.alu(4, XOR, RDX, RDX);
            e_.unary(sz, 6, RCX);
        }
        if (!is64) e_.movsxd(RAX, rem ? RDX : RAX);
        else if (rem) e_.mov(RAX, RDX);
        const size_t done1 = e_.jmp8();
        e_.bind8(zero);
        if (!rem) e_.mov_imm(RAX, ~uint64_t(0));
        else if (!is64) e_.movsxd(RAX, RAX);
        size_t done2 = 0;
        if (sgn) {
            done2 = e_.jmp8();
            e_.bind8(neg1);
            if (rem) {
                e_.alu(4, XOR, RAX, RAX);
            } else {
                e_.unary(sz, 3, RAX);
                if (!is64) e_.movsxd(RAX, RAX);
            }
            e_.bind8(done2);
        }
        e_.bind8(done1);
        e_.load(8, RDX, slotm(kRdxGuest));
        put(d, RAX);
    }
    // High 64 bits of A * B (ss: signed × signed, uu, su: signed × unsigned).
    void mulh(uint8_t op, unsigned d, unsigned a, unsigned b) {
        e_.store(8, slotm(kRdxGuest), RDX);
        get(RAX, a);
        if (kHost[b] != NOREG)
            e_.unary(8, op == op_mul_upper_s_s ? 5 : 4, kHost[b]);
        else
            e_.unary(8, op == op_mul_upper_s_s ? 5 : 4, slotm(b));
        if (op == op_mul_upper_s_u) {  // unsigned high part minus (A < 0 ? B : 0)
            auto operand = [&](unsigned g, Reg into) {
                if (kHost[g] == NOREG || kHost[g] == RDX)
                    e_.load(8, into, slotm(g));
                else
                    e_.mov(into, kHost[g]);
            };
            operand(a, RCX);
            e_.shift_imm(8, SAR, RCX, 63);
            if (kHost[b] == NOREG || kHost[b] == RDX)
                e_.alu(8, AND, RCX, slotm(b));
            else
                e_.alu(8, AND, RCX, kHost[b]);
            e_.alu(8, SUB, RDX, RCX);
        }
        e_.mov(RAX, RDX);
        e_.load(8, RDX, slotm(kRdxGuest));
        put(d, RAX);
    }
    // D = count(A) via bsr/bsf: `none` is the result for A = 0 before the final xor.
    void bitscan(uint32_t opc, unsigned sz, unsigned d, unsigned a, uint32_t none, int32_t flip) {
        e_.mov_imm(RCX, none);
        rop(sz, opc, RAX, a);
        e_.rr(4, 0x0F44, RAX, RCX);  // cmovz eax, ecx
        if (flip) e_.alu_imm(4, XOR, RAX, flip);
        put(d, RAX);
    }

    void insn(uint32_t i, const Insn& in) {
        cur_ = i;
        const unsigned A = in.a, B = in.b, D = in.d;
        const uint64_t X = in.imm, Y = in.imm2;
        switch (in.op) {
            case op_gas:
                e_.alu_imm(8, SUB, R14, int32_t(X));
                fix(e_.jcc32(L), i, Fix::OutOfGas);
                if (Y) e_.alu_imm(8, ADD, mem(R15, CTX(instructions)), int32_t(Y));  // counting modules
                break;
            case op_unlikely: break;
            case op_invalid:
            case op_trap:
                e_.mov_imm(RCX, i);
                e_.jmp_to(exit_panic_);
                break;
            case op_fallthrough: break;
            case op_ecalli: ecalli(i); break;
            case op_load_imm_64:
            case op_load_imm: put_imm(A, X); break;
            case op_store_imm_u8: store_imm(-1, X, Y, 1); break;
            case op_store_imm_u16: store_imm(-1, X, Y, 2); break;
            case op_store_imm_u32: store_imm(-1, X, Y, 4); break;
            case op_store_imm_u64: store_imm(-1, X, Y, 8); break;
            case op_jump: branch(i, in.target, E, true); break;
            case op_jump_ind:
                if (kHost[A] != NOREG) {
                    e_.lea(4, RAX, mem(kHost[A], int32_t(X)));
                } else {
                    e_.load(4, RAX, slotm(A));
                    e_.alu_imm(4, ADD, RAX, int32_t(X));
                }
                djump(i);
                break;
            case op_load_u8: load(A, -1, X, 1, false); break;
            case op_load_i8: load(A, -1, X, 1, true); break;
            case op_load_u16: load(A, -1, X, 2, false); break;
            case op_load_i16: load(A, -1, X, 2, true); break;
            case op_load_u32: load(A, -1, X, 4, false); break;
            case op_load_i32: load(A, -1, X, 4, true); break;
            case op_load_u64: load(A, -1, X, 8, false); break;
            case op_store_u8: store_reg(A, -1, X, 1); break;
            case op_store_u16: store_reg(A, -1, X, 2); break;
            case op_store_u32: store_reg(A, -1, X, 4); break;
            case op_store_u64: store_reg(A, -1, X, 8); break;
            case op_store_imm_ind_u8: store_imm(int(A), X, Y, 1); break;
            case op_store_imm_ind_u16: store_imm(int(A), X, Y, 2); break;
            case op_store_imm_ind_u32: store_imm(int(A), X, Y, 4); break;
            case op_store_imm_ind_u64: store_imm(int(A), X, Y, 8); break;
            case op_load_imm_jump:
                put_imm(A, X);
                branch(i, in.target, E, true);
                break;
            case op_branch_eq_imm: cmp_imm(A, X); branch(i, in.target, E); break;
            case op_branch_ne_imm: cmp_imm(A, X); branch(i, in.target, NE); break;
            case op_branch_lt_u_imm: cmp_imm(A, X); branch(i, in.target, x86::B); break;
            case op_branch_le_u_imm: cmp_imm(A, X); branch(i, in.target, BE); break;
            case op_branch_ge_u_imm: cmp_imm(A, X); branch(i, in.target, AE); break;
            case op_branch_gt_u_imm: cmp_imm(A, X); branch(i, in.target, x86::A); break;
            case op_branch_lt_s_imm: cmp_imm(A, X); branch(i, in.target, L); break;
            case op_branch_le_s_imm: cmp_imm(A, X); branch(i, in.target, LE); break;
            case op_branch_ge_s_imm: cmp_imm(A, X); branch(i, in.target, GE); break;
            case op_branch_gt_s_imm: cmp_imm(A, X); branch(i, in.target, G); break;
            case op_move_reg:
                if (kHost[D] != NOREG) {
                    get(kHost[D], A);
                } else {
                    const Reg s = kHost[A] != NOREG ? kHost[A] : RAX;
                    get(s, A);
                    put(D, s);
                }
                break;
            case op_sbrk: sbrk_(D, A); break;
            case op_count_set_bits_64:
            case op_count_set_bits_32: {
                const unsigned sz = in.op == op_count_set_bits_64 ? 8 : 4;
                const Reg W = work(D);
                if (kHost[A] != NOREG) e_.rr(sz, 0x0FB8, W, kHost[A], false, 0xF3);  // popcnt
                else e_.rm(sz, 0x0FB8, W, slotm(A), false, 0xF3);
                put(D, W);
                break;
            }
            case op_leading_zero_bits_64: bitscan(0x0FBD, 8, D, A, 127, 63); break;
            case op_leading_zero_bits_32: bitscan(0x0FBD, 4, D, A, 63, 31); break;
            case op_trailing_zero_bits_64: bitscan(0x0FBC, 8, D, A, 64, 0); break;
            case op_trailing_zero_bits_32: bitscan(0x0FBC, 4, D, A, 32, 0); break;
            case op_sign_extend_8: {
                const Reg W = work(D);
                if (kHost[A] != NOREG) e_.rr(8, 0x0FBE, W, kHost[A], true);
                else e_.rm(8, 0x0FBE, W, slotm(A));
                put(D, W);
                break;
            }
            case op_sign_extend_16: {
                const Reg W = work(D);
                rop(8, 0x0FBF, W, A);
                put(D, W);
                break;
            }
            case op_zero_extend_16: {
                const Reg W = work(D);
                rop(4, 0x0FB7, W, A);
                put(D, W);
                break;
            }
            case op_reverse_bytes: {
                const Reg W = work(D);
                get(W, A);
                e_.bswap(W);
                put(D, W);
                break;
            }
            case op_store_ind_u8: store_reg(A, int(B), X, 1); break;
            case op_store_ind_u16: store_reg(A, int(B), X, 2); break;
            case op_store_ind_u32: store_reg(A, int(B), X, 4); break;
            case op_store_ind_u64: store_reg(A, int(B), X, 8); break;
            case op_load_ind_u8: load(A, int(B), X, 1, false); break;
            case op_load_ind_i8: load(A, int(B), X, 1, true); break;
            case op_load_ind_u16: load(A, int(B), X, 2, false); break;
            case op_load_ind_i16: load(A, int(B), X, 2, true); break;
            case op_load_ind_u32: load(A, int(B), X, 4, false); break;
            case op_load_ind_i32: load(A, int(B), X, 4, true); break;
            case op_load_ind_u64: load(A, int(B), X, 8, false); break;
            case op_add_imm_32:
                if (kHost[B] != NOREG) {
                    e_.lea(4, RAX, mem(kHost[B], int32_t(X)));
                } else {
                    e_.load(4, RAX, slotm(B));
                    e_.alu_imm(4, ADD, RAX, int32_t(X));
                }
                put_sx32(A, RAX);
                break;
            case op_and_imm: alu_imm3(AND, A, B, X); break;
            case op_xor_imm: alu_imm3(XOR, A, B, X); break;
            case op_or_imm: alu_imm3(OR, A, B, X); break;
            case op_mul_imm_32:
                rop(4, 0x69, RAX, B);
                e_.d32(uint32_t(X));
                put_sx32(A, RAX);
                break;
            case op_set_lt_u_imm: setcc(x86::B, A, A == B, [&] { cmp_imm(B, X); }); break;
            case op_set_lt_s_imm: setcc(L, A, A == B, [&] { cmp_imm(B, X); }); break;
            case op_set_gt_u_imm: setcc(x86::A, A, A == B, [&] { cmp_imm(B, X); }); break;
            case op_set_gt_s_imm: setcc(G, A, A == B, [&] { cmp_imm(B, X); }); break;
            case op_shlo_l_imm_32: shift_imm3(SHL, false, A, B, X); break;
            case op_shlo_r_imm_32: shift_imm3(SHR, false, A, B, X); break;
            case op_shar_r_imm_32: shift_imm3(SAR, false, A, B, X); break;
            case op_neg_add_imm_32:
                e_.mov_imm(RAX, uint32_t(X));
                rop(4, 0x2B, RAX, B);
                put_sx32(A, RAX);
                break;
            case op_shlo_l_imm_alt_32: shift_alt(SHL, false, A, B, X); break;
            case op_shlo_r_imm_alt_32: shift_alt(SHR, false, A, B, X); break;
            case op_shar_r_imm_alt_32: shift_alt(SAR, false, A, B, X); break;
            case op_cmov_iz_imm:
            case op_cmov_nz_imm: {
                const Cond c = in.op == op_cmov_iz_imm ? E : NE;
                e_.mov_imm(RCX, X);
                test_zero(B);
                if (kHost[A] != NOREG) {
                    e_.cmov(c, kHost[A], RCX);
                } else {
                    e_.load(8, RAX, slotm(A));
                    e_.cmov(c, RAX, RCX);
                    e_.store(8, slotm(A), RAX);
                }
                break;
            }
            case op_add_imm_64:
                if (kHost[A] != NOREG && kHost[B] != NOREG && A != B)
                    e_.lea(8, kHost[A], mem(kHost[B], int32_t(X)));
                else
                    alu_imm3(ADD, A, B, X);
                break;
            case op_mul_imm_64: {
                const Reg W = work(A);
                rop(8, 0x69, W, B);
                e_.d32(uint32_t(X));
                put(A, W);
                break;
            }
            case op_shlo_l_imm_64: shift_imm3(SHL, true, A, B, X); break;
            case op_shlo_r_imm_64: shift_imm3(SHR, true, A, B, X); break;
            case op_shar_r_imm_64: shift_imm3(SAR, true, A, B, X); break;
            case op_neg_add_imm_64:
                e_.mov_imm(RAX, X);
                rop(8, 0x2B, RAX, B);
                put(A, RAX);
                break;
            case op_shlo_l_imm_alt_64: shift_alt(SHL, true, A, B, X); break;
            case op_shlo_r_imm_alt_64: shift_alt(SHR, true, A, B, X); break;
            case op_shar_r_imm_alt_64: shift_alt(SAR, true, A, B, X); break;
            case op_rot_r_64_imm: shift_imm3(ROR, true, A, B, X); break;
            case op_rot_r_64_imm_alt: shift_alt(ROR, true, A, B, X); break;
            case op_rot_r_32_imm: shift_imm3(ROR, false, A, B, X); break;
            case op_rot_r_32_imm_alt: shift_alt(ROR, false, A, B, X); break;
            case op_branch_eq: cmp_regs(A, B); branch(i, in.target, E); break;
            case op_branch_ne: cmp_regs(A, B); branch(i, in.target, NE); break;
            case op_branch_lt_u: cmp_regs(A, B); branch(i, in.target, x86::B); break;
            case op_branch_lt_s: cmp_regs(A, B); branch(i, in.target, L); break;
            case op_branch_ge_u: cmp_regs(A, B); branch(i, in.target, AE); break;
            case op_branch_ge_s: cmp_regs(A, B); branch(i, in.target, GE); break;
            case op_load_imm_jump_ind:
                if (kHost[B] != NOREG) {  // target = rB + Y, read before rA is written
                    e_.lea(4, RAX, mem(kHost[B], int32_t(Y)));
                } else {
                    e_.load(4, RAX, slotm(B));
                    e_.alu_imm(4, ADD, RAX, int32_t(Y));
                }
                put_imm(A, X);
                djump(i);
                break;
            case op_add_32: alu3_32(0x03, D, A, B); break;
            case op_sub_32: alu3_32(0x2B, D, A, B); break;
            case op_mul_32: alu3_32(0x0FAF, D, A, B); break;
            case op_div_u_32:
            case op_div_s_32:
            case op_rem_u_32:
            case op_rem_s_32:
            case op_div_u_64:
            case op_div_s_64:
            case op_rem_u_64:
            case op_rem_s_64: divrem(in.op, D, A, B); break;
            case op_shlo_l_32: shift3(SHL, false, D, A, B); break;
            case op_shlo_r_32: shift3(SHR, false, D, A, B); break;
            case op_shar_r_32: shift3(SAR, false, D, A, B); break;
            case op_add_64:
                if (kHost[D] != NOREG && kHost[A] != NOREG && kHost[B] != NOREG && D != A && D != B)
                    e_.lea(8, kHost[D], mem(kHost[A], kHost[B]));
                else
                    alu3(0x03, true, D, A, B);
                break;
            case op_sub_64: alu3(0x2B, false, D, A, B); break;
            case op_mul_64: alu3(0x0FAF, true, D, A, B); break;
            case op_shlo_l_64: shift3(SHL, true, D, A, B); break;
            case op_shlo_r_64: shift3(SHR, true, D, A, B); break;
            case op_shar_r_64: shift3(SAR, true, D, A, B); break;
            case op_and_: alu3(0x23, true, D, A, B); break;
            case op_xor_: alu3(0x33, true, D, A, B); break;
            case op_or_: alu3(0x0B, true, D, A, B); break;
            case op_mul_upper_s_s:
            case op_mul_upper_u_u:
            case op_mul_upper_s_u: mulh(in.op, D, A, B); break;
            case op_set_lt_u: setcc(x86::B, D, D == A || D == B, [&] { cmp_regs(A, B); }); break;
            case op_set_lt_s: setcc(L, D, D == A || D == B, [&] { cmp_regs(A, B); }); break;
            case op_cmov_iz:
            case op_cmov_nz: {
                const Cond c = in.op == op_cmov_iz ? E : NE;
                test_zero(B);
                const Reg W = work(D);
                if (W == RAX) e_.load(8, RAX, slotm(D));
                if (kHost[A] != NOREG) e_.cmov(c, W, kHost[A]);
                else e_.cmov(c, W, slotm(A));
                put(D, W);
                break;
            }
            case op_rot_l_64: shift3(ROL, true, D, A, B); break;
            case op_rot_l_32: shift3(ROL, false, D, A, B); break;
            case op_rot_r_64: shift3(ROR, true, D, A, B); break;
            case op_rot_r_32: shift3(ROR, false, D, A, B); break;
            case op_and_inv:
            case op_or_inv:
                get(RAX, B);
                e_.unary(8, 2, RAX);  // not
                rop(8, in.op == op_and_inv ? 0x23 : 0x0B, RAX, A);
                put(D, RAX);
                break;
            case op_xnor:
                get(RAX, A);
                rop(8, 0x33, RAX, B);
                e_.unary(8, 2, RAX);
                put(D, RAX);
                break;
            case op_max:
            case op_max_u:
            case op_min:
            case op_min_u: {
                const Cond c = in.op == op_max ? L : in.op == op_max_u ? x86::B : in.op == op_min ? G : x86::A;
                get(RAX, A);
                rop(8, 0x3B, RAX, B);
                rop(8, 0x0F40u | c, RAX, B);  // cmovcc rax, rB
                put(D, RAX);
                break;
            }
            default:
                e_.mov_imm(RCX, i);
                e_.jmp_to(exit_panic_);
                break;
        }
    }

    const Program& p_;
    Code& c_;
    Emitter& e_;
    std::vector<Fixup> fixups_;
    size_t exit_oog_ = 0, exit_panic_ = 0, exit_halt_ = 0, djump_ = 0, djump_bad_ = 0, acc_fail_ = 0;
};

// ---- Faults (guard model) ----

const int kGreg[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                       REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};

struct RunData {
    const Code* code;
    const Program* prog;
    const Memory* memory;
    Ctx* ctx;
};

// Async-signal-safe: reads the program, the tables and the page table, writes the context.
bool resolve_fault(ActiveRun* run, ucontext_t* uc, const void* addr) {
    const RunData& d = *static_cast<const RunData*>(run->data);
    if (!d.memory->in_guest_space(addr)) return false;
    greg_t* g = uc->uc_mcontext.gregs;
    const size_t off = size_t(reinterpret_cast<const uint8_t*>(g[REG_RIP]) - d.code->em.begin());
    const std::vector<uint32_t>& offs = d.code->off;
    // The instruction whose code contains `off`: the last entry starting at or before it.
    const auto it = std::upper_bound(offs.begin(), offs.end(), uint32_t(off));
    if (it == offs.begin()) return false;
    const uint32_t index = uint32_t(it - offs.begin() - 1);
    const Insn& in = d.prog->insns[index];
    const AccessInfo a = access_info(in.op);
    if (!a.n) return false;
    uint64_t regs[PVM_NUM_REGS];
    for (unsigned r = 0; r < PVM_NUM_REGS; ++r)
        regs[r] = kHost[r] != NOREG ? uint64_t(g[kGreg[kHost[r]]]) : d.ctx->regs[r];
    uint32_t page = 0;
    const Access acc = d.memory->check(access_address(in, a, regs), a.n, a.need, page);
    if (acc == Access::Ok) return false;  // not a guest fault after all
    d.ctx->fault = page;
    g[REG_RAX] = acc == Access::Panic ? PVM_PANIC : PVM_PAGE_FAULT;
    g[REG_RCX] = index;
    g[REG_RIP] = greg_t(d.code->at(d.code->exit_fault));
    return true;
}

class Recompiler final : public Executor {
public:
    std::unique_ptr<ModuleCode> compile(const Module& m, MemoryModel model, std::string& error) override {
        if (!__builtin_cpu_supports("popcnt")) {
            error = "the recompiler needs a CPU with POPCNT";
            return nullptr;
        }
        auto code = std::make_unique<Code>();
        code->model = model;
        Compiler c(m.program, *code);
        if (!c.compile(error)) return nullptr;
        return code;
    }
    bool needs_code() const override { return true; }

    pvm_status run(pvm_vm* vm, VmState& st) override {
        if (st.step) return interp_->run(vm, st);  // same state; step on the interpreter
        uint32_t index = 0;
        pvm_status status = PVM_PANIC;
        if (!entry_point(st, index, status)) return status;
        const Code& code = static_cast<const Code&>(*st.code);
        const Program& prog = st.program();
        Ctx* c = ctx_of(st.memory);
        std::memcpy(c->regs, st.regs, sizeof c->regs);
        c->gas = st.gas;
        c->instructions = st.instructions;
        c->st = &st;
        c->vm = vm;
        c->jtab = code.jtab.data();
        c->acc_status = 0;
        c->entry_code = code.at(code.off[index]);
        const uint8_t cached = code.cached[index];
        c->entry_rax = (cached & 15) ? uint32_t(st.regs[(cached & 15) - 1]) : 0;
        c->entry_rcx = (cached >> 4) ? uint32_t(st.regs[(cached >> 4) - 1]) : 0;
        RunData data{&code, &prog, &st.memory, c};
        ActiveRun run{code.em.begin(), code.em.begin() + code.em.size(), &resolve_fault, &data, nullptr};
        const bool guard = st.memory.model() == MemoryModel::Guard;
        if (guard) push_run(&run);
        using Entry = uint32_t (*)(uint8_t*);
        const Entry entry = reinterpret_cast<Entry>(const_cast<uint8_t*>(code.at(code.entry)));
        status = static_cast<pvm_status>(entry(st.memory.anchor()));
        if (guard) pop_run(&run);
        std::memcpy(st.regs, c->regs, sizeof st.regs);
        st.gas = c->gas;
        st.instructions = c->instructions;
        const uint32_t at = c->exit_index;
        const Insn& in = prog.insns[at];
        st.pc = in.pc;
        if (status == PVM_OUT_OF_GAS && in.op == op_gas) {
            st.gas += int64_t(in.imm);  // the block was not entered
        } else if (status == PVM_PAGE_FAULT) {
            st.fault_addr = c->fault;
            st.resume_valid = true;  // the block is charged: re-run the instruction
            st.resume_index = at;
        } else if (status == PVM_HOST_CALL) {
            st.resume_valid = true;
            st.resume_index = at + 1;
        }
        return status;
    }

private:
    std::unique_ptr<Executor> interp_ = make_interpreter();
};

}  // namespace

bool recompiler_available() { return true; }
std::unique_ptr<Executor> make_recompiler() { return std::make_unique<Recompiler>(); }

}  // namespace pvm

#else  // not x86-64 Linux

namespace pvm {
bool recompiler_available() { return false; }
std::unique_ptr<Executor> make_recompiler() { return nullptr; }
}  // namespace pvm

#endif
