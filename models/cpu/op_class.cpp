#include "models/cpu/op_class.h"

#include <algorithm>
#include <atomic>

#include "models/cpu/pipeline_config.h"

namespace vp::cpu {

const char* fu_name(Fu f) {
  static const char* const n[] = {"alu", "mul", "div", "fp", "fdiv", "load", "store"};
  return n[static_cast<unsigned>(f)];
}

const char* mix_name(Mix m) {
  static const char* const n[] = {"alu", "mul", "div", "load", "store", "amo", "branch",
                                  "jump", "fp", "fp_load", "fp_store", "csr", "system"};
  return n[static_cast<unsigned>(m)];
}

// An instruction's operand layout from its format (decoder.cpp's table).
void OpTable::fill_operands(const Insn& in, OpInfo& o) {
  const InsnInfo* info = in.info;
  o.known = true;
  const Fmt f = info ? info->fmt : Fmt::kNone;
  const uint8_t fl = info ? info->flags : 0;
  bool rs1 = false, rs2 = false, rs3 = false;
  switch (f) {
    case Fmt::kR: case Fmt::kAmo: case Fmt::kFR: o.rd = rs1 = rs2 = true; break;
    case Fmt::kI: case Fmt::kShift: case Fmt::kLoad: case Fmt::kJalr: case Fmt::kLr: case Fmt::kFR1:
    case Fmt::kFLoad: case Fmt::kUnary: case Fmt::kCsr:
      o.rd = rs1 = true;
      break;
    case Fmt::kStore: case Fmt::kBranch: case Fmt::kFStore: case Fmt::kSfence: rs1 = rs2 = true; break;
    case Fmt::kU: case Fmt::kJ: case Fmt::kCsrI: o.rd = true; break;
    case Fmt::kFR4: o.rd = rs1 = rs2 = rs3 = true; break;
    case Fmt::kFence: case Fmt::kNone: break;
  }
  const bool fp[3] = {(fl & kRs1IsFloat) != 0, (fl & kRs2IsFloat) != 0, true};
  const bool has[3] = {rs1, rs2, rs3};
  for (unsigned k = 0; k < 3; ++k) {
    o.sbase[k] = has[k] && fp[k] ? 32 : 0;
    o.smask[k] = has[k] ? 31 : 0;
  }
  o.rdf = (fl & kRdIsFloat) != 0;
  if (o.rd) {
    o.dbase = o.rdf ? 32 : 0;
    o.dmask = 31;
  }
}

OpTable::OpTable(const PipelineConfig& cfg) {
  static std::atomic<uint64_t> next_id{1};
  id_ = next_id++;
  for (unsigned i = 0; i < static_cast<unsigned>(Op::kCount); ++i) {
    const Op op = static_cast<Op>(i);
    OpInfo& o = ops_[i];
    auto set = [&](OpClass c, Fu fu, Mix mix, unsigned lat, bool busy = false) {
      o.cls = c;
      o.fu = fu;
      o.mix = mix;
      o.latency = static_cast<uint8_t>(std::clamp(lat, 1u, 255u));
      o.busy = busy;
    };
    auto mem = [&](bool load, bool store, unsigned size) {
      o.load = load;
      o.store = store;
      o.size = static_cast<uint8_t>(size);
    };
    switch (op) {
      case Op::MUL: case Op::MULH: case Op::MULHSU: case Op::MULHU: case Op::MULW:
        set(OpClass::kMul, Fu::kMul, Mix::kMul, cfg.mul_latency);
        break;
      case Op::DIV: case Op::DIVU: case Op::REM: case Op::REMU: case Op::DIVW: case Op::DIVUW: case Op::REMW:
      case Op::REMUW:
        set(OpClass::kDiv, Fu::kDiv, Mix::kDiv, cfg.div_latency, !cfg.div_pipelined);
        break;
      case Op::LB: case Op::LBU: set(OpClass::kLoad, Fu::kLoad, Mix::kLoad, 1); mem(true, false, 1); break;
      case Op::LH: case Op::LHU: set(OpClass::kLoad, Fu::kLoad, Mix::kLoad, 1); mem(true, false, 2); break;
      case Op::LW: case Op::LWU: set(OpClass::kLoad, Fu::kLoad, Mix::kLoad, 1); mem(true, false, 4); break;
      case Op::LD: set(OpClass::kLoad, Fu::kLoad, Mix::kLoad, 1); mem(true, false, 8); break;
      case Op::SB: set(OpClass::kStore, Fu::kStore, Mix::kStore, 1); mem(false, true, 1); break;
      case Op::SH: set(OpClass::kStore, Fu::kStore, Mix::kStore, 1); mem(false, true, 2); break;
      case Op::SW: set(OpClass::kStore, Fu::kStore, Mix::kStore, 1); mem(false, true, 4); break;
      case Op::SD: set(OpClass::kStore, Fu::kStore, Mix::kStore, 1); mem(false, true, 8); break;
      case Op::FLW: set(OpClass::kFpLoad, Fu::kLoad, Mix::kFpLoad, 1); mem(true, false, 4); break;
      case Op::FLD: set(OpClass::kFpLoad, Fu::kLoad, Mix::kFpLoad, 1); mem(true, false, 8); break;
      case Op::FSW: set(OpClass::kFpStore, Fu::kStore, Mix::kFpStore, 1); mem(false, true, 4); break;
      case Op::FSD: set(OpClass::kFpStore, Fu::kStore, Mix::kFpStore, 1); mem(false, true, 8); break;
      case Op::BEQ: case Op::BNE: case Op::BLT: case Op::BGE: case Op::BLTU: case Op::BGEU:
        set(OpClass::kBranch, Fu::kAlu, Mix::kBranch, 1);
        break;
      case Op::JAL: set(OpClass::kJal, Fu::kAlu, Mix::kJump, 1); break;
      case Op::JALR: set(OpClass::kJalr, Fu::kAlu, Mix::kJump, 1); break;
      // CSR accesses execute non-speculatively at the ROB head and serialize
      // after (gem5's RISC-V CSR ops: IsNonSpeculative, IsSerializeAfter).
      case Op::CSRRW: case Op::CSRRS: case Op::CSRRC: case Op::CSRRWI: case Op::CSRRSI: case Op::CSRRCI:
        set(OpClass::kCsr, Fu::kAlu, Mix::kCsr, 1);
        o.serialize = kNonSpeculative | kSerializeAfter;
        break;
      // fence: orders memory accesses (Unpriv. 2.7); it does not drain the pipeline.
      case Op::FENCE:
        set(OpClass::kFence, Fu::kAlu, Mix::kSystem, 1);
        o.serialize = kMemBarrier;
        break;
      // fence.i and sfence.vma: younger instructions must be refetched (Unpriv.
      // 3.1 Zifencei; Priv. 4.2.1): serialize and squash after.
      case Op::FENCE_I:
        set(OpClass::kFenceI, Fu::kAlu, Mix::kSystem, 1);
        o.serialize = kNonSpeculative | kSerializeAfter | kSquashAfter | kMemBarrier;
        break;
      case Op::SFENCE_VMA:
        set(OpClass::kSfence, Fu::kAlu, Mix::kSystem, 1);
        o.serialize = kNonSpeculative | kSerializeAfter | kSquashAfter | kMemBarrier;
        break;
      // xRET changes privilege and pc at commit.
      case Op::MRET: case Op::SRET:
        set(OpClass::kXret, Fu::kAlu, Mix::kSystem, 1);
        o.serialize = kNonSpeculative | kSerializeAfter | kSquashAfter;
        break;
      case Op::WFI:
        set(OpClass::kWfi, Fu::kAlu, Mix::kSystem, 1);
        o.serialize = kNonSpeculative | kSerializeAfter | kSquashAfter;
        break;
      case Op::ECALL: case Op::EBREAK:
        set(OpClass::kSystem, Fu::kAlu, Mix::kSystem, 1);
        o.serialize = kNonSpeculative | kSerializeAfter | kSquashAfter;
        break;
      case Op::FADD_S: case Op::FSUB_S: case Op::FMIN_S: case Op::FMAX_S: case Op::FADD_D: case Op::FSUB_D:
      case Op::FMIN_D: case Op::FMAX_D:
        set(OpClass::kFpAdd, Fu::kFp, Mix::kFp, cfg.fp_add_latency);
        break;
      case Op::FMUL_S: case Op::FMUL_D: set(OpClass::kFpMul, Fu::kFp, Mix::kFp, cfg.fp_mul_latency); break;
      case Op::FMADD_S: case Op::FMSUB_S: case Op::FNMSUB_S: case Op::FNMADD_S: case Op::FMADD_D: case Op::FMSUB_D:
      case Op::FNMSUB_D: case Op::FNMADD_D:
        set(OpClass::kFpFma, Fu::kFp, Mix::kFp, cfg.fp_fma_latency);
        break;
      case Op::FDIV_S: case Op::FDIV_D: set(OpClass::kFpDiv, Fu::kFdiv, Mix::kFp, cfg.fp_div_latency, true); break;
      case Op::FSQRT_S: case Op::FSQRT_D:
        set(OpClass::kFpSqrt, Fu::kFdiv, Mix::kFp, cfg.fp_sqrt_latency, true);
        break;
      case Op::FSGNJ_S: case Op::FSGNJN_S: case Op::FSGNJX_S: case Op::FSGNJ_D: case Op::FSGNJN_D:
      case Op::FSGNJX_D:
        set(OpClass::kFpMove, Fu::kFp, Mix::kFp, cfg.fp_move_latency);
        break;
      case Op::LR_W: set(OpClass::kLr, Fu::kLoad, Mix::kAmo, 1); mem(true, false, 4); break;
      case Op::LR_D: set(OpClass::kLr, Fu::kLoad, Mix::kAmo, 1); mem(true, false, 8); break;
      case Op::SC_W: set(OpClass::kSc, Fu::kStore, Mix::kAmo, 1); mem(false, true, 4); break;
      case Op::SC_D: set(OpClass::kSc, Fu::kStore, Mix::kAmo, 1); mem(false, true, 8); break;
      default:
        if (op >= Op::FLW && op <= Op::FMV_D_X) {
          set(OpClass::kFpCvt, Fu::kFp, Mix::kFp, cfg.fp_cvt_latency);
        } else if ((op >= Op::AMOSWAP_W && op <= Op::AMOMAXU_W) || (op >= Op::AMOSWAP_D && op <= Op::AMOMAXU_D)) {
          set(OpClass::kAmo, Fu::kLoad, Mix::kAmo, 1);
          mem(true, true, op <= Op::AMOMAXU_W ? 4 : 8);
        } else {
          set(OpClass::kAlu, Fu::kAlu, Mix::kAlu, 1);
        }
        break;
    }
    // LR/SC and AMOs execute non-speculatively, at the ROB head with older
    // stores drained (gem5: IsNonSpeculative, strictly ordered).
    if (o.cls == OpClass::kAmo || o.cls == OpClass::kLr || o.cls == OpClass::kSc)
      o.serialize = kNonSpeculative | kMemBarrier;
    if (o.load || o.store) o.kind = Kind::kMemory;
    else if (o.cls == OpClass::kBranch || o.cls == OpClass::kJal || o.cls == OpClass::kJalr) o.kind = Kind::kControl;
    else if (o.serialize || o.busy) o.kind = Kind::kOther;
  }
}

}  // namespace vp::cpu
