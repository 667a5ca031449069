// The interpreter backend: threaded dispatch (computed goto) over the pre-decoded program.
// Gas is charged by the op_gas entry at the start of each basic block; no byte decoding happens
// in the loop.
#include <climits>
#include <cstring>

#include "opcodes.h"
#include "vm.h"

namespace pvm {

namespace {

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

inline uint64_t sx32(uint64_t v) { return uint64_t(int64_t(int32_t(uint32_t(v)))); }
inline uint32_t rotr32(uint32_t v, unsigned s) { return (v >> (s & 31)) | (v << ((32 - s) & 31)); }
inline uint32_t rotl32(uint32_t v, unsigned s) { return (v << (s & 31)) | (v >> ((32 - s) & 31)); }
inline uint64_t rotr64(uint64_t v, unsigned s) { return (v >> (s & 63)) | (v << ((64 - s) & 63)); }
inline uint64_t rotl64(uint64_t v, unsigned s) { return (v << (s & 63)) | (v >> ((64 - s) & 63)); }

// GP A.5.13 division edge cases.
inline uint64_t div_u64(uint64_t a, uint64_t b) { return b == 0 ? ~uint64_t(0) : a / b; }
inline uint64_t rem_u64(uint64_t a, uint64_t b) { return b == 0 ? a : a % b; }
inline uint64_t div_s64(uint64_t a, uint64_t b) {
    const int64_t x = int64_t(a), y = int64_t(b);
    if (y == 0) return ~uint64_t(0);
    if (x == INT64_MIN && y == -1) return a;
    return uint64_t(x / y);
}
inline uint64_t rem_s64(uint64_t a, uint64_t b) {
    const int64_t x = int64_t(a), y = int64_t(b);
    if (y == 0) return a;
    if (x == INT64_MIN && y == -1) return 0;
    return uint64_t(x % y);
}
inline uint64_t div_u32(uint64_t a, uint64_t b) {
    return uint32_t(b) == 0 ? ~uint64_t(0) : sx32(uint32_t(a) / uint32_t(b));
}
inline uint64_t rem_u32(uint64_t a, uint64_t b) {
    return uint32_t(b) == 0 ? sx32(a) : sx32(uint32_t(a) % uint32_t(b));
}
inline uint64_t div_s32(uint64_t a, uint64_t b) {
    const int32_t x = int32_t(uint32_t(a)), y = int32_t(uint32_t(b));
    if (y == 0) return ~uint64_t(0);
    if (x == INT32_MIN && y == -1) return sx32(a);
    return uint64_t(int64_t(x / y));
}
inline uint64_t rem_s32(uint64_t a, uint64_t b) {
    const int32_t x = int32_t(uint32_t(a)), y = int32_t(uint32_t(b));
    if (y == 0) return sx32(a);
    if (x == INT32_MIN && y == -1) return 0;
    return uint64_t(int64_t(x % y));
}
inline uint64_t mulh_ss(uint64_t a, uint64_t b) {
    return uint64_t((__int128(int64_t(a)) * __int128(int64_t(b))) >> 64);
}
inline uint64_t mulh_uu(uint64_t a, uint64_t b) {
    return uint64_t((static_cast<unsigned __int128>(a) * static_cast<unsigned __int128>(b)) >> 64);
}
inline uint64_t mulh_su(uint64_t a, uint64_t b) {
    return uint64_t((__int128(int64_t(a)) * __int128(b)) >> 64);
}

// Page-straddling and callback-page accesses (rights checked already); false when a memory
// callback refused (a page fault at *fault).
template <typename T>
__attribute__((noinline)) bool slow_load(const Memory& mem, uint32_t a, T& v, uint32_t* fault) {
    return mem.read(a, &v, sizeof v, fault);
}
template <typename T>
__attribute__((noinline)) bool slow_store(Memory& mem, uint32_t a, T v, uint32_t* fault) {
    return mem.write(a, &v, sizeof v, false, fault);
}

// A host callback that throws (a C++ host) fails the call instead of unwinding through the VM.
__attribute__((noinline)) pvm_host_result call_host(pvm_vm* vm, VmState& st) {
    try {
        return st.host_fn(vm, st.host_index, st.host_user);
    } catch (...) {
        return PVM_HOST_ERROR;
    }
}

template <bool Step>
pvm_status run_impl(pvm_vm* vm, VmState& st) {
    static const void* const labels[op_count] = {
#define PVM_LABEL(num, id, name, fmt, term) &&L_##id,
        PVM_OPCODES(PVM_LABEL)
#undef PVM_LABEL
            &&L_gas,
        &&L_invalid,
    };

    uint32_t index = 0;
    pvm_status status = PVM_PANIC;
    if (!entry_point(st, index, status)) return status;

    const Program& prog = st.program();
    const Insn* const insns = prog.insns.data();
    const Insn* in = insns + index;
    uint64_t* const r = st.regs;
    Memory& mem = st.memory;
    const uintptr_t* const ptab = mem.page_table();
    int64_t gas = st.gas;
    uint32_t fault = 0;
    bool stepped = false;

#define DISPATCH()                                \
    do {                                          \
        if constexpr (Step) {                     \
            if (stepped) goto exit_step;          \
            if (in->op != op_gas) stepped = true; \
        }                                         \
        goto* labels[in->op];                     \
    } while (0)
#define NEXT() \
    do {       \
        ++in;  \
        DISPATCH(); \
    } while (0)

// Memory access: one page-table lookup for an access within one page with the right, else the
// full GP A.4 check (panic / page fault) and a page-wise copy (accesses straddling two pages).
// The page table pointer is a local and the slow paths have their own temporaries, so the fast
// path keeps everything in registers.
#define SLOW_CHECK(addr, n, need)                                      \
    do {                                                               \
        const Access acc_ = mem.check(addr, n, need, fault);           \
        if (acc_ == Access::Panic) goto exit_panic;                    \
        if (acc_ == Access::Fault) goto exit_fault;                    \
    } while (0)
#define FAST(a, n, need) ((ptab[(a) >> kPageShift] & (need)) && ((a) & (kPageSize - 1)) <= kPageSize - (n))
#define HOST(a) (reinterpret_cast<uint8_t*>(ptab[(a) >> kPageShift] & kAddrMask) + ((a) & (kPageSize - 1)))
#define LOAD(T, dst, addr_expr)                                        \
    do {                                                               \
        const uint32_t a_ = uint32_t(addr_expr);                       \
        if (LIKELY(FAST(a_, sizeof(T), kRead))) {                      \
            T v_;                                                      \
            std::memcpy(&v_, HOST(a_), sizeof v_);                     \
            dst = v_;                                                  \
        } else {                                                       \
            SLOW_CHECK(a_, sizeof(T), kRead);                          \
            T s_;                                                      \
            if (UNLIKELY(!slow_load<T>(mem, a_, s_, &fault))) goto exit_fault; \
            dst = s_;                                                  \
        }                                                              \
    } while (0)
#define STORE(T, addr_expr, val)                                       \
    do {                                                               \
        const uint32_t a_ = uint32_t(addr_expr);                       \
        const T v_ = T(val);                                           \
        if (LIKELY(FAST(a_, sizeof(T), kWrite))) {                     \
            std::memcpy(HOST(a_), &v_, sizeof v_);                     \
        } else {                                                       \
            SLOW_CHECK(a_, sizeof(T), kWrite);                         \
            if (UNLIKELY(!slow_store<T>(mem, a_, v_, &fault))) goto exit_fault; \
        }                                                              \
    } while (0)
#define BRANCH(cond)                                       \
    do {                                                   \
        if (cond) {                                        \
            if (UNLIKELY(in->target == kNoTarget)) goto exit_panic; \
            in = insns + in->target;                       \
            DISPATCH();                                    \
        }                                                  \
        NEXT();                                            \
    } while (0)
#define DJUMP(addr_expr)                                                        \
    do {                                                                        \
        const uint32_t a_ = uint32_t(addr_expr);                                \
        if (a_ == PVM_HALT_ADDRESS) goto exit_halt;                             \
        if (UNLIKELY(a_ == 0 || (a_ & 1) || (a_ >> 1) > prog.jump_index.size())) goto exit_panic; \
        const uint32_t t_ = prog.jump_index[(a_ >> 1) - 1];                     \
        if (UNLIKELY(t_ == kNoTarget)) goto exit_panic;                         \
        in = insns + t_;                                                        \
        DISPATCH();                                                             \
    } while (0)

#define A r[in->a]
#define B r[in->b]
#define D r[in->d]
#define X in->imm
#define Y in->imm2
#define OP(id, body) \
    L_##id : {       \
        body;        \
        NEXT();      \
    }

