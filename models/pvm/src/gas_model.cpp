#include "gas_model.h"

#include <algorithm>

namespace pvm {

namespace {

enum Unit { kAlu, kLoad, kStore, kMul, kDiv, kUnits };
constexpr uint8_t kUnitCount[kUnits] = {4, 4, 4, 1, 1};
constexpr unsigned kRob = 32;          // reorder buffer entries
constexpr unsigned kDecodeSlots = 4;   // per cycle
constexpr unsigned kStartsPerCycle = 5;
constexpr int kMemoryLatency = 25;     // L2 hit
constexpr int kStoreLatency = 25;
constexpr uint32_t kSlack = 3;         // cycles refunded per block

// One instruction as the model sees it (GP A.10 table: latency č, decode slots ď, units x̌).
struct Cost {
    int latency = 0;
    unsigned decode = 1;
    uint8_t units[kUnits] = {};
    int dst = -1, src1 = -1, src2 = -1;
    bool move = false;  // move_reg: renamed in the front end, no reorder-buffer entry
};

Cost make(int latency, unsigned decode, unsigned alu = 0, int dst = -1, int src1 = -1, int src2 = -1) {
    Cost c;
    c.latency = latency;
    c.decode = decode;
    c.units[kAlu] = uint8_t(alu);
    c.dst = dst;
    c.src1 = src1;
    c.src2 = src2;
    return c;
}

// P(a, b): a when the destination is one of the sources (the x86 two-operand form), else b.
unsigned p2(int d, int s1, int s2, unsigned a, unsigned b) { return d == s1 || d == s2 ? a : b; }

Cost cost_of(const Insn& in) {
    const int A = in.a, B = in.b, D = in.d;
    switch (in.op) {
        // Three registers, 64-bit ALU.
        case op_and_:
        case op_xor_:
        case op_or_:
        case op_add_64:
        case op_sub_64: return make(1, p2(D, A, B, 1, 2), 1, D, A, B);
        case op_add_32:
        case op_sub_32: return make(2, p2(D, A, B, 2, 3), 1, D, A, B);
        // Register and immediate: destination rA, source rB.
        case op_and_imm:
        case op_xor_imm:
        case op_or_imm:
        case op_add_imm_64:
        case op_shlo_l_imm_64:
        case op_shlo_r_imm_64:
        case op_shar_r_imm_64:
        case op_rot_r_64_imm: return make(1, A == B ? 1 : 2, 1, A, B);
        case op_add_imm_32:
        case op_shlo_l_imm_32:
        case op_shlo_r_imm_32:
        case op_shar_r_imm_32:
        case op_rot_r_32_imm: return make(2, A == B ? 2 : 3, 1, A, B);
        case op_reverse_bytes: return make(1, D == A ? 1 : 2, 1, D, A);
        case op_count_set_bits_64:
        case op_count_set_bits_32:
        case op_leading_zero_bits_64:
        case op_leading_zero_bits_32:
        case op_sign_extend_8:
        case op_sign_extend_16:
        case op_zero_extend_16: return make(1, 1, 1, D, A);
        case op_trailing_zero_bits_64:
        case op_trailing_zero_bits_32: return make(2, 1, 2, D, A);
        // Shifts and rotates by a register: PS(a, b) compares the destination with rA only.
        case op_shlo_l_64:
        case op_shlo_r_64:
        case op_shar_r_64:
        case op_rot_l_64:
        case op_rot_r_64: return make(1, D == A ? 2 : 3, 1, D, A, B);
        case op_shlo_l_32:
        case op_shlo_r_32:
        case op_shar_r_32:
        case op_rot_l_32:
        case op_rot_r_32: return make(2, D == A ? 3 : 4, 1, D, A, B);
        case op_shlo_l_imm_alt_64:
        case op_shlo_r_imm_alt_64:
        case op_shar_r_imm_alt_64:
        case op_rot_r_64_imm_alt: return make(1, 3, 1, A, B);
        case op_shlo_l_imm_alt_32:
        case op_shlo_r_imm_alt_32:
        case op_shar_r_imm_alt_32:
        case op_rot_r_32_imm_alt: return make(2, 4, 1, A, B);
        case op_set_lt_u:
        case op_set_lt_s: return make(3, 3, 1, D, A, B);
        case op_set_lt_u_imm:
        case op_set_lt_s_imm:
        case op_set_gt_u_imm:
        case op_set_gt_s_imm: return make(3, 3, 1, A, B);
        case op_cmov_iz:
        case op_cmov_nz: return make(2, 2, 1, D, A, B);
        case op_cmov_iz_imm:
        case op_cmov_nz_imm: return make(2, 3, 1, A, B);
        case op_max:
        case op_max_u:
        case op_min:
        case op_min_u: return make(3, p2(D, A, B, 2, 3), 1, D, A, B);
        case op_and_inv:
        case op_or_inv: return make(2, 3, 1, D, A, B);
        case op_xnor: return make(2, p2(D, A, B, 2, 3), 1, D, A, B);
        case op_neg_add_imm_64: return make(2, 3, 1, A, B);
        case op_neg_add_imm_32: return make(3, 4, 1, A, B);
        case op_load_imm: return make(1, 1, 0, A);
        case op_load_imm_64: return make(1, 2, 0, A);
        case op_move_reg: {
            Cost c = make(0, 1, 0, D, A);
            c.move = true;
            return c;
        }
        // Multiplication and division.
        case op_mul_64: {
            Cost c = make(3, p2(D, A, B, 1, 2), 1, D, A, B);
            c.units[kMul] = 1;
            return c;
        }
        case op_mul_32: {
            Cost c = make(4, p2(D, A, B, 2, 3), 1, D, A, B);
            c.units[kMul] = 1;
            return c;
        }
        case op_mul_imm_64: {
            Cost c = make(3, A == B ? 1 : 2, 1, A, B);
            c.units[kMul] = 1;
            return c;
        }
        case op_mul_imm_32: {
            Cost c = make(4, A == B ? 2 : 3, 1, A, B);
            c.units[kMul] = 1;
            return c;
        }
        case op_mul_upper_s_s:
        case op_mul_upper_u_u:
        case op_mul_upper_s_u: {
            Cost c = make(in.op == op_mul_upper_s_u ? 6 : 4, 4, 1, D, A, B);
            c.units[kMul] = 1;
            return c;
        }
        case op_div_u_32:
        case op_div_s_32:
        case op_rem_u_32:
        case op_rem_s_32:
        case op_div_u_64:
        case op_div_s_64:
        case op_rem_u_64:
        case op_rem_s_64: {
            Cost c = make(60, 4, 1, D, A, B);
            c.units[kDiv] = 1;
            return c;
        }
        // Memory.
        case op_load_u8:
        case op_load_i8:
        case op_load_u16:
        case op_load_i16:
        case op_load_u32:
        case op_load_i32:
        case op_load_u64: {
            Cost c = make(kMemoryLatency, 1, 1, A);
            c.units[kLoad] = 1;
            return c;
        }
        case op_load_ind_u8:
        case op_load_ind_i8:
        case op_load_ind_u16:
        case op_load_ind_i16:
        case op_load_ind_u32:
        case op_load_ind_i32:
        case op_load_ind_u64: {
            Cost c = make(kMemoryLatency, 1, 1, A, B);
            c.units[kLoad] = 1;
            return c;
        }
        case op_store_imm_u8:
        case op_store_imm_u16:
        case op_store_imm_u32:
        case op_store_imm_u64:
        case op_store_u8:
        case op_store_u16:
        case op_store_u32:
        case op_store_u64:
        case op_store_imm_ind_u8:
        case op_store_imm_ind_u16:
        case op_store_imm_ind_u32:
        case op_store_imm_ind_u64:
        case op_store_ind_u8:
        case op_store_ind_u16:
        case op_store_ind_u32:
        case op_store_ind_u64: {
            const Fmt f = op_info(in.op).fmt;
            // store_u*: value rA; store_imm_ind_*: base rA; store_ind_*: value rA, base rB.
            Cost c = make(kStoreLatency, 1, 1, -1, f == Fmt::ImmImm ? -1 : A, f == Fmt::RegRegImm ? B : -1);
            c.units[kStore] = 1;
            return c;
        }
        // Control flow (the block's end).
        case op_branch_eq:
        case op_branch_ne:
        case op_branch_lt_u:
        case op_branch_lt_s:
        case op_branch_ge_u:
        case op_branch_ge_s: return make(in.d, 1, 1, -1, A, B);
        case op_branch_eq_imm:
        case op_branch_ne_imm:
        case op_branch_lt_u_imm:
        case op_branch_le_u_imm:
        case op_branch_ge_u_imm:
        case op_branch_gt_u_imm:
        case op_branch_lt_s_imm:
        case op_branch_le_s_imm:
        case op_branch_ge_s_imm:
        case op_branch_gt_s_imm: return make(in.d, 1, 1, -1, A);
        case op_jump:
        case op_load_imm_jump: return make(15, 1);
        case op_jump_ind: return make(22, 1, 0, -1, A);
        case op_load_imm_jump_ind: return make(22, 1, 0, -1, B);
        case op_unlikely: return make(40, 1);
        case op_ecalli: return make(100, 4, 1);
        case op_sbrk: return make(100, 4, 1, D, A);
        case op_trap:
        case op_fallthrough:
        default:  // op_invalid: executes as a trap
            return make(2, 1);
    }
}

enum State : uint8_t { kEmpty, kDecoding, kWaiting, kExecuting, kExecuted };

class Core {
public:
    Core() {
        std::fill(std::begin(by_reg_), std::end(by_reg_), int8_t(-1));
        std::copy(std::begin(kUnitCount), std::end(kUnitCount), std::begin(free_));
    }

