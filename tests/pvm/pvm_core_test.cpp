// pvm.core's memory window without firmware: a test initiator drives the registers, the window is
// a memory target of this file that either refuses DMI (every PVM access is a b_transport) or
// grants it and later takes it back (invalidate_direct_mem_ptr) while the PVM waits at a host
// call, moving its bytes to a new buffer so a stale pointer would show; and a standard program's
// layout (its write to its read-only data) under both Gray Paper profiles; the region map (a
// .polkavm container's stack and sbrk'd heap read and written through the window, without DMI and
// with DMI revoked; arguments; programs that do not fit; a bare blob's sbrk). On both backends.
#include "models/pvm/core/pvm_core.h"

#include <gtest/gtest.h>

#include <cstring>

#include "assembler.h"
#include "tests/devices/sc_test_main.h"
#include "tests/support/store_probe.h"
#include "tests/support/test_initiator.h"

using namespace sc_core;
using vp::pvmcore::PvmCore;
using vp::pvmcore::PvmCoreConfig;
using vp::test::make;
using vp::test::TestInitiator;

namespace {

constexpr uint64_t kBase = 0x80000000;  // platform address of PVM address 0
constexpr uint64_t kSize = 1u << 20;
constexpr uint64_t kProgram = 0x80000;  // the blob, in the same memory (no PVM page there)

class WindowMemory : public sc_module, public tlm::tlm_fw_transport_if<> {
 public:
  tlm::tlm_target_socket<32> socket{"socket"};
  std::vector<uint8_t> bytes = std::vector<uint8_t>(kSize, 0);
  std::vector<uint8_t> retired;  // the buffer before revoke(), poisoned
  bool dmi = false;
  uint64_t transactions = 0, grants = 0;

  explicit WindowMemory(const sc_module_name& name, bool grant_dmi) : sc_module(name), dmi(grant_dmi) {
    socket.bind(*this);
  }

  void b_transport(tlm::tlm_generic_payload& gp, sc_time&) override {
    ++transactions;
    gp.set_response_status(copy(gp) ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
    gp.set_dmi_allowed(dmi);
  }
  unsigned transport_dbg(tlm::tlm_generic_payload& gp) override { return copy(gp) ? gp.get_data_length() : 0; }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& d) override {
    d.set_start_address(kBase);
    d.set_end_address(kBase + kSize - 1);
    if (!dmi) {
      d.allow_none();
      return false;
    }
    ++grants;
    d.set_dmi_ptr(bytes.data());
    d.allow_read_write();
    return true;
  }
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase&, sc_time& t) override {
    b_transport(gp, t);
    return tlm::TLM_COMPLETED;
  }

  // Takes DMI back: the bytes move to a new buffer (the old one stays allocated, poisoned), DMI
  // is refused from now on, and the initiator is told.
  void revoke() {
    retired = bytes;
    std::swap(retired, bytes);  // `bytes` is a new allocation with the same contents
    std::memset(retired.data(), 0xEE, retired.size());
    dmi = false;
    socket->invalidate_direct_mem_ptr(kBase, kBase + kSize - 1);
  }

  uint64_t u64(uint32_t pvm_addr) const {
    uint64_t v;
    std::memcpy(&v, bytes.data() + pvm_addr, 8);
    return v;
  }

 private:
  bool copy(tlm::tlm_generic_payload& gp) {
    const uint64_t a = gp.get_address(), n = gp.get_data_length();
    if (a < kBase || a + n > kBase + kSize) return false;
    if (gp.is_write()) std::memcpy(bytes.data() + (a - kBase), gp.get_data_ptr(), n);
    else if (gp.is_read()) std::memcpy(gp.get_data_ptr(), bytes.data() + (a - kBase), n);
    return true;
  }
};

