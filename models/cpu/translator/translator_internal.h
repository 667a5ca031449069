#pragma once
// Internals of the RV64GC -> x86-64 translator (see translator.h for the contract).
//
// Generated code runs with:
//   r15 = Core* (guest registers, pc, TLB, CSRs at offsets into the core),
//   r14 = instructions left in this entry's budget,
//   rbx, rbp, r12, r13, rsi, rdi, r8-r11 = guest registers cached for one block,
//   rax, rcx, rdx = scratch.
// Every translated block starts with `sub r14, n; jb exit` (the budget check; a block
// runs whole or not at all, so instruction counts match the interpreter), loads the
// cached guest registers it reads, and writes back the ones it changed before leaving.
// Blocks leave through direct jumps patched to their successor in the same virtual page
// (chaining), through an indirect lookup (a virtual-pc-indexed cache validated by a tag
// that changes with every TLB flush and code discard) or a return-address stack, or by
// returning to the dispatcher (translator/dispatcher.cpp).
//
// Anything the translator does not emit inline runs through Core::execute_one on the
// interpreter's state (helpers.cpp); a helper that changes something the translated code
// depends on (interrupt pending, privilege, TLB, code, stop request) makes the next block
// boundary return to the dispatcher ("forced exit": r14 becomes 0).
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <vector>

#include <xbyak/xbyak.h>

#include "models/cpu/core_internal.h"
#include "models/cpu/translator.h"
#include "models/cpu/translator/x86_asm.h"

namespace vp::cpu {

class TranslatorX86;

// Why translated code returned to the dispatcher (eax at exit).
enum ExitReason : uint32_t {
  kExitBudget = 0,  // a block's budget check failed (or a forced exit); pc_ is that block's
  kExitChain = 1,   // an unlinked direct exit; rdx = the TransBlock::Exit to link
  kExitLookup = 2,  // an indirect jump missed the lookup cache; pc_ is the target
  kExitTrap = 3,    // a synchronous trap in a helper (TranslatorX86::trap_); pc_ is its insn
};

// Helper results: `left` is the new budget register, or one of these markers.
constexpr uint64_t kLeftTrap = ~0ull - 1;  // (and ~0ull: a C++ exception to rethrow)

struct HelperResult {
  uint64_t value;
  uint64_t left;
};

// One translation of a Block for one (virtual pc, translation flags) pair.
struct TransBlock {
  struct Exit {
    TransBlock* from = nullptr;
    uint8_t* site = nullptr;   // the rel32 field of the patchable jump
    uint8_t* stub = nullptr;   // where the jump goes while unlinked
    uint64_t target = 0;       // guest virtual pc
    TransBlock* to = nullptr;  // linked successor
  };
  uint64_t vpc = 0;
  uint32_t flags = 0;
  uint32_t n = 0;  // instructions
  size_t index = 0;  // in TranslatorX86::all_
  static constexpr size_t kNotLinked = ~size_t{0};
  size_t linked_index = kNotLinked;  // in TranslatorX86::linked_ (has had a linked exit)
  Block* block = nullptr;
  const uint8_t* code = nullptr;
  uint32_t code_size = 0;
  TransBlock* next = nullptr;  // the next translation of the same Block
  Exit exits[2];
  std::vector<Exit*> incoming;  // linked jumps into this block
};

// Data the generated code addresses rip-relative: it sits at the start of the code
// region (within +-2 GiB of all code).
struct JitData {
  static constexpr unsigned kVcacheBits = 12, kRasSize = 32, kCells = 16384;
  struct VEntry {
    uint64_t vpc;
    uint64_t tag;
    const uint8_t* code;
    TransBlock* tb;
  };
  struct RasEntry {
    uint64_t vpc;
    uint64_t* cell;  // {code, tag} of the return block, filled on first use
  };
  uint64_t cur_tag = 0;  // vgen << 8 | flags of the code running now
  void* helpers[8] = {};
  uint64_t left_out = 0;  // r14 at exit
  uint64_t entry_left = 0;  // r14 at entry (the dispatcher's budget for it; helpers and inline `time` reads)
  uint64_t time_hits = 0;   // `time` reads answered inline (Core::set_time_cache)
  uint32_t refund = 0;    // instructions of the trapping block not executed
  uint32_t ras_top = 0;
  uint32_t mxcsr_clean = 0;  // MXCSR without exception flags (ldmxcsr source)
  uint8_t fp_live = 0;       // inline FP code ran since MXCSR's flags were last folded
  uint8_t pad[3] = {};
  uint8_t fflags_of_mxcsr[64] = {};  // x86 exception flags -> RISC-V fflags
  uint32_t mxcsr_tmp = 0;  // scratch: MXCSR with a directed rounding mode (fp.cpp)
  uint32_t pad2 = 0;
  RasEntry ras[kRasSize] = {};
  // Large tables without initializers: the region is fresh anonymous memory (zero).
  // 32-byte entries on 64-byte lines: a probe touches one host cache line.
  alignas(64) VEntry vcache[1u << kVcacheBits];  // zero: no entry matches (tags are never 0)
  uint64_t cells[kCells][2];         // initialised when handed out
};

// Out-of-line code of a block (after its body), recorded while the body is emitted and
// emitted in order at the end (BlockEmitter::emit_stub).
struct EmitStub {
  enum Kind : uint8_t { kBudget, kTrap, kChain, kLookup, kLoadSlow, kStoreSlow, kFpNan };
  Kind kind;
  bool flag;   // kLoadSlow: an FP load; kFpNan: single precision
  uint32_t n;  // kBudget: the block's instructions; kTrap: refund; kLoadSlow: rd
  x86::Label* l;     // the stub's entry
  x86::Label* back;  // where the main path continues
  x86::Label* trap;  // kLoadSlow, kStoreSlow: the trap stub
  uint64_t a;        // kBudget, kLoadSlow, kStoreSlow: vpc; kChain, kLookup: target
  uint64_t dirty, valid;
  const void* p;  // kLoadSlow, kStoreSlow: the Insn; kChain: the TransBlock::Exit
};

// Storage BlockEmitter reuses from block to block (no allocation per block).
struct EmitScratch {
  static constexpr size_t kLabels = 8 * kMaxBlockInsns + 16;  // an instruction takes at most 4
  std::vector<x86::Label> labels;
  std::vector<EmitStub> stubs;
};

enum HelperIndex : unsigned { kHelperExec = 0, kHelperTime = 1, kHelperWfi = 2, kHelperCount };

constexpr unsigned kCsrTime = 0xc01;

// The executable region: JitData, shared routines, then translated blocks.
class CodeBuffer {
 public:
  explicit CodeBuffer(size_t size);
  ~CodeBuffer();
  CodeBuffer(const CodeBuffer&) = delete;
  CodeBuffer& operator=(const CodeBuffer&) = delete;
  JitData& data() { return *data_; }
  const JitData& data() const { return *data_; }
  uint8_t* code() const { return code_; }
  size_t code_size() const { return code_size_; }

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  JitData* data_ = nullptr;
  uint8_t* code_ = nullptr;
  size_t code_size_ = 0;
};

class TranslatorX86 final : public Translator {
 public:
  explicit TranslatorX86(Core& core);
  ~TranslatorX86() override;