    void issue(const Cost& c) {
        if (decode_left_ < c.decode || in_flight_ == kRob) {
            tick(true);
            while (in_flight_ > kRob - 1) tick(false);
        }
        decode_left_ -= c.decode;
        if (c.move) {  // the destination now names the source's producer (if still running)
            const int old = by_reg_[c.dst];
            if (old >= 0) written_[old] &= uint16_t(~(1u << c.dst));
            const int src = by_reg_[c.src1];
            if (src >= 0) written_[src] |= uint16_t(1u << c.dst);
            by_reg_[c.dst] = int8_t(src);
            return;
        }
        const unsigned slot = tail_;
        tail_ = (tail_ + 1) % kRob;
        remaining_[slot] = c.latency;
        std::copy(std::begin(c.units), std::end(c.units), need_[slot]);
        uint32_t deps = 0;
        for (int src : {c.src1, c.src2})
            if (src >= 0 && by_reg_[src] >= 0) deps |= 1u << by_reg_[src];
        deps_[slot] = deps;
        if (c.dst >= 0) {
            const int old = by_reg_[c.dst];
            if (old >= 0) written_[old] &= uint16_t(~(1u << c.dst));
            written_[slot] |= uint16_t(1u << c.dst);
            by_reg_[c.dst] = int8_t(slot);
        }
        state_[slot] = kDecoding;
        ++in_flight_;
    }