// u64 [0x10008] = u64 [0x10000] + 5; ecalli 1; u64 [0x11000] = r7 (read-write page);
// u64 [0x12000] = r7 (read-only page: page fault until the test maps it read-write); halt.
std::vector<uint8_t> program() {
  using namespace pvm;
  Assembler a;
  a.reg_imm(op_load_u64, 7, 0x10000);
  a.reg_reg_imm(op_add_imm_64, 7, 7, 5);
  a.reg_imm(op_store_u64, 7, 0x10008);
  a.imm(op_ecalli, 1);
  a.reg_imm(op_store_u64, 7, 0x11000);
  a.reg_imm(op_store_u64, 7, 0x12000);
  a.reg_imm(op_jump_ind, 0, 0);
  return a.blob();
}

// A fresh pvm.core (window of kSize at kBase) wired to a window memory, a test CPU on its
// registers and its interrupt line.
struct CoreRig {
  WindowMemory& mem;
  PvmCore& core;
  TestInitiator& cpu;
  vp::platform::IrqIn irq;

  CoreRig(const PvmCoreConfig& c, bool dmi)
      : mem(make<WindowMemory>("mem", dmi)), core(make<PvmCore>("pvm", c)), cpu(make<TestInitiator>("cpu")) {
    cpu.socket.bind(core.regs);
    core.mem.bind(mem.socket);
    core.irq.bind(irq);
    sc_start(SC_ZERO_TIME);
  }
  static PvmCoreConfig config(pvm_backend backend) {
    PvmCoreConfig c;
    c.backend = backend;
    c.window_base = kBase;
    c.window_size = kSize;
    return c;
  }
  void cmd(uint32_t c) {
    cpu.write32(PvmCore::kCommand, c);
    EXPECT_EQ(cpu.read32(PvmCore::kError), 0u) << "command " << c;
  }
  // Runs the command until the PVM stops; returns STATUS (interrupt raised, then acknowledged).
  uint32_t run(uint32_t c) {
    cmd(c);
    sc_start(10, SC_US);  // simulated time: the programs are a few instructions
    EXPECT_TRUE(irq.level());
    cpu.write32(PvmCore::kIrqStatus, 1);
    EXPECT_FALSE(irq.level());
    return cpu.read32(PvmCore::kStatus);
  }
};

// The window tests' program (program()) loaded, its pages mapped, gas given.
struct Bench : CoreRig {
  Bench(pvm_backend backend, bool dmi) : CoreRig(config(backend), dmi) {
    const std::vector<uint8_t> blob = program();
    std::memcpy(mem.bytes.data() + kProgram, blob.data(), blob.size());
    uint64_t seed = 37;
    std::memcpy(mem.bytes.data() + 0x10000, &seed, 8);
    cpu.write<uint64_t>(PvmCore::kProgAddr, kBase + kProgram);
    cpu.write32(PvmCore::kProgLen, uint32_t(blob.size()));
    cmd(PvmCore::kLoad);
    map(0x10000, 0x2000, 3);
    map(0x12000, 0x1000, 1);
    cpu.write<uint64_t>(PvmCore::kRegs, 0xFFFF0000u);
    cpu.write<uint64_t>(PvmCore::kGas, 1000);
    cpu.write32(PvmCore::kIrqEnable, 1);
  }
  void map(uint32_t addr, uint32_t len, uint32_t access) {
    cpu.write32(PvmCore::kMapAddr, addr);
    cpu.write32(PvmCore::kMapLen, len);
    cpu.write32(PvmCore::kMapAccess, access);
    cmd(PvmCore::kMap);
  }
};

// Without DMI every PVM access is a transaction; the read-only page faults; results land in memory.
void no_dmi(pvm_backend backend) {
  if (!pvm_backend_available(backend)) GTEST_SKIP() << "backend unavailable";
  Bench b(backend, false);
  EXPECT_EQ(b.run(PvmCore::kStart), uint32_t(PvmCore::kHostCall));
  EXPECT_EQ(b.cpu.read32(PvmCore::kHostIndex), 1u);
  EXPECT_EQ(b.mem.u64(0x10008), 42u);
  EXPECT_EQ(b.mem.transactions, 2u);  // one load, one store
  EXPECT_EQ(b.run(PvmCore::kResume), uint32_t(PvmCore::kPageFault));
  EXPECT_EQ(b.cpu.read32(PvmCore::kFaultAddr), 0x12000u);
  EXPECT_EQ(b.mem.u64(0x11000), 42u);
  EXPECT_EQ(b.mem.u64(0x12000), 0u);  // refused before any transaction
  EXPECT_EQ(b.mem.transactions, 3u);
  b.map(0x12000, 0x1000, 3);
  EXPECT_EQ(b.run(PvmCore::kResume), uint32_t(PvmCore::kHalt));
  EXPECT_EQ(b.mem.u64(0x12000), 42u);
  EXPECT_EQ(b.mem.transactions, 4u);
  EXPECT_EQ(b.mem.grants, 0u);
}

