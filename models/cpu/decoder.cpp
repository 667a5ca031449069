#include "models/cpu/decoder.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <vector>

namespace vp::cpu {
namespace {

// Encoding helpers (Unpriv. spec chapter 34, "RV32/64G Instruction Set Listings").
constexpr uint32_t kMaskOpc = 0x7f;
constexpr uint32_t kMaskF3 = 0x707f;
constexpr uint32_t kMaskF7 = 0xfe00707f;
constexpr uint32_t kMaskF6 = 0xfc00707f;
constexpr uint32_t kMaskF12 = 0xfff0707f;
constexpr uint32_t kMaskAll = 0xffffffff;
constexpr uint32_t f3(uint32_t opc, uint32_t funct3) { return opc | funct3 << 12; }
constexpr uint32_t f7(uint32_t opc, uint32_t funct3, uint32_t funct7) {
  return opc | funct3 << 12 | funct7 << 25;
}
constexpr uint32_t f6(uint32_t opc, uint32_t funct3, uint32_t funct6) {
  return opc | funct3 << 12 | funct6 << 26;
}
constexpr uint32_t f12(uint32_t opc, uint32_t funct3, uint32_t imm12) {
  return opc | funct3 << 12 | imm12 << 20;
}
constexpr uint32_t amo(uint32_t funct3, uint32_t funct5) { return 0x2f | funct3 << 12 | funct5 << 27; }
// OP-FP: funct7 and (for unary forms) rs2.
constexpr uint32_t fp(uint32_t funct7, uint32_t rs2 = 0) { return 0x53 | funct7 << 25 | rs2 << 20; }
constexpr uint32_t fpf3(uint32_t funct7, uint32_t funct3, uint32_t rs2 = 0) {
  return 0x53 | funct7 << 25 | funct3 << 12 | rs2 << 20;
}
constexpr uint32_t kMaskFpRm = 0xfe00007f;     // funct7 + opcode; rm free
constexpr uint32_t kMaskFpRmRs2 = 0xfff0007f;  // + rs2
constexpr uint32_t kMaskFpF3 = 0xfe00707f;
constexpr uint32_t kMaskFpF3Rs2 = 0xfff0707f;
constexpr uint32_t kMaskR4 = 0x0600007f;

constexpr uint8_t E = kEndsBlock, FD = kRdIsFloat, F1 = kRs1IsFloat, F2 = kRs2IsFloat;
constexpr uint32_t I = kExtI, M = kExtM, A = kExtA, F = kExtF, D = kExtD, ZICSR = kExtZicsr;
constexpr uint32_t ZIF = kExtZifencei, ZBA = kExtZba, ZBB = kExtZbb, ZBS = kExtZbs, S = kExtS;

#define OPN(x) #x, Op::x
const InsnInfo kTable[] = {
    // RV64I
    {"lui", kMaskOpc, 0x37, Op::LUI, Fmt::kU, I, 0},
    {"auipc", kMaskOpc, 0x17, Op::AUIPC, Fmt::kU, I, 0},
    {"jal", kMaskOpc, 0x6f, Op::JAL, Fmt::kJ, I, E},
    {"jalr", kMaskF3, f3(0x67, 0), Op::JALR, Fmt::kJalr, I, E},
    {"beq", kMaskF3, f3(0x63, 0), Op::BEQ, Fmt::kBranch, I, E},
    {"bne", kMaskF3, f3(0x63, 1), Op::BNE, Fmt::kBranch, I, E},
    {"blt", kMaskF3, f3(0x63, 4), Op::BLT, Fmt::kBranch, I, E},
    {"bge", kMaskF3, f3(0x63, 5), Op::BGE, Fmt::kBranch, I, E},
    {"bltu", kMaskF3, f3(0x63, 6), Op::BLTU, Fmt::kBranch, I, E},
    {"bgeu", kMaskF3, f3(0x63, 7), Op::BGEU, Fmt::kBranch, I, E},
    {"lb", kMaskF3, f3(0x03, 0), Op::LB, Fmt::kLoad, I, 0},
    {"lh", kMaskF3, f3(0x03, 1), Op::LH, Fmt::kLoad, I, 0},
    {"lw", kMaskF3, f3(0x03, 2), Op::LW, Fmt::kLoad, I, 0},
    {"ld", kMaskF3, f3(0x03, 3), Op::LD, Fmt::kLoad, I, 0},
    {"lbu", kMaskF3, f3(0x03, 4), Op::LBU, Fmt::kLoad, I, 0},
    {"lhu", kMaskF3, f3(0x03, 5), Op::LHU, Fmt::kLoad, I, 0},
    {"lwu", kMaskF3, f3(0x03, 6), Op::LWU, Fmt::kLoad, I, 0},
    {"sb", kMaskF3, f3(0x23, 0), Op::SB, Fmt::kStore, I, 0},
    {"sh", kMaskF3, f3(0x23, 1), Op::SH, Fmt::kStore, I, 0},
    {"sw", kMaskF3, f3(0x23, 2), Op::SW, Fmt::kStore, I, 0},
    {"sd", kMaskF3, f3(0x23, 3), Op::SD, Fmt::kStore, I, 0},
    {"addi", kMaskF3, f3(0x13, 0), Op::ADDI, Fmt::kI, I, 0},
    {"slti", kMaskF3, f3(0x13, 2), Op::SLTI, Fmt::kI, I, 0},
    {"sltiu", kMaskF3, f3(0x13, 3), Op::SLTIU, Fmt::kI, I, 0},
    {"xori", kMaskF3, f3(0x13, 4), Op::XORI, Fmt::kI, I, 0},
    {"ori", kMaskF3, f3(0x13, 6), Op::ORI, Fmt::kI, I, 0},
    {"andi", kMaskF3, f3(0x13, 7), Op::ANDI, Fmt::kI, I, 0},
    {"slli", kMaskF6, f6(0x13, 1, 0x00), Op::SLLI, Fmt::kShift, I, 0},
    {"srli", kMaskF6, f6(0x13, 5, 0x00), Op::SRLI, Fmt::kShift, I, 0},
    {"srai", kMaskF6, f6(0x13, 5, 0x10), Op::SRAI, Fmt::kShift, I, 0},
    {"add", kMaskF7, f7(0x33, 0, 0x00), Op::ADD, Fmt::kR, I, 0},
    {"sub", kMaskF7, f7(0x33, 0, 0x20), Op::SUB, Fmt::kR, I, 0},
    {"sll", kMaskF7, f7(0x33, 1, 0x00), Op::SLL, Fmt::kR, I, 0},
    {"slt", kMaskF7, f7(0x33, 2, 0x00), Op::SLT, Fmt::kR, I, 0},
    {"sltu", kMaskF7, f7(0x33, 3, 0x00), Op::SLTU, Fmt::kR, I, 0},
    {"xor", kMaskF7, f7(0x33, 4, 0x00), Op::XOR, Fmt::kR, I, 0},
    {"srl", kMaskF7, f7(0x33, 5, 0x00), Op::SRL, Fmt::kR, I, 0},
    {"sra", kMaskF7, f7(0x33, 5, 0x20), Op::SRA, Fmt::kR, I, 0},
    {"or", kMaskF7, f7(0x33, 6, 0x00), Op::OR, Fmt::kR, I, 0},
    {"and", kMaskF7, f7(0x33, 7, 0x00), Op::AND, Fmt::kR, I, 0},
    {"addiw", kMaskF3, f3(0x1b, 0), Op::ADDIW, Fmt::kI, I, 0},
    {"slliw", kMaskF7, f7(0x1b, 1, 0x00), Op::SLLIW, Fmt::kShift, I, 0},
    {"srliw", kMaskF7, f7(0x1b, 5, 0x00), Op::SRLIW, Fmt::kShift, I, 0},
    {"sraiw", kMaskF7, f7(0x1b, 5, 0x20), Op::SRAIW, Fmt::kShift, I, 0},
    {"addw", kMaskF7, f7(0x3b, 0, 0x00), Op::ADDW, Fmt::kR, I, 0},
    {"subw", kMaskF7, f7(0x3b, 0, 0x20), Op::SUBW, Fmt::kR, I, 0},
    {"sllw", kMaskF7, f7(0x3b, 1, 0x00), Op::SLLW, Fmt::kR, I, 0},
    {"srlw", kMaskF7, f7(0x3b, 5, 0x00), Op::SRLW, Fmt::kR, I, 0},
    {"sraw", kMaskF7, f7(0x3b, 5, 0x20), Op::SRAW, Fmt::kR, I, 0},
    {"fence", kMaskF3, f3(0x0f, 0), Op::FENCE, Fmt::kFence, I, 0},
    {"fence.i", kMaskF3, f3(0x0f, 1), Op::FENCE_I, Fmt::kNone, ZIF, E},
    {"ecall", kMaskAll, 0x00000073, Op::ECALL, Fmt::kNone, I, E},
    {"ebreak", kMaskAll, 0x00100073, Op::EBREAK, Fmt::kNone, I, E},
    {"mret", kMaskAll, 0x30200073, Op::MRET, Fmt::kNone, I, E},
    {"sret", kMaskAll, 0x10200073, Op::SRET, Fmt::kNone, S, E},
    {"wfi", kMaskAll, 0x10500073, Op::WFI, Fmt::kNone, I, E},
    {"sfence.vma", 0xfe007fff, 0x12000073, Op::SFENCE_VMA, Fmt::kSfence, S, E},
    {"csrrw", kMaskF3, f3(0x73, 1), Op::CSRRW, Fmt::kCsr, ZICSR, E},
    {"csrrs", kMaskF3, f3(0x73, 2), Op::CSRRS, Fmt::kCsr, ZICSR, E},
    {"csrrc", kMaskF3, f3(0x73, 3), Op::CSRRC, Fmt::kCsr, ZICSR, E},
    {"csrrwi", kMaskF3, f3(0x73, 5), Op::CSRRWI, Fmt::kCsrI, ZICSR, E},
    {"csrrsi", kMaskF3, f3(0x73, 6), Op::CSRRSI, Fmt::kCsrI, ZICSR, E},
    {"csrrci", kMaskF3, f3(0x73, 7), Op::CSRRCI, Fmt::kCsrI, ZICSR, E},
    // M
    {"mul", kMaskF7, f7(0x33, 0, 1), Op::MUL, Fmt::kR, M, 0},
    {"mulh", kMaskF7, f7(0x33, 1, 1), Op::MULH, Fmt::kR, M, 0},
    {"mulhsu", kMaskF7, f7(0x33, 2, 1), Op::MULHSU, Fmt::kR, M, 0},
    {"mulhu", kMaskF7, f7(0x33, 3, 1), Op::MULHU, Fmt::kR, M, 0},
    {"div", kMaskF7, f7(0x33, 4, 1), Op::DIV, Fmt::kR, M, 0},
    {"divu", kMaskF7, f7(0x33, 5, 1), Op::DIVU, Fmt::kR, M, 0},
    {"rem", kMaskF7, f7(0x33, 6, 1), Op::REM, Fmt::kR, M, 0},
    {"remu", kMaskF7, f7(0x33, 7, 1), Op::REMU, Fmt::kR, M, 0},
    {"mulw", kMaskF7, f7(0x3b, 0, 1), Op::MULW, Fmt::kR, M, 0},
    {"divw", kMaskF7, f7(0x3b, 4, 1), Op::DIVW, Fmt::kR, M, 0},
    {"divuw", kMaskF7, f7(0x3b, 5, 1), Op::DIVUW, Fmt::kR, M, 0},
    {"remw", kMaskF7, f7(0x3b, 6, 1), Op::REMW, Fmt::kR, M, 0},
    {"remuw", kMaskF7, f7(0x3b, 7, 1), Op::REMUW, Fmt::kR, M, 0},
    // A (aq/rl bits ignored: a single hart is sequentially consistent)
    {"lr.w", 0xf9f0707f, amo(2, 0x02), Op::LR_W, Fmt::kLr, A, 0},
    {"sc.w", 0xf800707f, amo(2, 0x03), Op::SC_W, Fmt::kAmo, A, 0},
    {"amoswap.w", 0xf800707f, amo(2, 0x01), Op::AMOSWAP_W, Fmt::kAmo, A, 0},
    {"amoadd.w", 0xf800707f, amo(2, 0x00), Op::AMOADD_W, Fmt::kAmo, A, 0},
    {"amoxor.w", 0xf800707f, amo(2, 0x04), Op::AMOXOR_W, Fmt::kAmo, A, 0},
    {"amoand.w", 0xf800707f, amo(2, 0x0c), Op::AMOAND_W, Fmt::kAmo, A, 0},
    {"amoor.w", 0xf800707f, amo(2, 0x08), Op::AMOOR_W, Fmt::kAmo, A, 0},
    {"amomin.w", 0xf800707f, amo(2, 0x10), Op::AMOMIN_W, Fmt::kAmo, A, 0},
    {"amomax.w", 0xf800707f, amo(2, 0x14), Op::AMOMAX_W, Fmt::kAmo, A, 0},
    {"amominu.w", 0xf800707f, amo(2, 0x18), Op::AMOMINU_W, Fmt::kAmo, A, 0},
    {"amomaxu.w", 0xf800707f, amo(2, 0x1c), Op::AMOMAXU_W, Fmt::kAmo, A, 0},
    {"lr.d", 0xf9f0707f, amo(3, 0x02), Op::LR_D, Fmt::kLr, A, 0},
    {"sc.d", 0xf800707f, amo(3, 0x03), Op::SC_D, Fmt::kAmo, A, 0},
    {"amoswap.d", 0xf800707f, amo(3, 0x01), Op::AMOSWAP_D, Fmt::kAmo, A, 0},
    {"amoadd.d", 0xf800707f, amo(3, 0x00), Op::AMOADD_D, Fmt::kAmo, A, 0},
    {"amoxor.d", 0xf800707f, amo(3, 0x04), Op::AMOXOR_D, Fmt::kAmo, A, 0},
    {"amoand.d", 0xf800707f, amo(3, 0x0c), Op::AMOAND_D, Fmt::kAmo, A, 0},
    {"amoor.d", 0xf800707f, amo(3, 0x08), Op::AMOOR_D, Fmt::kAmo, A, 0},
    {"amomin.d", 0xf800707f, amo(3, 0x10), Op::AMOMIN_D, Fmt::kAmo, A, 0},
    {"amomax.d", 0xf800707f, amo(3, 0x14), Op::AMOMAX_D, Fmt::kAmo, A, 0},
    {"amominu.d", 0xf800707f, amo(3, 0x18), Op::AMOMINU_D, Fmt::kAmo, A, 0},
    {"amomaxu.d", 0xf800707f, amo(3, 0x1c), Op::AMOMAXU_D, Fmt::kAmo, A, 0},
    // F
    {"flw", kMaskF3, f3(0x07, 2), Op::FLW, Fmt::kFLoad, F, FD},
    {"fsw", kMaskF3, f3(0x27, 2), Op::FSW, Fmt::kFStore, F, F2},
    {"fmadd.s", kMaskR4, 0x43, Op::FMADD_S, Fmt::kFR4, F, FD | F1 | F2},
    {"fmsub.s", kMaskR4, 0x47, Op::FMSUB_S, Fmt::kFR4, F, FD | F1 | F2},
    {"fnmsub.s", kMaskR4, 0x4b, Op::FNMSUB_S, Fmt::kFR4, F, FD | F1 | F2},
    {"fnmadd.s", kMaskR4, 0x4f, Op::FNMADD_S, Fmt::kFR4, F, FD | F1 | F2},
    {"fadd.s", kMaskFpRm, fp(0x00), Op::FADD_S, Fmt::kFR, F, FD | F1 | F2},
    {"fsub.s", kMaskFpRm, fp(0x04), Op::FSUB_S, Fmt::kFR, F, FD | F1 | F2},
    {"fmul.s", kMaskFpRm, fp(0x08), Op::FMUL_S, Fmt::kFR, F, FD | F1 | F2},
    {"fdiv.s", kMaskFpRm, fp(0x0c), Op::FDIV_S, Fmt::kFR, F, FD | F1 | F2},
    {"fsqrt.s", kMaskFpRmRs2, fp(0x2c), Op::FSQRT_S, Fmt::kFR1, F, FD | F1},
    {"fsgnj.s", kMaskFpF3, fpf3(0x10, 0), Op::FSGNJ_S, Fmt::kFR, F, FD | F1 | F2},
    {"fsgnjn.s", kMaskFpF3, fpf3(0x10, 1), Op::FSGNJN_S, Fmt::kFR, F, FD | F1 | F2},
    {"fsgnjx.s", kMaskFpF3, fpf3(0x10, 2), Op::FSGNJX_S, Fmt::kFR, F, FD | F1 | F2},
    {"fmin.s", kMaskFpF3, fpf3(0x14, 0), Op::FMIN_S, Fmt::kFR, F, FD | F1 | F2},
    {"fmax.s", kMaskFpF3, fpf3(0x14, 1), Op::FMAX_S, Fmt::kFR, F, FD | F1 | F2},
    {"fcvt.w.s", kMaskFpRmRs2, fp(0x60, 0), Op::FCVT_W_S, Fmt::kFR1, F, F1},
    {"fcvt.wu.s", kMaskFpRmRs2, fp(0x60, 1), Op::FCVT_WU_S, Fmt::kFR1, F, F1},
    {"fcvt.l.s", kMaskFpRmRs2, fp(0x60, 2), Op::FCVT_L_S, Fmt::kFR1, F, F1},
    {"fcvt.lu.s", kMaskFpRmRs2, fp(0x60, 3), Op::FCVT_LU_S, Fmt::kFR1, F, F1},
    {"fmv.x.w", kMaskFpF3Rs2, fpf3(0x70, 0), Op::FMV_X_W, Fmt::kFR1, F, F1},
    {"fclass.s", kMaskFpF3Rs2, fpf3(0x70, 1), Op::FCLASS_S, Fmt::kFR1, F, F1},
    {"feq.s", kMaskFpF3, fpf3(0x50, 2), Op::FEQ_S, Fmt::kFR, F, F1 | F2},
    {"flt.s", kMaskFpF3, fpf3(0x50, 1), Op::FLT_S, Fmt::kFR, F, F1 | F2},
    {"fle.s", kMaskFpF3, fpf3(0x50, 0), Op::FLE_S, Fmt::kFR, F, F1 | F2},
    {"fcvt.s.w", kMaskFpRmRs2, fp(0x68, 0), Op::FCVT_S_W, Fmt::kFR1, F, FD},
    {"fcvt.s.wu", kMaskFpRmRs2, fp(0x68, 1), Op::FCVT_S_WU, Fmt::kFR1, F, FD},
    {"fcvt.s.l", kMaskFpRmRs2, fp(0x68, 2), Op::FCVT_S_L, Fmt::kFR1, F, FD},
    {"fcvt.s.lu", kMaskFpRmRs2, fp(0x68, 3), Op::FCVT_S_LU, Fmt::kFR1, F, FD},
    {"fmv.w.x", kMaskFpF3Rs2, fpf3(0x78, 0), Op::FMV_W_X, Fmt::kFR1, F, FD},
    // D
    {"fld", kMaskF3, f3(0x07, 3), Op::FLD, Fmt::kFLoad, D, FD},
    {"fsd", kMaskF3, f3(0x27, 3), Op::FSD, Fmt::kFStore, D, F2},
    {"fmadd.d", kMaskR4, 0x43 | 1u << 25, Op::FMADD_D, Fmt::kFR4, D, FD | F1 | F2},
    {"fmsub.d", kMaskR4, 0x47 | 1u << 25, Op::FMSUB_D, Fmt::kFR4, D, FD | F1 | F2},
    {"fnmsub.d", kMaskR4, 0x4b | 1u << 25, Op::FNMSUB_D, Fmt::kFR4, D, FD | F1 | F2},
    {"fnmadd.d", kMaskR4, 0x4f | 1u << 25, Op::FNMADD_D, Fmt::kFR4, D, FD | F1 | F2},
    {"fadd.d", kMaskFpRm, fp(0x01), Op::FADD_D, Fmt::kFR, D, FD | F1 | F2},
    {"fsub.d", kMaskFpRm, fp(0x05), Op::FSUB_D, Fmt::kFR, D, FD | F1 | F2},
    {"fmul.d", kMaskFpRm, fp(0x09), Op::FMUL_D, Fmt::kFR, D, FD | F1 | F2},
    {"fdiv.d", kMaskFpRm, fp(0x0d), Op::FDIV_D, Fmt::kFR, D, FD | F1 | F2},
    {"fsqrt.d", kMaskFpRmRs2, fp(0x2d), Op::FSQRT_D, Fmt::kFR1, D, FD | F1},
    {"fsgnj.d", kMaskFpF3, fpf3(0x11, 0), Op::FSGNJ_D, Fmt::kFR, D, FD | F1 | F2},
    {"fsgnjn.d", kMaskFpF3, fpf3(0x11, 1), Op::FSGNJN_D, Fmt::kFR, D, FD | F1 | F2},
    {"fsgnjx.d", kMaskFpF3, fpf3(0x11, 2), Op::FSGNJX_D, Fmt::kFR, D, FD | F1 | F2},
    {"fmin.d", kMaskFpF3, fpf3(0x15, 0), Op::FMIN_D, Fmt::kFR, D, FD | F1 | F2},
    {"fmax.d", kMaskFpF3, fpf3(0x15, 1), Op::FMAX_D, Fmt::kFR, D, FD | F1 | F2},
    {"fcvt.s.d", kMaskFpRmRs2, fp(0x20, 1), Op::FCVT_S_D, Fmt::kFR1, D, FD | F1},
    {"fcvt.d.s", kMaskFpRmRs2, fp(0x21, 0), Op::FCVT_D_S, Fmt::kFR1, D, FD | F1},
    {"fcvt.w.d", kMaskFpRmRs2, fp(0x61, 0), Op::FCVT_W_D, Fmt::kFR1, D, F1},
    {"fcvt.wu.d", kMaskFpRmRs2, fp(0x61, 1), Op::FCVT_WU_D, Fmt::kFR1, D, F1},
    {"fcvt.l.d", kMaskFpRmRs2, fp(0x61, 2), Op::FCVT_L_D, Fmt::kFR1, D, F1},
    {"fcvt.lu.d", kMaskFpRmRs2, fp(0x61, 3), Op::FCVT_LU_D, Fmt::kFR1, D, F1},
    {"fmv.x.d", kMaskFpF3Rs2, fpf3(0x71, 0), Op::FMV_X_D, Fmt::kFR1, D, F1},
    {"fclass.d", kMaskFpF3Rs2, fpf3(0x71, 1), Op::FCLASS_D, Fmt::kFR1, D, F1},
    {"feq.d", kMaskFpF3, fpf3(0x51, 2), Op::FEQ_D, Fmt::kFR, D, F1 | F2},
    {"flt.d", kMaskFpF3, fpf3(0x51, 1), Op::FLT_D, Fmt::kFR, D, F1 | F2},
    {"fle.d", kMaskFpF3, fpf3(0x51, 0), Op::FLE_D, Fmt::kFR, D, F1 | F2},
    {"fcvt.d.w", kMaskFpRmRs2, fp(0x69, 0), Op::FCVT_D_W, Fmt::kFR1, D, FD},
    {"fcvt.d.wu", kMaskFpRmRs2, fp(0x69, 1), Op::FCVT_D_WU, Fmt::kFR1, D, FD},
    {"fcvt.d.l", kMaskFpRmRs2, fp(0x69, 2), Op::FCVT_D_L, Fmt::kFR1, D, FD},
    {"fcvt.d.lu", kMaskFpRmRs2, fp(0x69, 3), Op::FCVT_D_LU, Fmt::kFR1, D, FD},
    {"fmv.d.x", kMaskFpF3Rs2, fpf3(0x79, 0), Op::FMV_D_X, Fmt::kFR1, D, FD},
    // Zba
    {"sh1add", kMaskF7, f7(0x33, 2, 0x10), Op::SH1ADD, Fmt::kR, ZBA, 0},
    {"sh2add", kMaskF7, f7(0x33, 4, 0x10), Op::SH2ADD, Fmt::kR, ZBA, 0},
    {"sh3add", kMaskF7, f7(0x33, 6, 0x10), Op::SH3ADD, Fmt::kR, ZBA, 0},
    {"add.uw", kMaskF7, f7(0x3b, 0, 0x04), Op::ADD_UW, Fmt::kR, ZBA, 0},
    {"sh1add.uw", kMaskF7, f7(0x3b, 2, 0x10), Op::SH1ADD_UW, Fmt::kR, ZBA, 0},
    {"sh2add.uw", kMaskF7, f7(0x3b, 4, 0x10), Op::SH2ADD_UW, Fmt::kR, ZBA, 0},
    {"sh3add.uw", kMaskF7, f7(0x3b, 6, 0x10), Op::SH3ADD_UW, Fmt::kR, ZBA, 0},
    {"slli.uw", kMaskF6, f6(0x1b, 1, 0x02), Op::SLLI_UW, Fmt::kShift, ZBA, 0},
    // Zbb
    {"andn", kMaskF7, f7(0x33, 7, 0x20), Op::ANDN, Fmt::kR, ZBB, 0},
    {"orn", kMaskF7, f7(0x33, 6, 0x20), Op::ORN, Fmt::kR, ZBB, 0},
    {"xnor", kMaskF7, f7(0x33, 4, 0x20), Op::XNOR, Fmt::kR, ZBB, 0},
    {"clz", kMaskF12, f12(0x13, 1, 0x600), Op::CLZ, Fmt::kUnary, ZBB, 0},
    {"ctz", kMaskF12, f12(0x13, 1, 0x601), Op::CTZ, Fmt::kUnary, ZBB, 0},
    {"cpop", kMaskF12, f12(0x13, 1, 0x602), Op::CPOP, Fmt::kUnary, ZBB, 0},
    {"clzw", kMaskF12, f12(0x1b, 1, 0x600), Op::CLZW, Fmt::kUnary, ZBB, 0},
    {"ctzw", kMaskF12, f12(0x1b, 1, 0x601), Op::CTZW, Fmt::kUnary, ZBB, 0},
    {"cpopw", kMaskF12, f12(0x1b, 1, 0x602), Op::CPOPW, Fmt::kUnary, ZBB, 0},
    {"max", kMaskF7, f7(0x33, 6, 0x05), Op::MAX, Fmt::kR, ZBB, 0},
    {"maxu", kMaskF7, f7(0x33, 7, 0x05), Op::MAXU, Fmt::kR, ZBB, 0},
    {"min", kMaskF7, f7(0x33, 4, 0x05), Op::MIN, Fmt::kR, ZBB, 0},
    {"minu", kMaskF7, f7(0x33, 5, 0x05), Op::MINU, Fmt::kR, ZBB, 0},
    {"sext.b", kMaskF12, f12(0x13, 1, 0x604), Op::SEXT_B, Fmt::kUnary, ZBB, 0},
    {"sext.h", kMaskF12, f12(0x13, 1, 0x605), Op::SEXT_H, Fmt::kUnary, ZBB, 0},
    {"zext.h", kMaskF12, f12(0x3b, 4, 0x080), Op::ZEXT_H, Fmt::kUnary, ZBB, 0},
    {"rol", kMaskF7, f7(0x33, 1, 0x30), Op::ROL, Fmt::kR, ZBB, 0},
    {"ror", kMaskF7, f7(0x33, 5, 0x30), Op::ROR, Fmt::kR, ZBB, 0},
    {"rori", kMaskF6, f6(0x13, 5, 0x18), Op::RORI, Fmt::kShift, ZBB, 0},
    {"rolw", kMaskF7, f7(0x3b, 1, 0x30), Op::ROLW, Fmt::kR, ZBB, 0},
    {"rorw", kMaskF7, f7(0x3b, 5, 0x30), Op::RORW, Fmt::kR, ZBB, 0},
    {"roriw", kMaskF7, f7(0x1b, 5, 0x30), Op::RORIW, Fmt::kShift, ZBB, 0},
    {"orc.b", kMaskF12, f12(0x13, 5, 0x287), Op::ORC_B, Fmt::kUnary, ZBB, 0},
    {"rev8", kMaskF12, f12(0x13, 5, 0x6b8), Op::REV8, Fmt::kUnary, ZBB, 0},
    // Zbs
    {"bclr", kMaskF7, f7(0x33, 1, 0x24), Op::BCLR, Fmt::kR, ZBS, 0},
    {"bclri", kMaskF6, f6(0x13, 1, 0x12), Op::BCLRI, Fmt::kShift, ZBS, 0},
    {"bext", kMaskF7, f7(0x33, 5, 0x24), Op::BEXT, Fmt::kR, ZBS, 0},
    {"bexti", kMaskF6, f6(0x13, 5, 0x12), Op::BEXTI, Fmt::kShift, ZBS, 0},
    {"binv", kMaskF7, f7(0x33, 1, 0x34), Op::BINV, Fmt::kR, ZBS, 0},
    {"binvi", kMaskF6, f6(0x13, 1, 0x1a), Op::BINVI, Fmt::kShift, ZBS, 0},
    {"bset", kMaskF7, f7(0x33, 1, 0x14), Op::BSET, Fmt::kR, ZBS, 0},
    {"bseti", kMaskF6, f6(0x13, 1, 0x0a), Op::BSETI, Fmt::kShift, ZBS, 0},
};
#undef OPN

const InsnInfo kIllegal{"unknown", 0, 0, Op::ILLEGAL, Fmt::kNone, 0, E};

// Table entries bucketed by major opcode and funct3, most specific mask first (an
// entry whose mask leaves funct3 open is in each bucket its match allows): a lookup
// scans a handful of entries, not every extension's variants of the opcode.
struct Buckets {
  std::array<std::vector<const InsnInfo*>, 256> by_opcode_f3;
  Buckets() {
    std::array<std::vector<const InsnInfo*>, 32> by_opcode;
    for (const InsnInfo& e : kTable) by_opcode[(e.match >> 2) & 31].push_back(&e);
    for (unsigned op = 0; op < 32; ++op) {
      auto& v = by_opcode[op];
      std::stable_sort(v.begin(), v.end(), [](const InsnInfo* a, const InsnInfo* b) {
        return __builtin_popcount(a->mask) > __builtin_popcount(b->mask);
      });
      for (uint32_t f3 = 0; f3 < 8; ++f3)
        for (const InsnInfo* e : v)
          if ((((f3 << 12) ^ e->match) & e->mask & 0x7000) == 0) by_opcode_f3[op << 3 | f3].push_back(e);
    }
  }
};
const Buckets& buckets() {
  static const Buckets b;
  return b;
}

inline uint32_t bits(uint32_t v, int hi, int lo) { return (v >> lo) & ((1u << (hi - lo + 1)) - 1); }
inline int64_t sext(uint64_t v, int width) {
  return static_cast<int64_t>(v << (64 - width)) >> (64 - width);
}

// 32-bit encoders used by the RVC expansion.
uint32_t enc_i(uint32_t opc, uint32_t funct3, uint32_t rd, uint32_t rs1, int32_t imm) {
  return opc | rd << 7 | funct3 << 12 | rs1 << 15 | (static_cast<uint32_t>(imm) & 0xfff) << 20;
}
uint32_t enc_s(uint32_t opc, uint32_t funct3, uint32_t rs1, uint32_t rs2, int32_t imm) {
  uint32_t u = static_cast<uint32_t>(imm);
  return opc | (u & 0x1f) << 7 | funct3 << 12 | rs1 << 15 | rs2 << 20 | ((u >> 5) & 0x7f) << 25;
}
uint32_t enc_r(uint32_t opc, uint32_t funct3, uint32_t funct7, uint32_t rd, uint32_t rs1,
               uint32_t rs2) {
  return opc | rd << 7 | funct3 << 12 | rs1 << 15 | rs2 << 20 | funct7 << 25;
}
uint32_t enc_b(uint32_t funct3, uint32_t rs1, uint32_t rs2, int32_t imm) {
  uint32_t u = static_cast<uint32_t>(imm);
  return 0x63 | ((u >> 11) & 1) << 7 | ((u >> 1) & 0xf) << 8 | funct3 << 12 | rs1 << 15 |
         rs2 << 20 | ((u >> 5) & 0x3f) << 25 | ((u >> 12) & 1) << 31;
}
uint32_t enc_j(uint32_t rd, int32_t imm) {
  uint32_t u = static_cast<uint32_t>(imm);
  return 0x6f | rd << 7 | ((u >> 12) & 0xff) << 12 | ((u >> 11) & 1) << 20 |
         ((u >> 1) & 0x3ff) << 21 | ((u >> 20) & 1) << 31;
}

}  // namespace

uint32_t expand_compressed(uint16_t c, uint32_t ext) {
  const uint32_t op = c & 3, funct3 = bits(c, 15, 13);
  const uint32_t rd = bits(c, 11, 7), rs2 = bits(c, 6, 2);
  const uint32_t rdp = 8 + bits(c, 4, 2), rs1p = 8 + bits(c, 9, 7);
  const bool has_d = ext & kExtD;
  switch (op << 3 | funct3) {
    case 0: {  // c.addi4spn
      uint32_t imm = bits(c, 12, 11) << 4 | bits(c, 10, 7) << 6 | bits(c, 6, 6) << 2 |
                     bits(c, 5, 5) << 3;
      if (imm == 0) return 0;
      return enc_i(0x13, 0, rdp, 2, static_cast<int32_t>(imm));
    }
    case 1: {  // c.fld
      if (!has_d) return 0;
      uint32_t imm = bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6;
      return enc_i(0x07, 3, rdp, rs1p, static_cast<int32_t>(imm));
    }
    case 2: {  // c.lw
      uint32_t imm = bits(c, 12, 10) << 3 | bits(c, 6, 6) << 2 | bits(c, 5, 5) << 6;
      return enc_i(0x03, 2, rdp, rs1p, static_cast<int32_t>(imm));
    }
    case 3: {  // c.ld
      uint32_t imm = bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6;
      return enc_i(0x03, 3, rdp, rs1p, static_cast<int32_t>(imm));
    }
    case 5: {  // c.fsd
      if (!has_d) return 0;
      uint32_t imm = bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6;
      return enc_s(0x27, 3, rs1p, rdp, static_cast<int32_t>(imm));
    }
    case 6: {  // c.sw
      uint32_t imm = bits(c, 12, 10) << 3 | bits(c, 6, 6) << 2 | bits(c, 5, 5) << 6;
      return enc_s(0x23, 2, rs1p, rdp, static_cast<int32_t>(imm));
    }
    case 7: {  // c.sd
      uint32_t imm = bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6;
      return enc_s(0x23, 3, rs1p, rdp, static_cast<int32_t>(imm));
    }
    case 8: {  // c.addi / c.nop
      int32_t imm = static_cast<int32_t>(sext(bits(c, 12, 12) << 5 | bits(c, 6, 2), 6));
      return enc_i(0x13, 0, rd, rd, imm);
    }
    case 9: {  // c.addiw
      if (rd == 0) return 0;
      int32_t imm = static_cast<int32_t>(sext(bits(c, 12, 12) << 5 | bits(c, 6, 2), 6));
      return enc_i(0x1b, 0, rd, rd, imm);
    }
    case 10: {  // c.li
      int32_t imm = static_cast<int32_t>(sext(bits(c, 12, 12) << 5 | bits(c, 6, 2), 6));
      return enc_i(0x13, 0, rd, 0, imm);
    }
    case 11: {
      if (rd == 2) {  // c.addi16sp
        uint32_t u = bits(c, 12, 12) << 9 | bits(c, 6, 6) << 4 | bits(c, 5, 5) << 6 |
                     bits(c, 4, 3) << 7 | bits(c, 2, 2) << 5;
        int32_t imm = static_cast<int32_t>(sext(u, 10));
        if (imm == 0) return 0;
        return enc_i(0x13, 0, 2, 2, imm);
      }
      // c.lui
      uint32_t u = bits(c, 12, 12) << 17 | bits(c, 6, 2) << 12;
      if (u == 0) return 0;
      int32_t imm = static_cast<int32_t>(sext(u, 18));
      return 0x37 | rd << 7 | (static_cast<uint32_t>(imm) & 0xfffff000);
    }
    case 12: {  // misc ALU
      uint32_t sh = bits(c, 12, 12) << 5 | bits(c, 6, 2);
      switch (bits(c, 11, 10)) {
        case 0: return enc_i(0x13, 5, rs1p, rs1p, static_cast<int32_t>(sh));          // c.srli
        case 1: return enc_i(0x13, 5, rs1p, rs1p, static_cast<int32_t>(sh | 0x400));  // c.srai
        case 2: {                                                                      // c.andi
          int32_t imm = static_cast<int32_t>(sext(sh, 6));
          return enc_i(0x13, 7, rs1p, rs1p, imm);
        }
        default: {
          uint32_t r2 = 8 + bits(c, 4, 2);
          switch (bits(c, 12, 12) << 2 | bits(c, 6, 5)) {
            case 0: return enc_r(0x33, 0, 0x20, rs1p, rs1p, r2);  // c.sub
            case 1: return enc_r(0x33, 4, 0, rs1p, rs1p, r2);     // c.xor
            case 2: return enc_r(0x33, 6, 0, rs1p, rs1p, r2);     // c.or
            case 3: return enc_r(0x33, 7, 0, rs1p, rs1p, r2);     // c.and
            case 4: return enc_r(0x3b, 0, 0x20, rs1p, rs1p, r2);  // c.subw
            case 5: return enc_r(0x3b, 0, 0, rs1p, rs1p, r2);     // c.addw
            default: return 0;
          }
        }
      }
    }
    case 13: {  // c.j
      uint32_t u = bits(c, 12, 12) << 11 | bits(c, 11, 11) << 4 | bits(c, 10, 9) << 8 |
                   bits(c, 8, 8) << 10 | bits(c, 7, 7) << 6 | bits(c, 6, 6) << 7 |
                   bits(c, 5, 3) << 1 | bits(c, 2, 2) << 5;
      return enc_j(0, static_cast<int32_t>(sext(u, 12)));
    }
    case 14:
    case 15: {  // c.beqz / c.bnez
      uint32_t u = bits(c, 12, 12) << 8 | bits(c, 11, 10) << 3 | bits(c, 6, 5) << 6 |
                   bits(c, 4, 3) << 1 | bits(c, 2, 2) << 5;
      return enc_b(funct3 == 6 ? 0 : 1, rs1p, 0, static_cast<int32_t>(sext(u, 9)));
    }
    case 16: {  // c.slli
      uint32_t sh = bits(c, 12, 12) << 5 | bits(c, 6, 2);
      return enc_i(0x13, 1, rd, rd, static_cast<int32_t>(sh));
    }
    case 17: {  // c.fldsp
      if (!has_d) return 0;
      uint32_t imm = bits(c, 12, 12) << 5 | bits(c, 6, 5) << 3 | bits(c, 4, 2) << 6;
      return enc_i(0x07, 3, rd, 2, static_cast<int32_t>(imm));
    }
    case 18: {  // c.lwsp
      if (rd == 0) return 0;
      uint32_t imm = bits(c, 12, 12) << 5 | bits(c, 6, 4) << 2 | bits(c, 3, 2) << 6;
      return enc_i(0x03, 2, rd, 2, static_cast<int32_t>(imm));
    }
    case 19: {  // c.ldsp
      if (rd == 0) return 0;
      uint32_t imm = bits(c, 12, 12) << 5 | bits(c, 6, 5) << 3 | bits(c, 4, 2) << 6;
      return enc_i(0x03, 3, rd, 2, static_cast<int32_t>(imm));
    }
    case 20: {
      if (bits(c, 12, 12) == 0) {
        if (rs2 == 0) {  // c.jr
          if (rd == 0) return 0;
          return enc_i(0x67, 0, 0, rd, 0);
        }
        return enc_r(0x33, 0, 0, rd, 0, rs2);  // c.mv
      }
      if (rs2 == 0) {
        if (rd == 0) return 0x00100073;         // c.ebreak
        return enc_i(0x67, 0, 1, rd, 0);        // c.jalr
      }
      return enc_r(0x33, 0, 0, rd, rd, rs2);  // c.add
    }
    case 21: {  // c.fsdsp
      if (!has_d) return 0;
      uint32_t imm = bits(c, 12, 10) << 3 | bits(c, 9, 7) << 6;
      return enc_s(0x27, 3, 2, rs2, static_cast<int32_t>(imm));
    }
    case 22: {  // c.swsp
      uint32_t imm = bits(c, 12, 9) << 2 | bits(c, 8, 7) << 6;
      return enc_s(0x23, 2, 2, rs2, static_cast<int32_t>(imm));
    }
    case 23: {  // c.sdsp
      uint32_t imm = bits(c, 12, 10) << 3 | bits(c, 9, 7) << 6;
      return enc_s(0x23, 3, 2, rs2, static_cast<int32_t>(imm));
    }
    default:
      return 0;
  }
}

Insn decode(uint32_t raw, uint32_t ext) {
  Insn in;
  in.raw = raw;
  in.info = &kIllegal;
  uint32_t w = raw;
  if ((raw & 3) != 3) {
    in.len = 2;
    in.raw = raw & 0xffff;
    if (!(ext & kExtC)) return in;
    w = expand_compressed(static_cast<uint16_t>(raw), ext);
    if (w == 0) return in;
  }
  if ((w & 0x1f) == 0x1f) return in;  // 48-bit and longer encodings: none implemented
  const InsnInfo* found = nullptr;
  for (const InsnInfo* e : buckets().by_opcode_f3[((w >> 2) & 31) << 3 | ((w >> 12) & 7)]) {
    if ((w & e->mask) == e->match) {
      found = e;
      break;
    }
  }
  if (!found || !(found->ext & ext)) return in;
  in.info = found;
  in.op = found->op;
  in.rd = bits(w, 11, 7);
  in.rs1 = bits(w, 19, 15);
  in.rs2 = bits(w, 24, 20);
  in.rs3 = bits(w, 31, 27);
  in.rm = bits(w, 14, 12);
  switch (found->fmt) {
    case Fmt::kI: case Fmt::kLoad: case Fmt::kJalr: case Fmt::kFLoad:
      in.imm = sext(w >> 20, 12);
      break;
    case Fmt::kShift:
      in.imm = bits(w, 25, 20);
      break;
    case Fmt::kStore: case Fmt::kFStore:
      in.imm = sext(bits(w, 31, 25) << 5 | bits(w, 11, 7), 12);
      break;
    case Fmt::kBranch:
      in.imm = sext(bits(w, 31, 31) << 12 | bits(w, 7, 7) << 11 | bits(w, 30, 25) << 5 |
                        bits(w, 11, 8) << 1,
                    13);
      break;
    case Fmt::kU:
      in.imm = sext(w & 0xfffff000u, 32);
      break;
    case Fmt::kJ:
      in.imm = sext(bits(w, 31, 31) << 20 | bits(w, 19, 12) << 12 | bits(w, 20, 20) << 11 |
                        bits(w, 30, 21) << 1,
                    21);
      break;
    case Fmt::kCsr: case Fmt::kCsrI:
      in.imm = w >> 20;
      break;
    case Fmt::kFence:
      in.imm = bits(w, 27, 20);
      break;
    default:
      break;
  }
  return in;
}

const char* op_name(Op op) {
  static const char* names[] = {
#define VP_CPU_NAME(name) #name,
      VP_CPU_OPS(VP_CPU_NAME)
#undef VP_CPU_NAME
  };
  return static_cast<size_t>(op) < sizeof names / sizeof names[0] ? names[static_cast<size_t>(op)]
                                                                  : "?";
}

const char* xreg_name(unsigned r) {
  static const char* n[] = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
                            "a1",   "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
                            "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
  return n[r & 31];
}

const char* freg_name(unsigned r) {
  static const char* n[] = {"ft0", "ft1", "ft2",  "ft3",  "ft4", "ft5", "ft6",  "ft7",
                            "fs0", "fs1", "fa0",  "fa1",  "fa2", "fa3", "fa4",  "fa5",
                            "fa6", "fa7", "fs2",  "fs3",  "fs4", "fs5", "fs6",  "fs7",
                            "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};
  return n[r & 31];
}

std::string disassemble(const Insn& in, uint64_t pc) {
  const InsnInfo* info = in.info;
  char buf[96];
  auto X = xreg_name;
  const char* rd = (info->flags & kRdIsFloat) ? freg_name(in.rd) : X(in.rd);
  const char* rs1 = (info->flags & kRs1IsFloat) ? freg_name(in.rs1) : X(in.rs1);
  const char* rs2 = (info->flags & kRs2IsFloat) ? freg_name(in.rs2) : X(in.rs2);
  const long long imm = static_cast<long long>(in.imm);
  const unsigned long long target = static_cast<unsigned long long>(pc + in.imm);
  // A few objdump pseudo-instructions.
  switch (in.op) {
    case Op::ILLEGAL:
      std::snprintf(buf, sizeof buf, "unknown (0x%0*x)", in.len == 2 ? 4 : 8, in.raw);
      return buf;
    case Op::ADDI:
      if (in.rd == 0 && in.rs1 == 0 && in.imm == 0) return "nop";
      if (in.rs1 == 0) { std::snprintf(buf, sizeof buf, "li %s,%lld", rd, imm); return buf; }
      if (in.imm == 0) { std::snprintf(buf, sizeof buf, "mv %s,%s", rd, rs1); return buf; }
      break;
    case Op::JAL:
      if (in.rd == 0) { std::snprintf(buf, sizeof buf, "j %llx", target); return buf; }
      std::snprintf(buf, sizeof buf, "jal %s,%llx", rd, target);
      return buf;
    case Op::JALR:
      if (in.rd == 0 && in.rs1 == 1 && in.imm == 0) return "ret";
      if (in.rd == 0 && in.imm == 0) { std::snprintf(buf, sizeof buf, "jr %s", rs1); return buf; }
      break;
    case Op::CSRRS:
      if (in.rs1 == 0) { std::snprintf(buf, sizeof buf, "csrr %s,0x%llx", rd, imm); return buf; }
      break;
    case Op::CSRRW:
      if (in.rd == 0) { std::snprintf(buf, sizeof buf, "csrw 0x%llx,%s", imm, rs1); return buf; }
      break;
    default:
      break;
  }
  switch (info->fmt) {
    case Fmt::kNone: std::snprintf(buf, sizeof buf, "%s", info->name); break;
    case Fmt::kR: case Fmt::kFR:
      std::snprintf(buf, sizeof buf, "%s %s,%s,%s", info->name, rd, rs1, rs2); break;
    case Fmt::kFR1: case Fmt::kUnary:
      std::snprintf(buf, sizeof buf, "%s %s,%s", info->name, rd, rs1); break;
    case Fmt::kFR4:
      std::snprintf(buf, sizeof buf, "%s %s,%s,%s,%s", info->name, rd, rs1, rs2, freg_name(in.rs3));
      break;
    case Fmt::kI: std::snprintf(buf, sizeof buf, "%s %s,%s,%lld", info->name, rd, rs1, imm); break;
    case Fmt::kShift:
      std::snprintf(buf, sizeof buf, "%s %s,%s,0x%llx", info->name, rd, rs1, imm); break;
    case Fmt::kLoad: case Fmt::kFLoad: case Fmt::kJalr:
      std::snprintf(buf, sizeof buf, "%s %s,%lld(%s)", info->name, rd, imm, X(in.rs1)); break;
    case Fmt::kStore: case Fmt::kFStore:
      std::snprintf(buf, sizeof buf, "%s %s,%lld(%s)", info->name, rs2, imm, X(in.rs1)); break;
    case Fmt::kBranch:
      std::snprintf(buf, sizeof buf, "%s %s,%s,%llx", info->name, rs1, rs2, target); break;
    case Fmt::kU:
      std::snprintf(buf, sizeof buf, "%s %s,0x%llx", info->name, rd,
                    static_cast<unsigned long long>(in.imm >> 12) & 0xfffff);
      break;
    case Fmt::kJ: std::snprintf(buf, sizeof buf, "%s %s,%llx", info->name, rd, target); break;
    case Fmt::kCsr:
      std::snprintf(buf, sizeof buf, "%s %s,0x%llx,%s", info->name, rd, imm, rs1); break;
    case Fmt::kCsrI:
      std::snprintf(buf, sizeof buf, "%s %s,0x%llx,%u", info->name, rd, imm, in.rs1); break;
    case Fmt::kFence: {
      static const char* sets[] = {"",   "w",   "r",   "rw",   "o",   "ow",   "or",   "orw",
                                   "i",  "iw",  "ir",  "irw",  "io",  "iow",  "ior",  "iorw"};
      std::snprintf(buf, sizeof buf, "fence %s,%s", sets[(in.imm >> 4) & 15], sets[in.imm & 15]);
      break;
    }
    case Fmt::kAmo:
      std::snprintf(buf, sizeof buf, "%s %s,%s,(%s)", info->name, rd, rs2, rs1); break;
    case Fmt::kLr: std::snprintf(buf, sizeof buf, "%s %s,(%s)", info->name, rd, rs1); break;
    case Fmt::kSfence:
      std::snprintf(buf, sizeof buf, "%s %s,%s", info->name, rs1, rs2); break;
  }
  return buf;
}

}  // namespace vp::cpu