    // The block's end: run until everything has retired.
    void drain() {
        tick(true);
        while (in_flight_ > 0) tick(false);
    }

    uint32_t cycles() const { return cycles_; }

private:
    bool fits(const uint8_t* need) const {
        for (unsigned u = 0; u < kUnits; ++u)
            if (need[u] > free_[u]) return false;
        return true;
    }
    bool startable(unsigned s) const { return state_[s] == kWaiting && deps_[s] == 0 && fits(need_[s]); }

    // Cycles in which nothing but the countdown of running instructions can happen (nothing to
    // retire, start or finish) are skipped at once: the result is that of ticking them one by one.
    void skip_idle_cycles() {
        if (in_flight_ == 0 || state_[head_] == kExecuted) return;
        int least = 0;
        for (unsigned k = 0; k < in_flight_; ++k) {
            const unsigned s = (head_ + k) % kRob;
            if (startable(s)) return;
            if (state_[s] == kExecuting) {
                if (remaining_[s] < 2) return;
                least = least ? std::min(least, remaining_[s]) : remaining_[s];
            }
        }
        if (least < 2) return;
        const int skip = least - 1;
        for (unsigned k = 0; k < in_flight_; ++k) {
            const unsigned s = (head_ + k) % kRob;
            if (state_[s] == kExecuting) remaining_[s] -= skip;
        }
        cycles_ += uint32_t(skip);
    }