// With DMI no transaction at all; after the target revokes DMI at the host call, the mapped pages
// are bound again (transactions, since DMI is now refused) and the writes reach the new buffer.
void dmi_invalidated(pvm_backend backend) {
  if (!pvm_backend_available(backend)) GTEST_SKIP() << "backend unavailable";
  Bench b(backend, true);
  EXPECT_GT(b.mem.grants, 0u);
  EXPECT_EQ(b.run(PvmCore::kStart), uint32_t(PvmCore::kHostCall));
  EXPECT_EQ(b.mem.u64(0x10008), 42u);
  EXPECT_EQ(b.mem.transactions, 0u);
  b.mem.revoke();
  EXPECT_EQ(b.run(PvmCore::kResume), uint32_t(PvmCore::kPageFault));
  EXPECT_EQ(b.cpu.read32(PvmCore::kFaultAddr), 0x12000u);
  EXPECT_EQ(b.mem.u64(0x11000), 42u);  // in the new buffer, through a transaction
  EXPECT_EQ(b.mem.transactions, 1u);
  b.map(0x12000, 0x1000, 3);
  EXPECT_EQ(b.run(PvmCore::kResume), uint32_t(PvmCore::kHalt));
  EXPECT_EQ(b.mem.u64(0x12000), 42u);
  EXPECT_EQ(b.mem.transactions, 2u);
  for (uint8_t x : b.mem.retired) ASSERT_EQ(x, 0xEE);  // nothing written through a stale pointer
}

// The PVM's stores into platform memory are no processor's (platform/dma.h). With a hart's LR
// reservation watched in a page, the PVM's DMI binding of that page gives way to transactions,
// so its store into the reservation's granule breaks it (one in another granule stays), while
// other pages keep DMI. The builder hands the monitor over on a platform; here the test does.
void reservation_broken(pvm_backend backend) {
  if (!pvm_backend_available(backend)) GTEST_SKIP() << "backend unavailable";
  Bench b(backend, true);
  auto& monitor = make<vp::platform::ReservationMonitor>();
  b.core.set_reservation_monitor(monitor);
  vp::test::StoreProbe hit(monitor, false), miss(monitor, false);
  hit.reserve(kBase + 0x10008);
  miss.reserve(kBase + 0x10040);
  EXPECT_EQ(b.run(PvmCore::kStart), uint32_t(PvmCore::kHostCall));
  EXPECT_EQ(b.mem.u64(0x10008), 42u);
  EXPECT_FALSE(hit.holds());
  EXPECT_TRUE(miss.holds());
  EXPECT_EQ(b.mem.transactions, 2u);  // the load and the store in the watched page
  EXPECT_EQ(b.run(PvmCore::kResume), uint32_t(PvmCore::kPageFault));
  EXPECT_EQ(b.mem.u64(0x11000), 42u);
  EXPECT_EQ(b.mem.transactions, 2u);  // another page: still DMI
}

// With an observer (lock-step checking wants every store's bytes) no store goes through DMI
// unseen: every writable page is bound to transactions, which are reported.
void stores_observed(pvm_backend backend) {
  if (!pvm_backend_available(backend)) GTEST_SKIP() << "backend unavailable";
  Bench b(backend, true);
  auto& monitor = make<vp::platform::ReservationMonitor>();
  b.core.set_reservation_monitor(monitor);
  vp::test::StoreProbe probe(monitor);
  EXPECT_EQ(b.run(PvmCore::kStart), uint32_t(PvmCore::kHostCall));
  const uint64_t v = 42;
  EXPECT_TRUE(probe.saw(kBase + 0x10008, &v, 8));
  EXPECT_EQ(b.run(PvmCore::kResume), uint32_t(PvmCore::kPageFault));
  EXPECT_TRUE(probe.saw(kBase + 0x11000, &v, 8));
  EXPECT_EQ(b.mem.u64(0x11000), 42u);
}

