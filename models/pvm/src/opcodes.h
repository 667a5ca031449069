// GP appendix A.5 opcode table, GP 0.5.4–0.7.2 numbering (the numbering of the v0.4 vectors),
// plus `unlikely` (opcode 3) of the new-gas-cost draft (GP 0.7.1∆), defined only in that profile.
// One table shared by the decoder, the interpreter, the disassembler and the tracer.
#pragma once

#include <cstdint>

namespace pvm {

// Operand formats (GP A.5.1–A.5.13).
enum class Fmt : uint8_t {
    None,          // A.5.1
    Imm,           // A.5.2
    RegExtImm,     // A.5.3
    ImmImm,        // A.5.4
    Off,           // A.5.5
    RegImm,        // A.5.6
    RegImmImm,     // A.5.7
    RegImmOff,     // A.5.8
    RegReg,        // A.5.9
    RegRegImm,     // A.5.10
    RegRegOff,     // A.5.11
    RegRegImmImm,  // A.5.12
    RegRegReg,     // A.5.13
};

// X(opcode, identifier, mnemonic, format, terminates_block)
// Terminators: GP A.3 set T (trap, fallthrough, jumps, branches).
#define PVM_OPCODES(X)                                                  \
    X(0, trap, "trap", None, 1)                                         \
    X(1, fallthrough, "fallthrough", None, 1)                           \
    X(3, unlikely, "unlikely", None, 0)                                 \
    X(10, ecalli, "ecalli", Imm, 0)                                     \
    X(20, load_imm_64, "load_imm_64", RegExtImm, 0)                     \
    X(30, store_imm_u8, "store_imm_u8", ImmImm, 0)                      \
    X(31, store_imm_u16, "store_imm_u16", ImmImm, 0)                    \
    X(32, store_imm_u32, "store_imm_u32", ImmImm, 0)                    \
    X(33, store_imm_u64, "store_imm_u64", ImmImm, 0)                    \
    X(40, jump, "jump", Off, 1)                                         \
    X(50, jump_ind, "jump_ind", RegImm, 1)                              \
    X(51, load_imm, "load_imm", RegImm, 0)                              \
    X(52, load_u8, "load_u8", RegImm, 0)                                \
    X(53, load_i8, "load_i8", RegImm, 0)                                \
    X(54, load_u16, "load_u16", RegImm, 0)                              \
    X(55, load_i16, "load_i16", RegImm, 0)                              \
    X(56, load_u32, "load_u32", RegImm, 0)                              \
    X(57, load_i32, "load_i32", RegImm, 0)                              \
    X(58, load_u64, "load_u64", RegImm, 0)                              \
    X(59, store_u8, "store_u8", RegImm, 0)                              \
    X(60, store_u16, "store_u16", RegImm, 0)                            \
    X(61, store_u32, "store_u32", RegImm, 0)                            \
    X(62, store_u64, "store_u64", RegImm, 0)                            \
    X(70, store_imm_ind_u8, "store_imm_ind_u8", RegImmImm, 0)           \
    X(71, store_imm_ind_u16, "store_imm_ind_u16", RegImmImm, 0)         \
    X(72, store_imm_ind_u32, "store_imm_ind_u32", RegImmImm, 0)         \
    X(73, store_imm_ind_u64, "store_imm_ind_u64", RegImmImm, 0)         \
    X(80, load_imm_jump, "load_imm_jump", RegImmOff, 1)                 \
    X(81, branch_eq_imm, "branch_eq_imm", RegImmOff, 1)                 \
    X(82, branch_ne_imm, "branch_ne_imm", RegImmOff, 1)                 \
    X(83, branch_lt_u_imm, "branch_lt_u_imm", RegImmOff, 1)             \
    X(84, branch_le_u_imm, "branch_le_u_imm", RegImmOff, 1)             \
    X(85, branch_ge_u_imm, "branch_ge_u_imm", RegImmOff, 1)             \
    X(86, branch_gt_u_imm, "branch_gt_u_imm", RegImmOff, 1)             \
    X(87, branch_lt_s_imm, "branch_lt_s_imm", RegImmOff, 1)             \
    X(88, branch_le_s_imm, "branch_le_s_imm", RegImmOff, 1)             \
    X(89, branch_ge_s_imm, "branch_ge_s_imm", RegImmOff, 1)             \
    X(90, branch_gt_s_imm, "branch_gt_s_imm", RegImmOff, 1)             \
    X(100, move_reg, "move_reg", RegReg, 0)                             \
    X(101, sbrk, "sbrk", RegReg, 0)                                     \
    X(102, count_set_bits_64, "count_set_bits_64", RegReg, 0)           \
    X(103, count_set_bits_32, "count_set_bits_32", RegReg, 0)           \
    X(104, leading_zero_bits_64, "leading_zero_bits_64", RegReg, 0)     \
    X(105, leading_zero_bits_32, "leading_zero_bits_32", RegReg, 0)     \
    X(106, trailing_zero_bits_64, "trailing_zero_bits_64", RegReg, 0)   \
    X(107, trailing_zero_bits_32, "trailing_zero_bits_32", RegReg, 0)   \
    X(108, sign_extend_8, "sign_extend_8", RegReg, 0)                   \
    X(109, sign_extend_16, "sign_extend_16", RegReg, 0)                 \
    X(110, zero_extend_16, "zero_extend_16", RegReg, 0)                 \
    X(111, reverse_bytes, "reverse_bytes", RegReg, 0)                   \
    X(120, store_ind_u8, "store_ind_u8", RegRegImm, 0)                  \
    X(121, store_ind_u16, "store_ind_u16", RegRegImm, 0)                \
    X(122, store_ind_u32, "store_ind_u32", RegRegImm, 0)                \
    X(123, store_ind_u64, "store_ind_u64", RegRegImm, 0)                \
    X(124, load_ind_u8, "load_ind_u8", RegRegImm, 0)                    \
    X(125, load_ind_i8, "load_ind_i8", RegRegImm, 0)                    \
    X(126, load_ind_u16, "load_ind_u16", RegRegImm, 0)                  \
    X(127, load_ind_i16, "load_ind_i16", RegRegImm, 0)                  \
    X(128, load_ind_u32, "load_ind_u32", RegRegImm, 0)                  \
    X(129, load_ind_i32, "load_ind_i32", RegRegImm, 0)                  \
    X(130, load_ind_u64, "load_ind_u64", RegRegImm, 0)                  \
    X(131, add_imm_32, "add_imm_32", RegRegImm, 0)                      \
    X(132, and_imm, "and_imm", RegRegImm, 0)                            \
    X(133, xor_imm, "xor_imm", RegRegImm, 0)                            \
    X(134, or_imm, "or_imm", RegRegImm, 0)                              \
    X(135, mul_imm_32, "mul_imm_32", RegRegImm, 0)                      \
    X(136, set_lt_u_imm, "set_lt_u_imm", RegRegImm, 0)                  \
    X(137, set_lt_s_imm, "set_lt_s_imm", RegRegImm, 0)                  \
    X(138, shlo_l_imm_32, "shlo_l_imm_32", RegRegImm, 0)                \
    X(139, shlo_r_imm_32, "shlo_r_imm_32", RegRegImm, 0)                \
    X(140, shar_r_imm_32, "shar_r_imm_32", RegRegImm, 0)                \
    X(141, neg_add_imm_32, "neg_add_imm_32", RegRegImm, 0)              \
    X(142, set_gt_u_imm, "set_gt_u_imm", RegRegImm, 0)                  \
    X(143, set_gt_s_imm, "set_gt_s_imm", RegRegImm, 0)                  \
    X(144, shlo_l_imm_alt_32, "shlo_l_imm_alt_32", RegRegImm, 0)        \
    X(145, shlo_r_imm_alt_32, "shlo_r_imm_alt_32", RegRegImm, 0)        \
    X(146, shar_r_imm_alt_32, "shar_r_imm_alt_32", RegRegImm, 0)        \
    X(147, cmov_iz_imm, "cmov_iz_imm", RegRegImm, 0)                    \
    X(148, cmov_nz_imm, "cmov_nz_imm", RegRegImm, 0)                    \
    X(149, add_imm_64, "add_imm_64", RegRegImm, 0)                      \
    X(150, mul_imm_64, "mul_imm_64", RegRegImm, 0)                      \
    X(151, shlo_l_imm_64, "shlo_l_imm_64", RegRegImm, 0)                \
    X(152, shlo_r_imm_64, "shlo_r_imm_64", RegRegImm, 0)                \
    X(153, shar_r_imm_64, "shar_r_imm_64", RegRegImm, 0)                \
    X(154, neg_add_imm_64, "neg_add_imm_64", RegRegImm, 0)              \
    X(155, shlo_l_imm_alt_64, "shlo_l_imm_alt_64", RegRegImm, 0)        \
    X(156, shlo_r_imm_alt_64, "shlo_r_imm_alt_64", RegRegImm, 0)        \
    X(157, shar_r_imm_alt_64, "shar_r_imm_alt_64", RegRegImm, 0)        \
    X(158, rot_r_64_imm, "rot_r_64_imm", RegRegImm, 0)                  \
    X(159, rot_r_64_imm_alt, "rot_r_64_imm_alt", RegRegImm, 0)          \
    X(160, rot_r_32_imm, "rot_r_32_imm", RegRegImm, 0)                  \
    X(161, rot_r_32_imm_alt, "rot_r_32_imm_alt", RegRegImm, 0)          \
    X(170, branch_eq, "branch_eq", RegRegOff, 1)                        \
    X(171, branch_ne, "branch_ne", RegRegOff, 1)                        \
    X(172, branch_lt_u, "branch_lt_u", RegRegOff, 1)                    \
    X(173, branch_lt_s, "branch_lt_s", RegRegOff, 1)                    \
    X(174, branch_ge_u, "branch_ge_u", RegRegOff, 1)                    \
    X(175, branch_ge_s, "branch_ge_s", RegRegOff, 1)                    \
    X(180, load_imm_jump_ind, "load_imm_jump_ind", RegRegImmImm, 1)     \
    X(190, add_32, "add_32", RegRegReg, 0)                              \
    X(191, sub_32, "sub_32", RegRegReg, 0)                              \
    X(192, mul_32, "mul_32", RegRegReg, 0)                              \
    X(193, div_u_32, "div_u_32", RegRegReg, 0)                          \
    X(194, div_s_32, "div_s_32", RegRegReg, 0)                          \
    X(195, rem_u_32, "rem_u_32", RegRegReg, 0)                          \
    X(196, rem_s_32, "rem_s_32", RegRegReg, 0)                          \
    X(197, shlo_l_32, "shlo_l_32", RegRegReg, 0)                        \
    X(198, shlo_r_32, "shlo_r_32", RegRegReg, 0)                        \
    X(199, shar_r_32, "shar_r_32", RegRegReg, 0)                        \
    X(200, add_64, "add_64", RegRegReg, 0)                              \
    X(201, sub_64, "sub_64", RegRegReg, 0)                              \
    X(202, mul_64, "mul_64", RegRegReg, 0)                              \
    X(203, div_u_64, "div_u_64", RegRegReg, 0)                          \
    X(204, div_s_64, "div_s_64", RegRegReg, 0)                          \
    X(205, rem_u_64, "rem_u_64", RegRegReg, 0)                          \
    X(206, rem_s_64, "rem_s_64", RegRegReg, 0)                          \
    X(207, shlo_l_64, "shlo_l_64", RegRegReg, 0)                        \
    X(208, shlo_r_64, "shlo_r_64", RegRegReg, 0)                        \
    X(209, shar_r_64, "shar_r_64", RegRegReg, 0)                        \
    X(210, and_, "and", RegRegReg, 0)                                   \
    X(211, xor_, "xor", RegRegReg, 0)                                   \
    X(212, or_, "or", RegRegReg, 0)                                     \
    X(213, mul_upper_s_s, "mul_upper_s_s", RegRegReg, 0)                \
    X(214, mul_upper_u_u, "mul_upper_u_u", RegRegReg, 0)                \
    X(215, mul_upper_s_u, "mul_upper_s_u", RegRegReg, 0)                \
    X(216, set_lt_u, "set_lt_u", RegRegReg, 0)                          \
    X(217, set_lt_s, "set_lt_s", RegRegReg, 0)                          \
    X(218, cmov_iz, "cmov_iz", RegRegReg, 0)                            \
    X(219, cmov_nz, "cmov_nz", RegRegReg, 0)                            \
    X(220, rot_l_64, "rot_l_64", RegRegReg, 0)                          \
    X(221, rot_l_32, "rot_l_32", RegRegReg, 0)                          \
    X(222, rot_r_64, "rot_r_64", RegRegReg, 0)                          \
    X(223, rot_r_32, "rot_r_32", RegRegReg, 0)                          \
    X(224, and_inv, "and_inv", RegRegReg, 0)                            \
    X(225, or_inv, "or_inv", RegRegReg, 0)                              \
    X(226, xnor, "xnor", RegRegReg, 0)                                  \
    X(227, max, "max", RegRegReg, 0)                                    \
    X(228, max_u, "max_u", RegRegReg, 0)                                \
    X(229, min, "min", RegRegReg, 0)                                    \
    X(230, min_u, "min_u", RegRegReg, 0)

// Dense operation index used by the pre-decoded program (Insn::op) and the interpreter's
// dispatch table: one per defined opcode, in table order, then the pseudo-ops.
enum Op : uint8_t {
#define PVM_ENUM(num, id, name, fmt, term) op_##id,
    PVM_OPCODES(PVM_ENUM)
#undef PVM_ENUM
    op_gas,      // charge the basic block's gas (imm = cost, pc = block start)
    op_invalid,  // undefined opcode, byte without bitmask bit, or end of code: panic
    op_count
};

struct OpInfo {
    const char* name;
    Fmt fmt;
    bool terminator;
    uint8_t opcode;  // the PVM opcode byte (0 for pseudo-ops)
};

// Gray Paper profile: which opcodes exist and how gas is charged (see program.h).
enum class Gp : uint8_t {
    V0_7_2 = 0,  // GP 0.5.4–0.7.2: 1 gas per instruction
    NewGas = 1,  // GP draft 0.7.1∆: pipeline-simulated block costs (A.9/A.10), `unlikely`
};

const OpInfo& op_info(uint8_t op);
// The Op of a PVM opcode byte in a profile; op_invalid when the byte is no defined opcode.
uint8_t op_from_opcode(uint8_t opcode, Gp gp = Gp::V0_7_2);

}  // namespace pvm
