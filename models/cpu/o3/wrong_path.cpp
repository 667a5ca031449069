// Wrong-path execution of the out-of-order backend (pipeline.o3.wrong_path):
// after a mispredicted branch, the front end fetches along the predicted path
// until the branch resolves (gem5 O3CPU semantics). The instructions there are
// read from RAM through the core's translation cache (SpeculativeView),
// decoded (RVC expanded), renamed into the ROB/IQ/LQ/SQ and physical
// registers, issued to the functional units, and their loads access the
// D-TLB and D-cache (they may pollute it, allocate MSHRs and train the
// prefetcher) until the squash. Nothing here changes architectural state: the
// functional core has already executed the right path. Integer values are
// followed through simple ALU instructions and loads so wrong-path addresses
// are the ones the hardware would compute; anything else gives "unknown".
// A wrong-path access whose address is unknown, not RAM, or not in the
// core's translation cache (a page walk or a fault) is dropped.
#include <algorithm>
#include <cstring>

#include "models/cpu/decoder.h"
#include "models/cpu/o3/o3_backend.h"

namespace vp::cpu {

namespace {

inline uint64_t sx32(uint64_t v) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v))); }

// Integer result of an ALU instruction from its operands; false: not followed.
bool alu_value(const Insn& in, uint64_t pc, uint64_t a, uint64_t b, uint64_t& out) {
  const uint64_t imm = static_cast<uint64_t>(in.imm);
  const auto sa = static_cast<int64_t>(a), sb = static_cast<int64_t>(b);
  switch (in.op) {
    case Op::LUI: out = imm; return true;
    case Op::AUIPC: out = pc + imm; return true;
    case Op::ADDI: out = a + imm; return true;
    case Op::SLTI: out = sa < in.imm; return true;
    case Op::SLTIU: out = a < imm; return true;
    case Op::XORI: out = a ^ imm; return true;
    case Op::ORI: out = a | imm; return true;
    case Op::ANDI: out = a & imm; return true;
    case Op::SLLI: out = a << (in.imm & 63); return true;
    case Op::SRLI: out = a >> (in.imm & 63); return true;
    case Op::SRAI: out = static_cast<uint64_t>(sa >> (in.imm & 63)); return true;
    case Op::ADD: out = a + b; return true;
    case Op::SUB: out = a - b; return true;
    case Op::SLL: out = a << (b & 63); return true;
    case Op::SLT: out = sa < sb; return true;
    case Op::SLTU: out = a < b; return true;
    case Op::XOR: out = a ^ b; return true;
    case Op::SRL: out = a >> (b & 63); return true;
    case Op::SRA: out = static_cast<uint64_t>(sa >> (b & 63)); return true;
    case Op::OR: out = a | b; return true;
    case Op::AND: out = a & b; return true;
    case Op::ADDIW: out = sx32(a + imm); return true;
    case Op::SLLIW: out = sx32(static_cast<uint32_t>(a) << (in.imm & 31)); return true;
    case Op::SRLIW: out = sx32(static_cast<uint32_t>(a) >> (in.imm & 31)); return true;
    case Op::SRAIW: out = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(a) >> (in.imm & 31))); return true;
    case Op::ADDW: out = sx32(a + b); return true;
    case Op::SUBW: out = sx32(a - b); return true;
    case Op::SH1ADD: out = (a << 1) + b; return true;
    case Op::SH2ADD: out = (a << 2) + b; return true;
    case Op::SH3ADD: out = (a << 3) + b; return true;
    case Op::ADD_UW: out = (a & 0xffffffffull) + b; return true;
    default: return false;
  }
}