// A standard program (GP A.7, PROG_FORMAT 2) writing to its own read-only data: LOAD put the data
// read-only in the window; GP 0.7.2 stops with a page fault at that page, the new-gas profile
// (as its vectors expect) with a panic; nothing is written either way. Reading the read-only
// data and writing the read-write data work, through DMI.
void read_only_write(pvm_backend backend, pvm_gp gp) {
  if (!pvm_backend_available(backend)) GTEST_SKIP() << "backend unavailable";
  using namespace pvm;
  Assembler a;
  a.reg_imm(op_load_u64, 7, 0x10000);   // read-only data
  a.reg_imm(op_store_u64, 7, 0x30000);  // read-write data (0x20000 + the read-only zone)
  a.reg_imm(op_store_u64, 7, 0x10008);  // the write to read-only data
  a.reg_imm(op_jump_ind, 0, 0);
  const std::vector<uint8_t> blob = a.standard_blob({1, 2, 3, 4, 5, 6, 7, 8}, {9}, 0, 0x1000);
  PvmCoreConfig c = CoreRig::config(backend);
  c.gp = gp;
  CoreRig rig(c, true);
  auto& mem = rig.mem;
  auto& cpu = rig.cpu;
  auto& irq = rig.irq;
  std::memcpy(mem.bytes.data() + kProgram, blob.data(), blob.size());
  std::memset(mem.bytes.data() + 0x10000, 0x77, 0x1000);  // overwritten by LOAD
  cpu.write<uint64_t>(PvmCore::kProgAddr, kBase + kProgram);
  cpu.write32(PvmCore::kProgLen, uint32_t(blob.size()));
  cpu.write32(PvmCore::kProgFormat, 2);
  cpu.write32(PvmCore::kCommand, PvmCore::kLoad);
  ASSERT_EQ(cpu.read32(PvmCore::kError), 0u);
  EXPECT_EQ(cpu.read<uint64_t>(PvmCore::kRegs), 0xFFFF0000u);  // r0 as the layout sets it
  EXPECT_EQ(mem.u64(0x10000), 0x0807060504030201u);
  EXPECT_EQ(mem.u64(0x10008), 0u);
  EXPECT_EQ(mem.bytes[0x30000], 9u);
  cpu.write<uint64_t>(PvmCore::kGas, 100);
  cpu.write32(PvmCore::kIrqEnable, 1);
  cpu.write32(PvmCore::kCommand, PvmCore::kStart);
  sc_start(10, SC_US);
  EXPECT_TRUE(irq.level());
  if (gp == PVM_GP_0_7_2) {
    EXPECT_EQ(cpu.read32(PvmCore::kStatus), uint32_t(PvmCore::kPageFault));
    EXPECT_EQ(cpu.read32(PvmCore::kFaultAddr), 0x10000u);
  } else {
    EXPECT_EQ(cpu.read32(PvmCore::kStatus), uint32_t(PvmCore::kPanic));
  }
  EXPECT_EQ(mem.u64(0x30000), 0x0807060504030201u);  // the read-write store landed
  EXPECT_EQ(mem.u64(0x10008), 0u);                    // the read-only one did not
  EXPECT_EQ(mem.transactions, 0u);
}

