#pragma once
// RISC-V instruction decoder: one table (decoder.cpp) shared by the executor,
// the disassembler and the tracer. Compressed instructions are expanded to
// their 32-bit equivalents first (Unpriv. spec 16.8, RVC instruction listings).
#include <cstdint>
#include <string>

namespace vp::cpu {

// Extension bits used by the decoder and the `isa` property.
enum Ext : uint32_t {
  kExtI = 1u << 0,
  kExtM = 1u << 1,
  kExtA = 1u << 2,
  kExtF = 1u << 3,
  kExtD = 1u << 4,
  kExtC = 1u << 5,
  kExtZicsr = 1u << 6,
  kExtZifencei = 1u << 7,
  kExtZba = 1u << 8,
  kExtZbb = 1u << 9,
  kExtZbs = 1u << 10,
  kExtS = 1u << 11,  // supervisor mode (priv. instructions sret/sfence.vma)
  kExtU = 1u << 12,
};

#define VP_CPU_OPS(X)                                                                            \
  X(ILLEGAL) X(LUI) X(AUIPC) X(JAL) X(JALR) X(BEQ) X(BNE) X(BLT) X(BGE) X(BLTU) X(BGEU)          \
  X(LB) X(LH) X(LW) X(LD) X(LBU) X(LHU) X(LWU) X(SB) X(SH) X(SW) X(SD)                           \
  X(ADDI) X(SLTI) X(SLTIU) X(XORI) X(ORI) X(ANDI) X(SLLI) X(SRLI) X(SRAI)                        \
  X(ADD) X(SUB) X(SLL) X(SLT) X(SLTU) X(XOR) X(SRL) X(SRA) X(OR) X(AND)                          \
  X(ADDIW) X(SLLIW) X(SRLIW) X(SRAIW) X(ADDW) X(SUBW) X(SLLW) X(SRLW) X(SRAW)                    \
  X(FENCE) X(FENCE_I) X(ECALL) X(EBREAK) X(MRET) X(SRET) X(WFI) X(SFENCE_VMA)                    \
  X(CSRRW) X(CSRRS) X(CSRRC) X(CSRRWI) X(CSRRSI) X(CSRRCI)                                       \
  X(MUL) X(MULH) X(MULHSU) X(MULHU) X(DIV) X(DIVU) X(REM) X(REMU)                                \
  X(MULW) X(DIVW) X(DIVUW) X(REMW) X(REMUW)                                                      \
  X(LR_W) X(SC_W) X(AMOSWAP_W) X(AMOADD_W) X(AMOXOR_W) X(AMOAND_W) X(AMOOR_W)                    \
  X(AMOMIN_W) X(AMOMAX_W) X(AMOMINU_W) X(AMOMAXU_W)                                              \
  X(LR_D) X(SC_D) X(AMOSWAP_D) X(AMOADD_D) X(AMOXOR_D) X(AMOAND_D) X(AMOOR_D)                    \
  X(AMOMIN_D) X(AMOMAX_D) X(AMOMINU_D) X(AMOMAXU_D)                                              \
  X(FLW) X(FSW) X(FLD) X(FSD)                                                                    \
  X(FMADD_S) X(FMSUB_S) X(FNMSUB_S) X(FNMADD_S) X(FADD_S) X(FSUB_S) X(FMUL_S) X(FDIV_S)          \
  X(FSQRT_S) X(FSGNJ_S) X(FSGNJN_S) X(FSGNJX_S) X(FMIN_S) X(FMAX_S)                              \
  X(FCVT_W_S) X(FCVT_WU_S) X(FCVT_L_S) X(FCVT_LU_S) X(FMV_X_W) X(FEQ_S) X(FLT_S) X(FLE_S)        \
  X(FCLASS_S) X(FCVT_S_W) X(FCVT_S_WU) X(FCVT_S_L) X(FCVT_S_LU) X(FMV_W_X)                       \
  X(FMADD_D) X(FMSUB_D) X(FNMSUB_D) X(FNMADD_D) X(FADD_D) X(FSUB_D) X(FMUL_D) X(FDIV_D)          \
  X(FSQRT_D) X(FSGNJ_D) X(FSGNJN_D) X(FSGNJX_D) X(FMIN_D) X(FMAX_D) X(FCVT_S_D) X(FCVT_D_S)      \
  X(FCVT_W_D) X(FCVT_WU_D) X(FCVT_L_D) X(FCVT_LU_D) X(FMV_X_D) X(FEQ_D) X(FLT_D) X(FLE_D)        \
  X(FCLASS_D) X(FCVT_D_W) X(FCVT_D_WU) X(FCVT_D_L) X(FCVT_D_LU) X(FMV_D_X)                       \
  X(SH1ADD) X(SH2ADD) X(SH3ADD) X(ADD_UW) X(SH1ADD_UW) X(SH2ADD_UW) X(SH3ADD_UW) X(SLLI_UW)      \
  X(ANDN) X(ORN) X(XNOR) X(CLZ) X(CTZ) X(CPOP) X(CLZW) X(CTZW) X(CPOPW) X(MAX) X(MAXU) X(MIN)    \
  X(MINU) X(SEXT_B) X(SEXT_H) X(ZEXT_H) X(ROL) X(ROR) X(RORI) X(ROLW) X(RORW) X(RORIW) X(ORC_B)  \
  X(REV8) X(BCLR) X(BCLRI) X(BEXT) X(BEXTI) X(BINV) X(BINVI) X(BSET) X(BSETI)

enum class Op : uint16_t {
#define VP_CPU_ENUM(name) name,
  VP_CPU_OPS(VP_CPU_ENUM)
#undef VP_CPU_ENUM
      kCount
};

// Operand layout, used for immediate extraction and disassembly.
enum class Fmt : uint8_t {
  kNone,    // ecall, mret, ...
  kR,       // rd, rs1, rs2
  kI,       // rd, rs1, imm
  kShift,   // rd, rs1, shamt
  kLoad,    // rd, imm(rs1)
  kStore,   // rs2, imm(rs1)
  kBranch,  // rs1, rs2, target
  kU,       // rd, imm20
  kJ,       // rd, target
  kJalr,    // rd, imm(rs1)
  kCsr,     // rd, csr, rs1
  kCsrI,    // rd, csr, uimm
  kFence,   // pred, succ
  kAmo,     // rd, rs2, (rs1)
  kLr,      // rd, (rs1)
  kFR,      // fd, fs1, fs2 (register classes in Insn::regs)
  kFR1,     // fd, fs1 (fsqrt, fcvt, fmv, fclass)
  kFR4,     // fd, fs1, fs2, fs3
  kFLoad,   // fd, imm(rs1)
  kFStore,  // fs2, imm(rs1)
  kSfence,  // rs1, rs2
  kUnary,   // rd, rs1 (clz, sext.b, ...)
};

// Flags describing an instruction's effect on control flow.
enum InsnFlag : uint8_t {
  kEndsBlock = 1,  // branches, jumps, system instructions: last of a pre-decoded block
  kRdIsFloat = 2,  // destination is an f register
  kRs1IsFloat = 4,
  kRs2IsFloat = 8,
};

struct InsnInfo {
  const char* name;
  uint32_t mask, match;
  Op op;
  Fmt fmt;
  uint32_t ext;  // required extension(s), any bit of it
  uint8_t flags;
};

// One pre-decoded instruction (32 bytes): what the executor needs, no re-decoding.
struct Insn {
  Op op = Op::ILLEGAL;
  uint8_t rd = 0, rs1 = 0, rs2 = 0, rs3 = 0;
  uint8_t len = 4;     // 2 for compressed
  uint8_t rm = 0;      // FP rounding mode field / funct3
  int64_t imm = 0;     // sign-extended immediate, csr number, or shamt
  uint32_t raw = 0;    // original encoding (16 bits for compressed), for tval and trace
  const InsnInfo* info = nullptr;
};

// Expands a 16-bit instruction to its 32-bit equivalent; 0 if illegal/reserved.
uint32_t expand_compressed(uint16_t c, uint32_t ext);

// Decodes one instruction (raw is 16 or 32 bits: low two bits tell). Instructions of
// extensions not in `ext` decode as ILLEGAL.
Insn decode(uint32_t raw, uint32_t ext);

// Length of the instruction whose low 16 bits are given.
inline unsigned insn_length(uint32_t low16) { return (low16 & 3) == 3 ? 4 : 2; }

const char* op_name(Op op);

// objdump-style disassembly ("addi a0,a0,1"), with the common pseudo-instructions.
std::string disassemble(const Insn& insn, uint64_t pc);

// ABI register names.
const char* xreg_name(unsigned r);
const char* freg_name(unsigned r);

}  // namespace vp::cpu