// Value of an integer load of `size` bytes from host memory.
uint64_t load_value(Op op, const uint8_t* p) {
  switch (op) {
    case Op::LB: { int8_t v; std::memcpy(&v, p, 1); return static_cast<uint64_t>(static_cast<int64_t>(v)); }
    case Op::LH: { int16_t v; std::memcpy(&v, p, 2); return static_cast<uint64_t>(static_cast<int64_t>(v)); }
    case Op::LW: { int32_t v; std::memcpy(&v, p, 4); return static_cast<uint64_t>(static_cast<int64_t>(v)); }
    case Op::LBU: return p[0];
    case Op::LHU: { uint16_t v; std::memcpy(&v, p, 2); return v; }
    case Op::LWU: { uint32_t v; std::memcpy(&v, p, 4); return v; }
    default: { uint64_t v; std::memcpy(&v, p, 8); return v; }
  }
}

}  // namespace

void O3Backend::wrong_path(uint64_t pc, const RetireInfo& br, uint64_t bseq, uint64_t bavail, uint64_t squash,
                           bool dispatch) {
  const SpeculativeView& v = *view_;
  const uint32_t ext = v.speculative_ext();
  const unsigned line_shift = static_cast<unsigned>(__builtin_ctz(fetch_.line_bytes()));
  const unsigned limit = o_.fetch_queue + o_.rob;

  // Integer values as of the branch, as far as they are followed.
  uint64_t val[32];
  uint32_t known = ~0u;  // bit r: val[r] is the wrong path's value of x(r)
  val[0] = 0;
  for (unsigned i = 1; i < 32; ++i) val[i] = v.speculative_xreg(i);
  // Operand readiness: the right path's, then the wrong path's results.
  uint64_t ready[kRegSlots];
  std::memcpy(ready, reg_ready_, sizeof ready);
  // The IQ's entries (issue cycles) as the wrong path finds it.
  wp_iq_ = iq_;

  // Stage state: from the branch's fetch group on.
  uint64_t fc = fetch_cycle_, dc = decode_cycle_, rc = rename_cycle_;
  unsigned fcount = fetch_count_, dcount = decode_count_, rcount = rename_count_;
  bool ended = pc != br.pc + 2 && pc != br.pc + 4;  // predicted taken: the group ended
  uint64_t line = br.fetch_pa >> line_shift, line_ready = bavail;
  if (ended) line = ~0ull;
  unsigned nloads = 0, nstores = 0, nint = 0, nfp = 0;
  wp_rename_.clear();

  uint64_t fetched = 0;
  uint64_t page = ~0ull, page_pa = 0;  // the fetch page and its host pointer
  const uint8_t* page_host = nullptr;
  for (unsigned k = 0; k < limit; ++k) {
    // ---- Fetch: the bytes, from RAM the core has mapped (else fetch stops).
    if ((pc >> 12) != page) {
      page = pc >> 12;
      page_host = v.speculative_ptr(page << 12, 4096, true, page_pa);
    }
    if (!page_host || (pc & 1)) break;
    const uint64_t pa = page_pa | (pc & 0xfff);
    const uint8_t* p = page_host + (pc & 0xfff);
    uint16_t low;
    std::memcpy(&low, p, 2);
    uint32_t raw = low;
    if (insn_length(low) == 4) {
      if ((pc & 0xfff) > 0xffc) break;  // crosses into the next page: fetch stops
      std::memcpy(&raw, p, 4);
    }
    DecodedEntry& de = wp_decoded_[(raw ^ (raw >> 13)) & (kDecodedEntries - 1)];
    if (!de.valid || de.raw != raw) de = DecodedEntry{raw, true, decode(raw, ext)};  // decode is a function of raw
    const Insn& in = de.in;
    const uint64_t q = bseq + 1 + k;  // the instruction's place in the sequence (for ring lookups)
    const bool same_group = fcount < o_.fetch_width && !ended && (pa >> line_shift) == line;
    uint64_t f = same_group ? fc : fc + 1;
    if (q >= o_.fetch_queue) {  // the queue entry frees when the instruction fetch_queue older renames
      const uint64_t j = q - o_.fetch_queue;
      // (the branch's own entry is not in the ring yet: it renamed at rename_cycle_)
      const uint64_t free = j < bseq ? fq_rename_[j] : j == bseq ? rename_cycle_
                          : j - bseq - 1 < wp_rename_.size() ? wp_rename_[j - bseq - 1] : ~0ull;
      f = std::max(f, free);
    }
    if (f >= squash) break;
    if (f != fc || !same_group) {
      fc = f;
      fcount = 0;
      ended = false;
    }
    ++fcount;
    if ((pa >> line_shift) != line) {
      line = pa >> line_shift;
      line_ready = fetch_.wrong_path_line(pa, mem_.itlb(pc, br.fetch_levels, f));
    }
    const uint64_t avail = std::max(f + 1, line_ready);
    if (avail > f + l1i_hit_) fc = std::max(fc, avail - l1i_hit_);
    ++fetched;
    ++wp_.fetched;
    if (in.op == Op::ILLEGAL) break;  // a fetch or decode fault: nothing younger is fetched

    // ---- Decode
    uint64_t d = std::max(avail + o_.fetch_to_decode - 1, dc);
    if (d == dc && dcount >= o_.decode_width) ++d;
    if (d >= squash) break;
    if (d != dc) {
      dc = d;
      dcount = 0;
    }
    ++dcount;
    ++wp_.decoded;
    const OpInfo& o = ops_.get(in);
    const bool is_ctrl = o.cls == OpClass::kBranch || o.cls == OpClass::kJal || o.cls == OpClass::kJalr;
    // The path onwards: conditional branches predicted statically (backward
    // taken), jumps followed, indirect jumps end the path (no target).
    uint64_t next = pc + in.len;
    if (o.cls == OpClass::kBranch && in.imm < 0) next = pc + static_cast<uint64_t>(in.imm);
    if (o.cls == OpClass::kJal) next = pc + static_cast<uint64_t>(in.imm);
    if (!dispatch) {
      if (o.cls == OpClass::kJalr) break;
      if (next != pc + in.len) ended = true, line = ~0ull;
      pc = next;
      continue;
    }

    // ---- Rename: ROB, LQ/SQ, physical register and IQ entries. An entry a
    // wrong-path instruction holds frees only at the squash: then rename stops.
    const bool int_dst = o.rd && !o.rdf && (in.rd & 31) != 0;
    const bool fp_dst = o.rd && o.rdf;
    uint64_t rn = std::max(d + o_.decode_to_rename, rc);
    if (rn == rc && rcount >= o_.rename_width) ++rn;
    rn = std::max(rn, serial_barrier_);
    bool full = false;
    auto need_ring = [&](Ring& ring, uint64_t n_right, unsigned n_wrong) {
      const uint64_t n = n_right + n_wrong;
      if (n < ring.size()) return;
      const uint64_t j = n - ring.size();
      if (j < n_right) rn = std::max(rn, ring[j] + 1);
      else full = true;
    };
    need_ring(rob_commit_, bseq, k + 1);  // the branch commits after the squash: its entry counts as taken
    if (o.load) need_ring(lq_commit_, nloads_, nloads);
    if (int_dst) need_ring(int_commit_, nint_, nint);
    if (fp_dst) need_ring(fp_commit_, nfp_, nfp);
    if (o.store) {
      const uint64_t n = sq_.count() + nstores;
      if (n >= sq_.size()) {
        const uint64_t j = n - sq_.size();
        if (j < sq_.count()) rn = std::max(rn, sq_.at(j).free + 1);
        else full = true;
      }
    }
    if (full) break;
    uint64_t disp = rn + 1;
    while (!wp_iq_.empty() && wp_iq_.top() <= disp) wp_iq_.pop();
    while (wp_iq_.size() >= o_.iq) {
      disp = wp_iq_.top();
      while (!wp_iq_.empty() && wp_iq_.top() <= disp) wp_iq_.pop();
    }
    rn = std::max(rn, disp - 1);
    if (rn >= squash) break;
    if (rn != rc) {
      rc = rn;
      rcount = 0;
    }
    ++rcount;
    wp_rename_.push_back(rn);
    ++wp_.dispatched;
    if (o.load) ++nloads;
    if (o.store) ++nstores;
    if (int_dst) ++nint;
    if (fp_dst) ++nfp;

    // ---- Issue and execute, before the squash only. Non-speculative and
    // serializing instructions wait for the ROB head: never, here.
    const bool mem_op = o.load || o.store;
    const bool waits_head = (o.serialize & (kNonSpeculative | kMemBarrier)) != 0;
    uint64_t result = IssueSchedule::kNever;
    bool have_value = false;
    uint64_t value = 0;
    const bool a_known = (known >> (in.rs1 & 31)) & 1, b_known = (known >> (in.rs2 & 31)) & 1;
    const uint64_t a = val[in.rs1 & 31], b = val[in.rs2 & 31];
    if (!waits_head) {
      uint64_t t = rn + o_.rename_to_issue;
      t = std::max({t, ready[o.src(0, in.rs1)], ready[o.src(1, in.rs2)], ready[o.src(2, in.rs3)]});
      if (mem_op) t = std::max(t, mem_barrier_);
      const uint64_t issue = t < squash ? sched_.issue_before(t, o.fu, o.busy, o.latency, squash) : IssueSchedule::kNever;
      if (issue != IssueSchedule::kNever) {
        ++wp_.issued;
        result = issue + o.latency;
        if (mem_op) {
          const uint64_t va = a + static_cast<uint64_t>(in.imm);
          uint64_t dpa = 0;
          const uint8_t* host = a_known ? v.speculative_ptr(va, o.size, false, dpa) : nullptr;
          if (o.load) {
            if (!host) {
              ++wp_.loads_dropped;
            } else {
              const uint64_t access = mem_.dtlb(va, br.fetch_levels, issue + 1);
              if (access >= squash) {
                ++wp_.loads_dropped;  // squashed before its address was translated
              } else {
                ++wp_.loads;
                const int64_t s = sq_.find(dpa, o.size, access);
                if (s >= 0 && sq_.at(static_cast<uint64_t>(s)).pa <= dpa &&
                    dpa + o.size <= sq_.at(static_cast<uint64_t>(s)).pa + sq_.at(static_cast<uint64_t>(s)).size) {
                  result = std::max(access, sq_.at(static_cast<uint64_t>(s)).exec) + fwd_latency_;
                } else {
                  const Cache* l1d = mem_.l1d();
                  const uint64_t m0 = l1d ? l1d->stats().read_misses : 0;
                  result = mem_.load(dpa, pc, access);
                  if (l1d) wp_.load_l1d_misses += l1d->stats().read_misses - m0;
                }
                if (o.cls == OpClass::kLoad) {
                  have_value = true;
                  value = load_value(in.op, host);
                }
              }
            }
          } else if (host) {
            mem_.dtlb(va, br.fetch_levels, issue + 1);  // a store only translates before commit
          }
        } else if (int_dst) {
          have_value = alu_value(in, pc, a, b, value) && a_known && b_known;
          if (o.cls == OpClass::kJal || o.cls == OpClass::kJalr) have_value = true, value = pc + in.len;
        }
      }
    }
    if (int_dst) {
      ready[in.rd & 31] = result;
      const unsigned r = in.rd & 31;
      if (have_value) {
        val[r] = value;
        known |= 1u << r;
      } else {
        known &= ~(1u << r);
      }
    } else if (fp_dst) {
      ready[32 + (in.rd & 31)] = result;
    }
    if (o.serialize & kSerializeAfter) break;  // younger instructions would wait in rename
    if (o.cls == OpClass::kJalr) break;        // no predicted target for the wrong path
    if (is_ctrl && next != pc + in.len) ended = true, line = ~0ull;
    pc = next;
  }
  (dispatch ? wp_.squashed_branch : wp_.squashed_decode) += fetched;
}

}  // namespace vp::cpu