// The region-map tests' bench: interrupts on, programs loaded by the test.
struct Rig : CoreRig {
  Rig(pvm_backend backend, bool dmi) : CoreRig(config(backend), dmi) { cpu.write32(PvmCore::kIrqEnable, 1); }
  // LOAD of a blob put at kProgram (and arguments after it); returns ERROR.
  uint32_t load(const std::vector<uint8_t>& blob, uint32_t format, const std::vector<uint8_t>& args = {},
                uint32_t args_len = ~0u) {
    std::memcpy(mem.bytes.data() + kProgram, blob.data(), blob.size());
    const uint64_t args_at = kProgram + ((blob.size() + 7) & ~size_t(7));
    if (!args.empty()) std::memcpy(mem.bytes.data() + args_at, args.data(), args.size());
    cpu.write<uint64_t>(PvmCore::kProgAddr, kBase + kProgram);
    cpu.write32(PvmCore::kProgLen, uint32_t(blob.size()));
    cpu.write32(PvmCore::kProgFormat, format);
    cpu.write<uint64_t>(PvmCore::kArgsAddr, kBase + args_at);
    cpu.write32(PvmCore::kArgsLen, args_len == ~0u ? uint32_t(args.size()) : args_len);
    cpu.write32(PvmCore::kCommand, PvmCore::kLoad);
    return cpu.read32(PvmCore::kError);
  }
  uint32_t region(unsigned i, unsigned field) { return cpu.read32(PvmCore::kRegion + 16 * i + 4 * field); }
  uint64_t reg(unsigned i) { return cpu.read<uint64_t>(PvmCore::kRegs + 8 * i); }
  // Window offset of PVM address a in region i, by the region registers (as firmware computes it).
  uint32_t offset_of(unsigned i, uint64_t a) { return uint32_t(region(i, 2) + (a - region(i, 0))); }
};

