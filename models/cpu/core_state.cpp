// Checkpoint state of the RV64 core: the architectural state (with the LR
// reservation and the Sdtrig trigger CSRs) and the counters behind mcycle/minstret. Translation and pre-decoded block caches are not
// state: they are flushed and rebuilt on demand.
#include "models/cpu/core.h"

namespace vp::cpu {

void Core::save_state(platform::StateWriter& out) const {
  out.tag("rv64/2");
  for (unsigned i = 0; i < 32; ++i) out.u64(x_[i]);
  for (unsigned i = 0; i < 32; ++i) out.u64(f_[i]);
  out.u64(pc_);
  out.u8(static_cast<uint8_t>(priv_));
  out.u64(instret());
  out.u64(executed_);
  out.u64(idle_cycles_);
  const uint64_t csrs[] = {mstatus_, misa_, medeleg_, mideleg_, mie_, mip_, irq_lines_, mtvec_, stvec_,
                           mcounteren_, scounteren_, mscratch_, sscratch_, mepc_, sepc_, mcause_, scause_,
                           mtval_, stval_, satp_, menvcfg_, senvcfg_, mcountinhibit_, mcycle_off_,
                           minstret_off_, mcycle_held_, minstret_held_, fflags_, frm_};
  out.u64(sizeof csrs / sizeof csrs[0]);
  for (const uint64_t v : csrs) out.u64(v);
  out.bytes(pmpcfg_, sizeof pmpcfg_);
  for (const uint64_t a : pmpaddr_) out.u64(a);
  out.u64(monitor_->reserved_address(slot_));
  // Triggers (Debug spec 5.7): tselect, tcontrol, then tdata1/tdata2 of each (on a copy: tselect moves).
  Triggers t = triggers_;
  uint64_t v = 0;
  t.read(Triggers::kTselect, v);
  out.u64(v);
  t.read(Triggers::kTcontrol, v);
  out.u64(v);
  out.u64(t.count());
  for (unsigned i = 0; i < t.count(); ++i) {
    t.write(Triggers::kTselect, i, true);
    t.read(Triggers::kTdata1, v);
    out.u64(v);
    t.read(Triggers::kTdata2, v);
    out.u64(v);
  }
  out.u64(tohost_);
  out.u64(fromhost_);
}

void Core::restore_state(platform::StateReader& in) {
  in.tag("rv64/2");
  for (unsigned i = 0; i < 32; ++i) x_[i] = in.u64();
  x_[0] = 0;
  for (unsigned i = 0; i < 32; ++i) f_[i] = in.u64();
  pc_ = in.u64();
  const uint8_t p = in.u8();
  if (p != 0 && p != 1 && p != 3) in.fail("invalid privilege level " + std::to_string(p));
  priv_ = static_cast<Priv>(p);
  instret_ = in.u64();
  executed_ = in.u64();
  idle_cycles_ = in.u64();
  uint64_t* csrs[] = {&mstatus_, &misa_, &medeleg_, &mideleg_, &mie_, &mip_, &irq_lines_, &mtvec_, &stvec_,
                      &mcounteren_, &scounteren_, &mscratch_, &sscratch_, &mepc_, &sepc_, &mcause_, &scause_,
                      &mtval_, &stval_, &satp_, &menvcfg_, &senvcfg_, &mcountinhibit_, &mcycle_off_,
                      &minstret_off_, &mcycle_held_, &minstret_held_};
  in.expect_u64(sizeof csrs / sizeof csrs[0] + 2, "the number of saved CSRs");
  for (uint64_t* c : csrs) *c = in.u64();
  fflags_ = static_cast<uint32_t>(in.u64() & 0x1f);
  frm_ = static_cast<uint32_t>(in.u64() & 0x7);
  in.bytes(pmpcfg_, sizeof pmpcfg_);
  for (uint64_t& a : pmpaddr_) a = in.u64();
  const uint64_t reserved = in.u64();
  if (reserved != ~0ull) {
    monitor_->reserve(slot_, reserved);
    lr_instret_ = instret_;
  } else {
    clear_reservation();
  }
  const uint64_t tselect = in.u64(), tcontrol = in.u64();
  in.expect_u64(triggers_.count(), "the number of triggers");
  for (unsigned i = 0; i < triggers_.count(); ++i) {
    triggers_.write(Triggers::kTselect, i, true);
    const uint64_t tdata1 = in.u64(), tdata2 = in.u64();
    triggers_.write(Triggers::kTdata2, tdata2, true);
    triggers_.write(Triggers::kTdata1, tdata1, true);
  }
  triggers_.write(Triggers::kTselect, tselect, true);
  triggers_.write(Triggers::kTcontrol, tcontrol, true);
  tohost_ = in.u64();
  fromhost_ = in.u64();
  // Derived state: PMP ranges, translation context and every cached translation and block.
  pmp_update();
  flush_tlb();
  xlate_ctx_ = ~0ull;
  update_xlate_ctx();
  flush_blocks();
  run_.wfi = run_.stop = false;
  run_.marker = 0;
  run_done_ = 0;
  blk_i_ = 0;
  run_.irq_check = true;
  update_debug();  // restored triggers may arm the debug loop
}

}  // namespace vp::cpu