    void tick(bool decoded_pending) {
        if (!decoded_pending) skip_idle_cycles();
        // Retire the executed instructions at the head, in order.
        while (in_flight_ > 0 && state_[head_] == kExecuted) {
            state_[head_] = kEmpty;
            head_ = (head_ + 1) % kRob;
            --in_flight_;
        }
        // Start up to 5 ready instructions, oldest first.
        uint32_t started = 0;
        for (unsigned n = 0; n < kStartsPerCycle; ++n) {
            bool any = false;
            for (unsigned k = 0; k < in_flight_; ++k) {
                const unsigned s = (head_ + k) % kRob;
                if ((started >> s) & 1 || !startable(s)) continue;
                for (unsigned u = 0; u < kUnits; ++u) free_[u] = uint8_t(free_[u] - need_[s][u]);
                started |= 1u << s;
                any = true;
                break;
            }
            if (!any) break;
        }
        for (unsigned s = 0; s < kRob; ++s)
            if ((started >> s) & 1) state_[s] = kExecuting;
        // Count down; a finished instruction releases its dependants, registers and units, and is
        // marked executed one cycle later.
        uint32_t finished = 0;
        for (unsigned s = 0; s < kRob; ++s) {
            if (state_[s] != kExecuting) continue;
            --remaining_[s];
            if (remaining_[s] == 0) finished |= 1u << s;
            if (remaining_[s] < 0) state_[s] = kExecuted;
        }
        if (finished) {
            for (unsigned s = 0; s < kRob; ++s) {
                deps_[s] &= ~finished;
                if (!((finished >> s) & 1)) continue;
                for (unsigned r = 0; r < PVM_REGS; ++r)
                    if ((written_[s] >> r) & 1) by_reg_[r] = -1;
                written_[s] = 0;
                for (unsigned u = 0; u < kUnits; ++u) free_[u] = uint8_t(free_[u] + need_[s][u]);
                std::fill(std::begin(need_[s]), std::end(need_[s]), uint8_t(0));
            }
        }
        if (decoded_pending) {
            for (unsigned s = 0; s < kRob; ++s)
                if (state_[s] == kDecoding) state_[s] = kWaiting;
            decode_left_ = kDecodeSlots;
        }
        ++cycles_;
    }

    static constexpr unsigned PVM_REGS = 13;
    uint32_t cycles_ = 0;
    unsigned decode_left_ = kDecodeSlots;
    unsigned in_flight_ = 0, head_ = 0, tail_ = 0;
    uint8_t state_[kRob] = {};
    int remaining_[kRob] = {};
    uint8_t need_[kRob][kUnits] = {};
    uint32_t deps_[kRob] = {};
    uint16_t written_[kRob] = {};
    int8_t by_reg_[PVM_REGS];
    uint8_t free_[kUnits];
};

}  // namespace

uint32_t simulated_block_cost(const Program& p, uint32_t index) {
    Core core;
    for (uint32_t i = index; i < p.insns.size(); ++i) {
        const Insn& in = p.insns[i];
        if (in.op == op_gas) break;  // defensive: blocks end at their terminator
        core.issue(cost_of(in));
        if (in.op == op_invalid || op_info(in.op).terminator) break;
    }
    core.drain();
    return std::max(core.cycles(), kSlack + 1) - kSlack;
}

}  // namespace pvm