// A .polkavm container (built here with libpvm's assembler) loaded by pvm.core: exports "trap" (pc
// 0) and "main". main: A2 = u64 [0x10000] (read-only data); push A2 (SP -= 8; [SP] = A2);
// A5 = sbrk 0x1000; u64 [A5] = A2; A3 = sbrk 1 MiB (more than the window holds: fails, 0);
// ecalli 7 (the test reads the stack and the heap through the window, writes u64 [A5 + 8] = 100
// and [SP] = 23); A0 = u64 [A5 + 8] + u64 [SP]; halt. Without DMI (every access a transaction at
// its window offset), or with DMI revoked at the host call (the pages, sbrk'd heap included, are
// bound again with their current access).
void container(pvm_backend backend, bool dmi) {
  if (!pvm_backend_available(backend)) GTEST_SKIP() << "backend unavailable";
  using namespace pvm;
  Assembler a;
  a.emit(op_trap);
  const uint32_t main_pc = a.pc();
  a.reg_imm(op_load_u64, 9, 0x10000);
  a.reg_reg_imm(op_add_imm_64, 1, 1, -8);
  a.reg_reg_imm(op_store_ind_u64, 9, 1, 0);
  a.reg_imm(op_load_imm, 11, 0x1000);
  a.reg_reg(op_sbrk, 12, 11);
  a.reg_reg_imm(op_store_ind_u64, 9, 12, 0);
  a.reg_imm(op_load_imm, 11, 0x100000);
  a.reg_reg(op_sbrk, 10, 11);
  a.imm(op_ecalli, 7);
  a.reg_reg_imm(op_load_ind_u64, 7, 12, 8);
  a.reg_reg_imm(op_load_ind_u64, 8, 1, 0);
  a.reg3(op_add_64, 7, 7, 8);
  a.reg_imm(op_jump_ind, 0, 0);
  const std::vector<uint8_t> blob =
      a.polkavm_blob({1, 2, 3, 4, 5, 6, 7, 8}, {9}, 0x1800, 0x3000, {{"trap", 0}, {"main", main_pc}});
  Rig r(backend, dmi);
  ASSERT_EQ(r.load(blob, 0), 0u);  // auto: a container by its magic
  // PolkaVM's map: read-only data at 0x10000, read-write at 0x30000 (0x1800 bytes: 2 pages, the heap
  // from 0x31800), the stack below 0xFFFE0000; in the window the stack is at the top (no arguments).
  EXPECT_EQ(r.region(0, 0), 0x10000u);
  EXPECT_EQ(r.region(0, 2), 0x10000u);
  EXPECT_EQ(r.region(0, 3), 1u);
  EXPECT_EQ(r.region(1, 0), 0x30000u);
  EXPECT_EQ(r.region(1, 2), 0x30000u);
  EXPECT_EQ(r.region(1, 1), kSize - 0x3000 - 0x30000);  // up to the stack's offset
  EXPECT_EQ(r.region(2, 0), 0xFFFE0000u - 0x3000);
  EXPECT_EQ(r.region(2, 1), 0x3000u);
  EXPECT_EQ(r.region(2, 2), kSize - 0x3000);
  EXPECT_EQ(r.region(3, 1), 0u);
  EXPECT_EQ(r.reg(0), 0xFFFF0000u);
  EXPECT_EQ(r.reg(1), 0xFFFE0000u);
  EXPECT_EQ(r.mem.u64(0x10000), 0x0807060504030201u);
  EXPECT_EQ(r.mem.bytes[0x30000], 9u);
  EXPECT_EQ(r.cpu.read32(PvmCore::kHeapPointer), 0x32000u);
  // MAP may not touch the stack's slice of the window.
  r.cpu.write32(PvmCore::kMapAddr, uint32_t(kSize - 0x4000));
  r.cpu.write32(PvmCore::kMapLen, 0x2000);
  r.cpu.write32(PvmCore::kMapAccess, 3);
  r.cpu.write32(PvmCore::kCommand, PvmCore::kMap);
  EXPECT_EQ(r.cpu.read32(PvmCore::kError), uint32_t(PvmCore::kBadMap));

  r.cpu.write32(PvmCore::kEntryPc, main_pc);
  r.cpu.write<uint64_t>(PvmCore::kGas, 1000);
  ASSERT_EQ(r.run(PvmCore::kStart), uint32_t(PvmCore::kHostCall));
  EXPECT_EQ(r.cpu.read32(PvmCore::kHostIndex), 7u);
  const uint64_t sp = r.reg(1), heap = r.reg(12);
  EXPECT_EQ(sp, 0xFFFE0000u - 8);
  EXPECT_EQ(heap, 0x32000u);  // the first free page at or above the heap base
  EXPECT_EQ(r.reg(10), 0u);   // sbrk beyond the window's heap region fails
  EXPECT_EQ(r.cpu.read32(PvmCore::kHeapPointer), 0x33000u);
  const uint32_t stack_at = r.offset_of(2, sp), heap_at = r.offset_of(1, heap);
  EXPECT_EQ(stack_at, kSize - 8);
  EXPECT_EQ(heap_at, 0x32000u);
  EXPECT_EQ(r.mem.u64(stack_at), 0x0807060504030201u);  // pushed by the PVM
  EXPECT_EQ(r.mem.u64(heap_at), 0x0807060504030201u);   // stored in its sbrk'd page
  if (dmi) {
    EXPECT_EQ(r.mem.transactions, 0u);
    r.mem.revoke();
  } else {
    EXPECT_EQ(r.mem.transactions, 3u);  // load, push, heap store (the sbrk'd page is a window page too)
  }
  const uint64_t v100 = 100, v23 = 23;
  std::memcpy(r.mem.bytes.data() + heap_at + 8, &v100, 8);
  std::memcpy(r.mem.bytes.data() + stack_at, &v23, 8);
  ASSERT_EQ(r.run(PvmCore::kResume), uint32_t(PvmCore::kHalt));
  EXPECT_EQ(r.reg(7), 123u);  // the program saw both writes
  EXPECT_EQ(r.mem.transactions, dmi ? 2u : 5u);
  for (uint8_t x : r.mem.retired) ASSERT_EQ(x, 0xEE);
}