  RunExit run(uint64_t budget, uint64_t& executed) override;
  void discard(Block* b) override;
  void set_single_block(bool on) override { single_block_ = on; }
  TranslatorStats stats() const override;

  // Helpers called from generated code (SysV ABI; helpers.cpp).
  static HelperResult helper_exec(TranslatorX86* t, const Insn* in, uint64_t vpc, uint64_t left);
  static HelperResult helper_time(TranslatorX86* t, const Insn* in, uint64_t vpc, uint64_t left);
  static HelperResult helper_wfi(TranslatorX86* t, const Insn* in, uint64_t vpc, uint64_t left);
  // The frame every helper runs in: the hart's pc/instret view at the instruction, fflags,
  // traps and other exceptions handed back to the dispatcher, MXCSR restored.
  template <class Body>
  static HelperResult in_helper_frame(TranslatorX86* t, uint64_t vpc, uint64_t left, Body&& body);

  Core& core() { return core_; }
  JitData& data() { return buf_.data(); }
  const JitData& data() const { return buf_.data(); }
  // Byte offsets into Core of the state generated code reads and writes.
  struct Offsets {
    int32_t x, f, pc, tlb, fflags, mstatus;
    int32_t run_done, mcounteren, scounteren, time_from, time_span, time_value;
  };
  const Offsets& off() const { return off_; }
  // Shared routines (helpers.cpp emits them at the start of the code region).
  struct Routines {
    const uint8_t* entry = nullptr;   // HelperResult entry(Core*, code, left): rax reason, rdx info
    const uint8_t* exit = nullptr;    // eax = reason, rdx = info
    const uint8_t* lookup = nullptr;  // rax = target vpc
    const uint8_t* ret = nullptr;     // rax = target vpc (a return: tries the RAS first)
  };
  const Routines& routines() const { return routines_; }
  uint64_t* alloc_cell();
  bool has_bmi2() const { return bmi2_; }
  EmitScratch& emit_scratch() { return emit_scratch_; }

 private:
  friend class BlockEmitter;
  uint32_t flags_now() const;
  TransBlock* find_or_translate(Block* b, uint64_t vpc, uint32_t flags);
  TransBlock* translate(Block* b, uint64_t vpc, uint32_t flags);
  void link(TransBlock::Exit* e, TransBlock* to);
  void unlink(TransBlock::Exit* e);
  void drop(TransBlock* tb);
  void unlink_all();
  void flush_all();
  bool pmp_changed();
  void emit_routines();
  uint64_t after_helper(uint64_t left);
  void skip_spin(uint64_t budget);
  void fold_fflags();  // MXCSR flags -> fflags_ (when inline FP code ran)
  static void patch_rel32(uint8_t* site, const uint8_t* target);

