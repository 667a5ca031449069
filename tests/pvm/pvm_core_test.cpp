// pvm.core's memory window without firmware: a test initiator drives the registers, the window is
// a memory target of this file that either refuses DMI (every PVM access is a b_transport) or
// grants it and later takes it back (invalidate_direct_mem_ptr) while the PVM waits at a host
// call, moving its bytes to a new buffer so a stale pointer would show; and a standard program's
// layout (its write to its read-only data) under both Gray Paper profiles. On both backends.
#include "models/pvm/core/pvm_core.h"

#include <gtest/gtest.h>

#include <cstring>

#include "assembler.h"
#include "tests/devices/sc_test_main.h"
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

struct Bench {
  WindowMemory& mem;
  PvmCore& core;
  TestInitiator& cpu;
  vp::platform::IrqIn irq;

  Bench(pvm_backend backend, bool dmi)
      : mem(make<WindowMemory>("mem", dmi)), core(make<PvmCore>("pvm", config(backend))), cpu(make<TestInitiator>("cpu")) {
    cpu.socket.bind(core.regs);
    core.mem.bind(mem.socket);
    core.irq.bind(irq);
    sc_start(SC_ZERO_TIME);
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
  void map(uint32_t addr, uint32_t len, uint32_t access) {
    cpu.write32(PvmCore::kMapAddr, addr);
    cpu.write32(PvmCore::kMapLen, len);
    cpu.write32(PvmCore::kMapAccess, access);
    cmd(PvmCore::kMap);
  }
  // Runs the command until the PVM stops; returns STATUS (interrupt raised, then acknowledged).
  uint32_t run(uint32_t c) {
    cmd(c);
    sc_start(10, SC_US);  // simulated time: the program is a few instructions
    EXPECT_TRUE(irq.level());
    cpu.write32(PvmCore::kIrqStatus, 1);
    EXPECT_FALSE(irq.level());
    return cpu.read32(PvmCore::kStatus);
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
  PvmCoreConfig c = Bench::config(backend);
  c.gp = gp;
  auto& mem = make<WindowMemory>("mem", true);
  auto& core = make<PvmCore>("pvm", c);
  auto& cpu = make<TestInitiator>("cpu");
  vp::platform::IrqIn irq;
  cpu.socket.bind(core.regs);
  core.mem.bind(mem.socket);
  core.irq.bind(irq);
  sc_start(SC_ZERO_TIME);
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

TEST(PvmCoreLayout, ReadOnlyWriteGp072Interpreter) { read_only_write(PVM_BACKEND_INTERPRETER, PVM_GP_0_7_2); }
TEST(PvmCoreLayout, ReadOnlyWriteGp072Recompiler) { read_only_write(PVM_BACKEND_RECOMPILER, PVM_GP_0_7_2); }
TEST(PvmCoreLayout, ReadOnlyWriteNewGasInterpreter) { read_only_write(PVM_BACKEND_INTERPRETER, PVM_GP_NEW_GAS); }
TEST(PvmCoreLayout, ReadOnlyWriteNewGasRecompiler) { read_only_write(PVM_BACKEND_RECOMPILER, PVM_GP_NEW_GAS); }

TEST(PvmCoreWindow, NoDmiInterpreter) { no_dmi(PVM_BACKEND_INTERPRETER); }
TEST(PvmCoreWindow, NoDmiRecompiler) { no_dmi(PVM_BACKEND_RECOMPILER); }
TEST(PvmCoreWindow, DmiInvalidatedInterpreter) { dmi_invalidated(PVM_BACKEND_INTERPRETER); }
TEST(PvmCoreWindow, DmiInvalidatedRecompiler) { dmi_invalidated(PVM_BACKEND_RECOMPILER); }

}  // namespace

VP_SC_TEST_MAIN