// Arguments (GP A.7): they land in the argument area (at the top of the window), r7/r8 point at
// them; the program copies them to its read-write data (at 0x20000: no read-only data). Refusals: a program larger than the
// window (ERROR 6), arguments for a bare A.2 program or over 16 MiB (ERROR 7); STATUS 7 each.
void arguments(pvm_backend backend) {
  if (!pvm_backend_available(backend)) GTEST_SKIP() << "backend unavailable";
  using namespace pvm;
  Assembler a;
  a.reg_reg_imm(op_load_ind_u64, 9, 7, 0);
  a.reg_imm(op_store_u64, 9, 0x20000);  // read-write data (no read-only data: at 2 * 64 KiB)
  a.reg_reg_imm(op_load_ind_u8, 10, 7, 8);
  a.reg_imm(op_store_u8, 10, 0x20008);
  a.reg_imm(op_jump_ind, 0, 0);
  Rig r(backend, true);
  const std::vector<uint8_t> args{'a', 'r', 'g', 'u', 'm', 'e', 'n', 't', 's'};
  ASSERT_EQ(r.load(a.standard_blob({}, {0}, 0, 0x1000), 2, args), 0u);
  EXPECT_EQ(r.reg(7), 0xFEFF0000u);
  EXPECT_EQ(r.reg(8), args.size());
  EXPECT_EQ(r.region(3, 0), 0xFEFF0000u);
  EXPECT_EQ(r.region(3, 1), 0x1000u);
  EXPECT_EQ(r.region(3, 2), kSize - 0x1000);
  EXPECT_EQ(r.region(3, 3), 1u);
  EXPECT_EQ(r.region(2, 2), kSize - 0x2000);
  EXPECT_EQ(std::memcmp(r.mem.bytes.data() + kSize - 0x1000, args.data(), args.size()), 0);
  r.cpu.write<uint64_t>(PvmCore::kGas, 100);
  ASSERT_EQ(r.run(PvmCore::kStart), uint32_t(PvmCore::kHalt));
  EXPECT_EQ(std::memcmp(r.mem.bytes.data() + 0x20000, args.data(), args.size()), 0);

  EXPECT_EQ(r.load(a.standard_blob({}, {0}, 0, uint32_t(kSize)), 2), uint32_t(PvmCore::kNoFit));
  EXPECT_EQ(r.cpu.read32(PvmCore::kStatus), uint32_t(PvmCore::kFailed));
  EXPECT_EQ(r.region(1, 1), 0u);
  EXPECT_EQ(r.load(a.blob(), 1, args), uint32_t(PvmCore::kBadArgs));
  EXPECT_EQ(r.load(a.standard_blob({}, {0}, 0, 0x1000), 2, {}, PvmCore::kMaxArgs + 1), uint32_t(PvmCore::kBadArgs));
  EXPECT_EQ(r.cpu.read32(PvmCore::kStatus), uint32_t(PvmCore::kFailed));
}

// A bare A.2 blob has no layout: its sbrk takes window pages (offset = PVM address) above the
// pages already mapped, and fails past the window. A1 = sbrk 0x1000; u64 [A1] = 0x1000;
// A3 = sbrk 1 MiB (0); halt. The firmware-side value written before LOAD stays (no zeroing).
void bare_sbrk(pvm_backend backend, bool dmi) {
  if (!pvm_backend_available(backend)) GTEST_SKIP() << "backend unavailable";
  using namespace pvm;
  Assembler a;
  a.reg_imm(op_load_imm, 11, 0x1000);
  a.reg_reg(op_sbrk, 8, 11);
  a.reg_reg_imm(op_store_ind_u64, 11, 8, 0);
  a.load_imm(11, 0x100000);
  a.reg_reg(op_sbrk, 10, 11);
  a.reg_imm(op_jump_ind, 0, 0);
  Rig r(backend, dmi);
  const uint64_t mark = 0x5A5A;
  std::memcpy(r.mem.bytes.data() + 0x11008, &mark, 8);
  ASSERT_EQ(r.load(a.blob(), 1), 0u);
  EXPECT_EQ(r.region(1, 1), 0u);  // no layout regions
  EXPECT_EQ(r.cpu.read32(PvmCore::kHeapPointer), 0x10000u);
  r.cpu.write32(PvmCore::kMapAddr, 0x10000);  // the firmware's page: sbrk skips it
  r.cpu.write32(PvmCore::kMapLen, 0x1000);
  r.cpu.write32(PvmCore::kMapAccess, 3);
  r.cpu.write32(PvmCore::kCommand, PvmCore::kMap);
  ASSERT_EQ(r.cpu.read32(PvmCore::kError), 0u);
  r.cpu.write<uint64_t>(PvmCore::kRegs, 0xFFFF0000u);
  r.cpu.write<uint64_t>(PvmCore::kGas, 100);
  ASSERT_EQ(r.run(PvmCore::kStart), uint32_t(PvmCore::kHalt));
  EXPECT_EQ(r.reg(8), 0x11000u);
  EXPECT_EQ(r.reg(10), 0u);
  EXPECT_EQ(r.mem.u64(0x11000), 0x1000u);  // in the window
  EXPECT_EQ(r.mem.u64(0x11008), mark);
  EXPECT_EQ(r.cpu.read32(PvmCore::kHeapPointer), 0x12000u);
  EXPECT_EQ(r.mem.transactions, dmi ? 0u : 1u);
}