    DISPATCH();

L_gas : {
    const int64_t cost = int64_t(in->imm);
    if (UNLIKELY(gas < cost)) goto exit_oog;
    gas -= cost;
    st.instructions += in->imm2;  // 0 unless the module counts instructions
    NEXT();
}
L_invalid:
L_trap:
    goto exit_panic;
L_fallthrough:
L_unlikely:
    NEXT();
L_ecalli : {
    st.host_index = uint32_t(in->imm);
    st.pc = in->pc;
    st.gas = gas;
    if (!st.host_fn) {
        st.resume_valid = true;
        st.resume_index = uint32_t(in - insns) + 1;
        return PVM_HOST_CALL;
    }
    const pvm_host_result res = call_host(vm, st);
    gas = st.gas;
    if (res == PVM_HOST_TERMINATE) goto exit_halt;
    if (res != PVM_HOST_CONTINUE) goto exit_panic;
    if (gas < 0) goto exit_oog;
    NEXT();
}
    OP(load_imm_64, A = X)
    OP(store_imm_u8, STORE(uint8_t, X, Y))
    OP(store_imm_u16, STORE(uint16_t, X, Y))
    OP(store_imm_u32, STORE(uint32_t, X, Y))
    OP(store_imm_u64, STORE(uint64_t, X, Y))
L_jump:
    BRANCH(true);
L_jump_ind:
    DJUMP(A + X);
    OP(load_imm, A = X)
    OP(load_u8, LOAD(uint8_t, A, X))
    OP(load_i8, LOAD(int8_t, A, X))
    OP(load_u16, LOAD(uint16_t, A, X))
    OP(load_i16, LOAD(int16_t, A, X))
    OP(load_u32, LOAD(uint32_t, A, X))
    OP(load_i32, LOAD(int32_t, A, X))
    OP(load_u64, LOAD(uint64_t, A, X))
    OP(store_u8, STORE(uint8_t, X, A))
    OP(store_u16, STORE(uint16_t, X, A))
    OP(store_u32, STORE(uint32_t, X, A))
    OP(store_u64, STORE(uint64_t, X, A))
    OP(store_imm_ind_u8, STORE(uint8_t, A + X, Y))
    OP(store_imm_ind_u16, STORE(uint16_t, A + X, Y))
    OP(store_imm_ind_u32, STORE(uint32_t, A + X, Y))
    OP(store_imm_ind_u64, STORE(uint64_t, A + X, Y))
L_load_imm_jump:
    A = X;
    BRANCH(true);
L_branch_eq_imm:
    BRANCH(A == X);
L_branch_ne_imm:
    BRANCH(A != X);
L_branch_lt_u_imm:
    BRANCH(A < X);
L_branch_le_u_imm:
    BRANCH(A <= X);
L_branch_ge_u_imm:
    BRANCH(A >= X);
L_branch_gt_u_imm:
    BRANCH(A > X);
L_branch_lt_s_imm:
    BRANCH(int64_t(A) < int64_t(X));
L_branch_le_s_imm:
    BRANCH(int64_t(A) <= int64_t(X));
L_branch_ge_s_imm:
    BRANCH(int64_t(A) >= int64_t(X));
L_branch_gt_s_imm:
    BRANCH(int64_t(A) > int64_t(X));
    OP(move_reg, D = A)
    OP(sbrk, D = sbrk(st, A))
    OP(count_set_bits_64, D = uint64_t(__builtin_popcountll(A)))
    OP(count_set_bits_32, D = uint64_t(__builtin_popcount(uint32_t(A))))
    OP(leading_zero_bits_64, D = A ? uint64_t(__builtin_clzll(A)) : 64)
    OP(leading_zero_bits_32, D = uint32_t(A) ? uint64_t(__builtin_clz(uint32_t(A))) : 32)
    OP(trailing_zero_bits_64, D = A ? uint64_t(__builtin_ctzll(A)) : 64)
    OP(trailing_zero_bits_32, D = uint32_t(A) ? uint64_t(__builtin_ctz(uint32_t(A))) : 32)
    OP(sign_extend_8, D = uint64_t(int64_t(int8_t(uint8_t(A)))))
    OP(sign_extend_16, D = uint64_t(int64_t(int16_t(uint16_t(A)))))
    OP(zero_extend_16, D = uint16_t(A))
    OP(reverse_bytes, D = __builtin_bswap64(A))
    OP(store_ind_u8, STORE(uint8_t, B + X, A))
    OP(store_ind_u16, STORE(uint16_t, B + X, A))
    OP(store_ind_u32, STORE(uint32_t, B + X, A))
    OP(store_ind_u64, STORE(uint64_t, B + X, A))
    OP(load_ind_u8, LOAD(uint8_t, A, B + X))
    OP(load_ind_i8, LOAD(int8_t, A, B + X))
    OP(load_ind_u16, LOAD(uint16_t, A, B + X))
    OP(load_ind_i16, LOAD(int16_t, A, B + X))
    OP(load_ind_u32, LOAD(uint32_t, A, B + X))
    OP(load_ind_i32, LOAD(int32_t, A, B + X))
    OP(load_ind_u64, LOAD(uint64_t, A, B + X))
    OP(add_imm_32, A = sx32(B + X))
    OP(and_imm, A = B & X)
    OP(xor_imm, A = B ^ X)
    OP(or_imm, A = B | X)
    OP(mul_imm_32, A = sx32(B * X))
    OP(set_lt_u_imm, A = B < X)
    OP(set_lt_s_imm, A = int64_t(B) < int64_t(X))
    OP(shlo_l_imm_32, A = sx32(uint32_t(B) << (X & 31)))
    OP(shlo_r_imm_32, A = sx32(uint32_t(B) >> (X & 31)))
    OP(shar_r_imm_32, A = uint64_t(int64_t(int32_t(uint32_t(B)) >> (X & 31))))
    OP(neg_add_imm_32, A = sx32(X - B))
    OP(set_gt_u_imm, A = B > X)
    OP(set_gt_s_imm, A = int64_t(B) > int64_t(X))
    OP(shlo_l_imm_alt_32, A = sx32(uint32_t(X) << (B & 31)))
    OP(shlo_r_imm_alt_32, A = sx32(uint32_t(X) >> (B & 31)))
    OP(shar_r_imm_alt_32, A = uint64_t(int64_t(int32_t(uint32_t(X)) >> (B & 31))))
    OP(cmov_iz_imm, if (B == 0) A = X)
    OP(cmov_nz_imm, if (B != 0) A = X)
    OP(add_imm_64, A = B + X)
    OP(mul_imm_64, A = B * X)
    OP(shlo_l_imm_64, A = B << (X & 63))
    OP(shlo_r_imm_64, A = B >> (X & 63))
    OP(shar_r_imm_64, A = uint64_t(int64_t(B) >> (X & 63)))
    OP(neg_add_imm_64, A = X - B)
    OP(shlo_l_imm_alt_64, A = X << (B & 63))
    OP(shlo_r_imm_alt_64, A = X >> (B & 63))
    OP(shar_r_imm_alt_64, A = uint64_t(int64_t(X) >> (B & 63)))
    OP(rot_r_64_imm, A = rotr64(B, unsigned(X)))
    OP(rot_r_64_imm_alt, A = rotr64(X, unsigned(B)))
    OP(rot_r_32_imm, A = sx32(rotr32(uint32_t(B), unsigned(X))))
    OP(rot_r_32_imm_alt, A = sx32(rotr32(uint32_t(X), unsigned(B))))
L_branch_eq:
    BRANCH(A == B);
L_branch_ne:
    BRANCH(A != B);
L_branch_lt_u:
    BRANCH(A < B);
L_branch_lt_s:
    BRANCH(int64_t(A) < int64_t(B));
L_branch_ge_u:
    BRANCH(A >= B);
L_branch_ge_s:
    BRANCH(int64_t(A) >= int64_t(B));
L_load_imm_jump_ind : {
    const uint64_t target = B + Y;  // read φB before writing φA
    A = X;
    DJUMP(target);
}
    OP(add_32, D = sx32(A + B))
    OP(sub_32, D = sx32(A - B))
    OP(mul_32, D = sx32(A * B))
    OP(div_u_32, D = div_u32(A, B))
    OP(div_s_32, D = div_s32(A, B))
    OP(rem_u_32, D = rem_u32(A, B))
    OP(rem_s_32, D = rem_s32(A, B))
    OP(shlo_l_32, D = sx32(uint32_t(A) << (B & 31)))
    OP(shlo_r_32, D = sx32(uint32_t(A) >> (B & 31)))
    OP(shar_r_32, D = uint64_t(int64_t(int32_t(uint32_t(A)) >> (B & 31))))
    OP(add_64, D = A + B)
    OP(sub_64, D = A - B)
    OP(mul_64, D = A * B)
    OP(div_u_64, D = div_u64(A, B))
    OP(div_s_64, D = div_s64(A, B))
    OP(rem_u_64, D = rem_u64(A, B))
    OP(rem_s_64, D = rem_s64(A, B))
    OP(shlo_l_64, D = A << (B & 63))
    OP(shlo_r_64, D = A >> (B & 63))
    OP(shar_r_64, D = uint64_t(int64_t(A) >> (B & 63)))
    OP(and_, D = A & B)
    OP(xor_, D = A ^ B)
    OP(or_, D = A | B)
    OP(mul_upper_s_s, D = mulh_ss(A, B))
    OP(mul_upper_u_u, D = mulh_uu(A, B))
    OP(mul_upper_s_u, D = mulh_su(A, B))
    OP(set_lt_u, D = A < B)
    OP(set_lt_s, D = int64_t(A) < int64_t(B))
    OP(cmov_iz, if (B == 0) D = A)
    OP(cmov_nz, if (B != 0) D = A)
    OP(rot_l_64, D = rotl64(A, unsigned(B)))
    OP(rot_l_32, D = sx32(rotl32(uint32_t(A), unsigned(B))))
    OP(rot_r_64, D = rotr64(A, unsigned(B)))
    OP(rot_r_32, D = sx32(rotr32(uint32_t(A), unsigned(B))))
    OP(and_inv, D = A & ~B)
    OP(or_inv, D = A | ~B)
    OP(xnor, D = ~(A ^ B))
    OP(max, D = int64_t(A) > int64_t(B) ? A : B)
    OP(max_u, D = A > B ? A : B)
    OP(min, D = int64_t(A) < int64_t(B) ? A : B)
    OP(min_u, D = A < B ? A : B)

exit_step:
    __attribute__((unused));
    st.pc = in->pc;
    st.gas = gas;
    st.resume_valid = true;
    st.resume_index = uint32_t(in - insns);
    return PVM_STEP;
exit_halt:
    st.pc = in->pc;
    st.gas = gas;
    return PVM_HALT;
exit_panic:
    st.pc = in->pc;
    st.gas = gas;
    return PVM_PANIC;
exit_oog:
    st.pc = in->pc;
    st.gas = gas;
    return PVM_OUT_OF_GAS;
exit_fault:
    st.pc = in->pc;
    st.gas = gas;
    st.fault_addr = fault;
    st.resume_valid = true;  // the block is charged: re-run the instruction without charging
    st.resume_index = uint32_t(in - insns);
    return PVM_PAGE_FAULT;

#undef A
#undef B
#undef D
#undef X
#undef Y
#undef OP
}

class Interpreter final : public Executor {
public:
    pvm_status run(pvm_vm* vm, VmState& st) override {
        return st.step ? run_impl<true>(vm, st) : run_impl<false>(vm, st);
    }
};

}  // namespace

uint64_t sbrk(VmState& st, uint64_t n) {
    try {
        uint32_t x = 0;
        if (!st.memory.find_free(st.heap_base, n ? n : 1, x)) return 0;
        if (n && st.heap_limit && uint64_t(x) + n > st.heap_limit) return 0;
        if (n && !st.memory.map(x, uint32_t(n), kRead | kWrite)) return 0;
        return x;
    } catch (...) {  // out of host memory: the sbrk fails
        return 0;
    }
}

std::unique_ptr<Executor> make_interpreter() { return std::make_unique<Interpreter>(); }

}  // namespace pvm