  Core& core_;
  CodeBuffer buf_;
  Xbyak::CodeGenerator gen_;
  Offsets off_{};
  Routines routines_{};
  size_t code_start_ = 0;  // first byte after the shared routines
  std::vector<TransBlock*> all_;
  // Translations whose exits were linked since the last unlink_all: a fence.i unlinks
  // these instead of walking every translation.
  std::vector<TransBlock*> linked_;
  size_t next_cell_ = 0;
  uint64_t vgen_ = 1;
  uint64_t seen_chain_gen_ = 0;
  uint64_t seen_code_epoch_ = 0;
  std::vector<Core::PmpRange> pmp_seen_;
  uint32_t cur_flags_ = 0;
  bool single_block_ = false;
  bool bmi2_ = false;
  TranslatorStats stats_;

  // State of the current entry into translated code (helpers read it).
  bool forced_ = false;     // a helper asked for an exit at the next block boundary
  uint64_t saved_left_ = 0; // r14 when it did
  Trap trap_{0, 0};
  std::exception_ptr pending_;  // a C++ exception thrown inside a helper
  EmitScratch emit_scratch_;

  // Spin loops around a wfi that does not sleep (dispatcher.cpp, skip_spin).
  bool spin_probe_ = false;     // helper_wfi asks the dispatcher to check for one
  uint32_t spin_ignore_ = 0;    // wfi left unchecked after a failed check
  uint32_t spin_backoff_ = 0;   // the next value of spin_ignore_ after a failure
};

// Translates one block (emitter.cpp; loads/stores in memory.cpp, FP in fp.cpp). The code
// goes to the code generator's current position through x86::Asm (xbyak's encodings,
// without its per-instruction overhead); the generator's size is advanced at the end.
class BlockEmitter {
 public:
  BlockEmitter(TranslatorX86& t, Xbyak::CodeGenerator& g, TransBlock& tb);
  void emit();

 private:
  using Reg64 = x86::Reg64;
  using Label = x86::Label;
  static constexpr int kPool = 10;
  static constexpr unsigned kCallerSavedFirst = 4;  // pool[4..9] are caller-saved

  // Guest register access.
  bool cached(unsigned r) const { return r != 0 && r < 32 && host_[r] >= 0; }
  const Reg64& hreg(unsigned r) const;
  x86::Mem xmem(unsigned r) const;
  x86::Mem fmem(unsigned r) const;
  const Reg64& get(unsigned r, const Reg64& scratch);  // value of x[r] in a register
  void put(unsigned r, const Reg64& v);                // x[r] = v (x0/x32: dropped)
  void put_imm(unsigned r, uint64_t v);
  void writeback();            // dirty cached registers -> core
  void writeback(uint64_t dirty);
  void reload_after_call(unsigned rd_written);
  void mov_imm(const Reg64& d, uint64_t v);

  // Instructions.
  void emit_insn(const Insn& in);
  bool emit_alu(const Insn& in);
  bool emit_mul_div(const Insn& in);
  bool emit_bitmanip(const Insn& in);
  void emit_branch(const Insn& in);
  void emit_jal(const Insn& in);
  void emit_jalr(const Insn& in);
  void emit_exec(const Insn& in);  // through Core::execute_one
  void emit_exec_then_exit(const Insn& in);
  // memory.cpp
  bool emit_load(const Insn& in);
  bool emit_store(const Insn& in);
  void tlb_check(unsigned size, int acc, Label& slow);
  void addr_to_rax(const Insn& in);
  void emit_mem_slow(const EmitStub& s);
  // fp.cpp
  bool emit_fp(const Insn& in);
  void fp_arm();
  void load_single(const x86::Xmm& x, unsigned r);
  void store_fp_result(unsigned rd, bool single);
  void set_rounding(unsigned rm);
  void reset_rounding(unsigned rm);
  void mark_fs_dirty();

  // Block exits.
  void exit_direct(uint64_t target, int slot, int cc);
  void exit_indirect_rax(bool is_return);
  void ras_push(uint64_t return_vpc);
  void call_helper_exec(const Insn& in, uint64_t vpc, Label& trap, HelperIndex helper = kHelperExec);
  bool emit_time_read(const Insn& in);
  bool emit_wfi(const Insn& in);
  Label& trap_stub();
  EmitStub& add_stub(EmitStub::Kind kind, Label* l);
  void emit_stub(const EmitStub& s);

  TranslatorX86& t_;
  Xbyak::CodeGenerator& gen_;
  x86::Asm g_;
  TransBlock& tb_;
  const Block& b_;
  EmitScratch& scratch_;
  size_t labels_used_ = 0;
  int8_t host_[33];
  uint64_t cached_mask_ = 0;  // guest registers with a host register
  uint64_t live_in_ = 0, dirty_ = 0, valid_ = 0;
  unsigned i_ = 0;          // index of the instruction being emitted
  uint64_t pc_ = 0;         // its virtual pc
  bool ended_ = false;      // the block's exit is emitted
  bool fp_armed_ = false;   // an inline FP instruction of this block checked JitData::fp_live
  Label* exit_label_[2] = {};
  Label& new_label();
};

}  // namespace vp::cpu