TEST(PvmCoreRegions, BareSbrkInterpreter) { bare_sbrk(PVM_BACKEND_INTERPRETER, true); }
TEST(PvmCoreRegions, BareSbrkRecompiler) { bare_sbrk(PVM_BACKEND_RECOMPILER, true); }
TEST(PvmCoreRegions, BareSbrkNoDmiInterpreter) { bare_sbrk(PVM_BACKEND_INTERPRETER, false); }
TEST(PvmCoreRegions, BareSbrkNoDmiRecompiler) { bare_sbrk(PVM_BACKEND_RECOMPILER, false); }
TEST(PvmCoreRegions, ContainerNoDmiInterpreter) { container(PVM_BACKEND_INTERPRETER, false); }
TEST(PvmCoreRegions, ContainerNoDmiRecompiler) { container(PVM_BACKEND_RECOMPILER, false); }
TEST(PvmCoreRegions, ContainerDmiRevokedInterpreter) { container(PVM_BACKEND_INTERPRETER, true); }
TEST(PvmCoreRegions, ContainerDmiRevokedRecompiler) { container(PVM_BACKEND_RECOMPILER, true); }
TEST(PvmCoreRegions, ArgumentsInterpreter) { arguments(PVM_BACKEND_INTERPRETER); }
TEST(PvmCoreRegions, ArgumentsRecompiler) { arguments(PVM_BACKEND_RECOMPILER); }

TEST(PvmCoreLayout, ReadOnlyWriteGp072Interpreter) { read_only_write(PVM_BACKEND_INTERPRETER, PVM_GP_0_7_2); }
TEST(PvmCoreLayout, ReadOnlyWriteGp072Recompiler) { read_only_write(PVM_BACKEND_RECOMPILER, PVM_GP_0_7_2); }
TEST(PvmCoreLayout, ReadOnlyWriteNewGasInterpreter) { read_only_write(PVM_BACKEND_INTERPRETER, PVM_GP_NEW_GAS); }
TEST(PvmCoreLayout, ReadOnlyWriteNewGasRecompiler) { read_only_write(PVM_BACKEND_RECOMPILER, PVM_GP_NEW_GAS); }

TEST(PvmCoreWindow, NoDmiInterpreter) { no_dmi(PVM_BACKEND_INTERPRETER); }
TEST(PvmCoreWindow, NoDmiRecompiler) { no_dmi(PVM_BACKEND_RECOMPILER); }
TEST(PvmCoreWindow, DmiInvalidatedInterpreter) { dmi_invalidated(PVM_BACKEND_INTERPRETER); }
TEST(PvmCoreWindow, DmiInvalidatedRecompiler) { dmi_invalidated(PVM_BACKEND_RECOMPILER); }
TEST(PvmCoreWindow, ReservationBrokenInterpreter) { reservation_broken(PVM_BACKEND_INTERPRETER); }
TEST(PvmCoreWindow, ReservationBrokenRecompiler) { reservation_broken(PVM_BACKEND_RECOMPILER); }
TEST(PvmCoreWindow, StoresObservedInterpreter) { stores_observed(PVM_BACKEND_INTERPRETER); }
TEST(PvmCoreWindow, StoresObservedRecompiler) { stores_observed(PVM_BACKEND_RECOMPILER); }

}  // namespace

VP_SC_TEST_MAIN
