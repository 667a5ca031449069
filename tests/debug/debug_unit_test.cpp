// Unit tests of the debugging pieces: Sdtrig triggers, the stuck detector,
// RSP framing, the symbol table, the target description and the GDB session
// (against a small in-memory processor).
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "debug/gdb_session.h"
#include "debug/rsp_packet.h"
#include "debug/target_description.h"
#include "models/cpu/stuck.h"
#include "models/cpu/triggers.h"
#include "platform/symbols.h"

using vp::cpu::StuckDetector;
using vp::cpu::Triggers;

namespace {
constexpr uint64_t kType2 = 2ull << 60, kType6 = 6ull << 60, kDmode = 1ull << 59;
constexpr uint64_t kLoad = 1, kStore = 2, kExec = 4, kU = 8, kS = 16, kM = 64;
uint64_t match(unsigned m) { return uint64_t{m} << 7; }
constexpr uint64_t kChain = 1 << 11;

uint64_t read(Triggers& t, unsigned csr) {
  uint64_t v = 0;
  EXPECT_TRUE(t.read(csr, v));
  return v;
}
}  // namespace

TEST(Triggers, ResetAndWarl) {
  Triggers t(4);
  EXPECT_EQ(read(t, Triggers::kTdata1), kType2);
  t.write(Triggers::kTselect, 3);
  EXPECT_EQ(read(t, Triggers::kTselect), 3u);
  t.write(Triggers::kTselect, 4);  // no such trigger: unchanged
  EXPECT_EQ(read(t, Triggers::kTselect), 3u);
  // The last trigger cannot chain; unknown match kinds read 0; dmode/action 1 need the debugger.
  t.write(Triggers::kTdata1, kType6 | kChain | match(7) | kDmode | (1u << 12) | kM | kExec);
  EXPECT_EQ(read(t, Triggers::kTdata1), kType6 | kM | kExec);
  t.write(Triggers::kTdata1, 9ull << 60);
  EXPECT_EQ(read(t, Triggers::kTdata1) >> 60, 15u);
  EXPECT_FALSE(t.any_armed());
}

TEST(Triggers, ExecMatchKindsAndPrivilege) {
  Triggers t(2);
  t.write(Triggers::kTcontrol, 8);  // mte
  t.write(Triggers::kTdata1, kType6 | match(2) | kS | kExec);  // pc >= 0x1000 in S-mode
  t.write(Triggers::kTdata2, 0x1000);
  EXPECT_TRUE(t.exec_armed());
  EXPECT_FALSE(t.match_exec(0xfff, 1).fired);
  EXPECT_TRUE(t.match_exec(0x1000, 1).fired);
  EXPECT_FALSE(t.match_exec(0x2000, 3).fired);  // not in M-mode
  EXPECT_FALSE(t.match_exec(0x2000, 0).fired);  // nor in U-mode
  EXPECT_NE(read(t, Triggers::kTdata1) & (1u << 22), 0u);  // hit0
  // Negated equal: everything but 0x40.
  t.write(Triggers::kTdata1, kType6 | match(8) | kM | kExec);
  t.write(Triggers::kTdata2, 0x40);
  EXPECT_FALSE(t.match_exec(0x40, 3).fired);
  EXPECT_TRUE(t.match_exec(0x44, 3).fired);
  // M-mode breakpoint exceptions need tcontrol.mte; a trap into M saves and clears it, mret restores it.
  t.on_trap_to_m();
  EXPECT_EQ(read(t, Triggers::kTcontrol), 0x80u);
  EXPECT_FALSE(t.match_exec(0x44, 3).fired);
  t.on_mret();
  EXPECT_EQ(read(t, Triggers::kTcontrol), 0x88u);
  EXPECT_TRUE(t.match_exec(0x44, 3).fired);
}

TEST(Triggers, DataMatchesAnyAccessedByte) {
  Triggers t(2);
  t.write(Triggers::kTcontrol, 8);
  t.write(Triggers::kTdata1, kType6 | match(0) | kM | kStore);
  t.write(Triggers::kTdata2, 0x103);
  EXPECT_TRUE(t.match_data(0x100, 4, true, 0, 3).fired);   // bytes 0x100..0x103
  EXPECT_FALSE(t.match_data(0x104, 4, true, 0, 3).fired);
  EXPECT_FALSE(t.match_data(0x100, 4, false, 0, 3).fired);  // a load
  // size: only 2-byte accesses.
  t.write(Triggers::kTdata1, kType6 | match(0) | (2ull << 16) | kM | kStore);
  EXPECT_FALSE(t.match_data(0x100, 4, true, 0, 3).fired);
  EXPECT_TRUE(t.match_data(0x102, 2, true, 0, 3).fired);
  // select = 1: the stored value.
  t.write(Triggers::kTdata1, kType6 | (1u << 21) | kM | kStore);
  t.write(Triggers::kTdata2, 0xabcd);
  EXPECT_FALSE(t.match_data(0x500, 8, true, 0xabce, 3).fired);
  EXPECT_TRUE(t.match_data(0x500, 8, true, 0xabcd, 3).fired);
  // mcontrol masked low half: (value & 0xff00) == 0x1200.
  t.write(Triggers::kTdata1, kType2 | match(4) | kM | kLoad);
  t.write(Triggers::kTdata2, 0xff00ull << 32 | 0x1200);
  EXPECT_TRUE(t.match_data(0x12ff, 1, false, 0, 3).fired);
  EXPECT_FALSE(t.match_data(0x13ff, 1, false, 0, 3).fired);
}

TEST(Triggers, ChainNeedsEveryLink) {
  Triggers t(3);
  t.write(Triggers::kTcontrol, 8);
  t.write(Triggers::kTselect, 1);
  t.write(Triggers::kTdata1, kType6 | match(2) | kChain | kM | kLoad);
  t.write(Triggers::kTdata2, 0x1000);
  t.write(Triggers::kTselect, 2);
  t.write(Triggers::kTdata1, kType6 | match(3) | kM | kLoad);
  t.write(Triggers::kTdata2, 0x1010);
  EXPECT_FALSE(t.match_data(0xff8, 4, false, 0, 3).fired);
  EXPECT_FALSE(t.match_data(0x1010, 4, false, 0, 3).fired);
  const auto h = t.match_data(0x1008, 8, false, 0, 3);
  EXPECT_TRUE(h.fired);
  EXPECT_EQ(h.index, 2u);
}

TEST(Triggers, DebuggerTriggersAreLockedForTheGuest) {
  Triggers t(2);
  ASSERT_TRUE(t.insert_debug(Triggers::Watch::kStore, 0x2000, 8));  // NAPOT, one trigger
  EXPECT_TRUE(t.debug_data_armed());
  const auto h = t.match_data(0x2004, 1, true, 0, 3);  // no mte needed for action 1
  EXPECT_TRUE(h.fired);
  EXPECT_TRUE(h.debug);
  const uint64_t before = read(t, Triggers::kTdata1);
  EXPECT_NE(before & kDmode, 0u);
  t.write(Triggers::kTdata1, kType2);  // the guest cannot change it
  EXPECT_EQ(read(t, Triggers::kTdata1), before);
  // An unaligned range needs two chained triggers: only one is left.
  EXPECT_FALSE(t.insert_debug(Triggers::Watch::kLoad, 0x3001, 3));
  ASSERT_TRUE(t.remove_debug(Triggers::Watch::kStore, 0x2000, 8));
  ASSERT_TRUE(t.insert_debug(Triggers::Watch::kLoad, 0x3001, 3));
  EXPECT_TRUE(t.match_data(0x3003, 1, false, 0, 0).fired);
  EXPECT_FALSE(t.match_data(0x3004, 1, false, 0, 0).fired);
  EXPECT_FALSE(t.match_data(0x3000, 1, false, 0, 0).fired);
  t.remove_all_debug();
  EXPECT_FALSE(t.any_armed());
}

TEST(StuckDetector, SameTrapSameStateRepeats) {
  StuckDetector d(5);
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(d.on_exception(2, 0x100, 0, 3, 42));
  EXPECT_TRUE(d.on_exception(2, 0x100, 0, 3, 42));
  EXPECT_EQ(d.history().size(), 1u);
  EXPECT_EQ(d.history().back().count, 5u);
}

TEST(StuckDetector, ProgressOrEcallsAreNotStuck) {
  StuckDetector d(3);
  for (uint64_t i = 0; i < 10; ++i) EXPECT_FALSE(d.on_exception(2, 0x100, 0, 3, i));  // registers change
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(d.on_exception(9, 0x200, 0, 1, 7));    // ecall polling
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(d.on_exception(5, 0x300 + 4 * (i & 1), 0, 3, 7));
  EXPECT_LE(d.history().size(), StuckDetector::kHistory);
}

TEST(Rsp, FramingAcksInterruptsAndErrors) {
  vp::debug::PacketReader r(16);
  std::vector<vp::debug::PacketReader::Event> ev;
  const std::string in = "+-\x03" + vp::debug::frame("qC") + "$g#00" + "$" + std::string(40, 'a') + "#00";
  r.feed(in.data(), 5, ev);  // split anywhere
  r.feed(in.data() + 5, in.size() - 5, ev);
  using K = vp::debug::PacketReader::Event::Kind;
  ASSERT_EQ(ev.size(), 6u);
  EXPECT_EQ(ev[0].kind, K::kAck);
  EXPECT_EQ(ev[1].kind, K::kNack);
  EXPECT_EQ(ev[2].kind, K::kInterrupt);
  EXPECT_EQ(ev[3].kind, K::kPacket);
  EXPECT_EQ(ev[3].payload, "qC");
  EXPECT_EQ(ev[4].kind, K::kBadChecksum);
  EXPECT_EQ(ev[5].kind, K::kTooLong);
  EXPECT_EQ(vp::debug::frame("OK"), "$OK#9a");
}

// A packet cut short (its checksum missing) must not swallow what follows:
// the interrupt byte and the next packet still arrive.
TEST(Rsp, TruncatedPacketDoesNotEatTheNext) {
  vp::debug::PacketReader r(16);
  std::vector<vp::debug::PacketReader::Event> ev;
  const std::string in = "$q2#\x03" + vp::debug::frame("qC") + "$m1#4" + vp::debug::frame("g");
  r.feed(in.data(), in.size(), ev);
  using K = vp::debug::PacketReader::Event::Kind;
  ASSERT_EQ(ev.size(), 5u);
  EXPECT_EQ(ev[0].kind, K::kBadChecksum);
  EXPECT_EQ(ev[1].kind, K::kInterrupt);
  EXPECT_EQ(ev[2].kind, K::kPacket);
  EXPECT_EQ(ev[2].payload, "qC");
  EXPECT_EQ(ev[3].kind, K::kBadChecksum);
  EXPECT_EQ(ev[4].kind, K::kPacket);
  EXPECT_EQ(ev[4].payload, "g");
}

TEST(Rsp, HexAndBinary) {
  std::string out;
  EXPECT_TRUE(vp::debug::hex_decode("00ff7d", out));
  EXPECT_EQ(out, std::string("\x00\xff\x7d", 3));
  EXPECT_FALSE(vp::debug::hex_decode("0g", out));
  EXPECT_FALSE(vp::debug::hex_decode("abc", out));
  EXPECT_EQ(vp::debug::escape_binary("a#$}*"), std::string("a}\x03}\x04}]}\x0a"));
  EXPECT_TRUE(vp::debug::unescape_binary(vp::debug::escape_binary("x#}y"), out));
  EXPECT_EQ(out, "x#}y");
  EXPECT_FALSE(vp::debug::unescape_binary("abc}", out));
  EXPECT_EQ(vp::debug::hex_le(0x1122334455667788ull, 8), "8877665544332211");
  uint64_t v = 0;
  EXPECT_TRUE(vp::debug::parse_hex_le("8877665544332211", v));
  EXPECT_EQ(v, 0x1122334455667788ull);
  EXPECT_FALSE(vp::debug::parse_hex("12345678901234567", v));  // over 64 bits
}

TEST(Symbols, ContainingAndDescribe) {
  vp::platform::SymbolTable t;
  t.add({{"_start", 0x1000, 0, false}, {"main", 0x1100, 0x40, true}, {"data", 0x2000, 8, false},
         {".L3", 0x1104, 0, false}, {"$x", 0x1000, 0, false}},
        "a.elf");
  EXPECT_EQ(t.find("main").value_or(0), 0x1100u);
  EXPECT_FALSE(t.find(".L3"));
  EXPECT_EQ(t.describe(0x1100), "main");
  EXPECT_EQ(t.describe(0x1110), "main+0x10");
  EXPECT_EQ(t.describe(0x1010), "_start+0x10");  // an unsized label covers up to the next symbol
  EXPECT_EQ(t.describe(0x1140), "");             // past main's size
  uint64_t start = 0, end = 0;
  ASSERT_TRUE(t.containing(0x2004, &start, &end));
  EXPECT_EQ(start, 0x2000u);
  EXPECT_EQ(end, 0x2008u);
  EXPECT_EQ(t.describe(0x500), "");
}

namespace {

// A processor with 33 registers and 64 KiB of memory at 0: enough for the
// session to be tested for real.
class TinyProcessor : public vp::platform::Processor {
 public:
  std::map<std::pair<int, uint64_t>, int> watches;
  bool held = false, stepping = false;
  uint64_t regs[33] = {};
  std::vector<uint8_t> mem = std::vector<uint8_t>(65536);
  unsigned triggers_left = 1;

  void set_boot(uint64_t, uint64_t, uint64_t) override {}
  void set_htif(uint64_t, uint64_t) override {}
  void set_instruction_limit(uint64_t) override {}
  void set_trace(std::ostream*) override {}
  uint64_t instructions_retired() const override { return 0; }
  uint64_t pc() const override { return regs[32]; }
  uint64_t reg(unsigned i) const override { return regs[i & 31]; }
  bool supports_debug() const override { return true; }
  std::string debug_architecture() const override { return "riscv:rv64"; }
  std::vector<vp::platform::DebugRegister> debug_registers() const override {
    std::vector<vp::platform::DebugRegister> r;
    for (unsigned i = 0; i < 32; ++i) r.push_back({"x" + std::to_string(i), i, 64, "org.gnu.gdb.riscv.cpu", "int", ""});
    r.push_back({"pc", 32, 64, "org.gnu.gdb.riscv.cpu", "code_ptr", ""});
    r.push_back({"mstatus", 65 + 0x300, 64, "org.gnu.gdb.riscv.csr", "int", "csr"});
    return r;
  }
  bool read_register(unsigned n, uint64_t& v) override {
    if (n > 32) return false;
    v = regs[n];
    return true;
  }
  bool write_register(unsigned n, uint64_t v) override {
    if (n > 32) return false;
    regs[n] = v;
    return true;
  }
  size_t read_memory(uint64_t a, void* d, size_t n, bool) override {
    if (a >= mem.size()) return 0;
    n = std::min<size_t>(n, mem.size() - a);
    std::memcpy(d, mem.data() + a, n);
    return n;
  }
  size_t write_memory(uint64_t a, const void* d, size_t n, bool) override {
    if (a >= mem.size()) return 0;
    n = std::min<size_t>(n, mem.size() - a);
    std::memcpy(mem.data() + a, d, n);
    return n;
  }
  bool insert_watchpoint(vp::platform::WatchKind k, uint64_t a, uint64_t) override {
    if (k != vp::platform::WatchKind::kSoftware) {
      if (!triggers_left) return false;
      --triggers_left;
    }
    ++watches[{static_cast<int>(k), a}];
    return true;
  }
  bool remove_watchpoint(vp::platform::WatchKind k, uint64_t a, uint64_t) override {
    auto it = watches.find({static_cast<int>(k), a});
    if (it == watches.end()) return false;
    if (k != vp::platform::WatchKind::kSoftware) ++triggers_left;
    watches.erase(it);
    return true;
  }
  void remove_all_watchpoints() override { watches.clear(); }
  void set_debug_hold(bool h) override { held = h; }
  void set_single_step(bool s) override { stepping = s; }
};

class TinyTarget : public vp::debug::DebugTarget {
 public:
  TinyProcessor a, b;
  int ended = -1;
  std::vector<vp::platform::Processor*> processors() override { return {&a, &b}; }
  std::vector<std::string> processor_names() override { return {"cpu0", "cpu1"}; }
  vp::debug::SliceResult run_slice() override { return {}; }
  void end_run(int code, const std::string&) override { ended = code; }
  std::string statistics() override { return "sim.instructions 0\n"; }
};

}  // namespace

TEST(GdbSession, RegistersMemoryAndThreads) {
  TinyTarget t;
  vp::debug::GdbSession s(t);
  t.a.regs[32] = 0x1000;
  const auto g = s.handle("g");
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].size(), 33u * 16);  // x0..x31, pc: no gap before mstatus
  EXPECT_EQ(g[0].substr(32 * 16), "0010000000000000");
  EXPECT_EQ(s.handle("P5=efbeadde00000000")[0], "OK");
  EXPECT_EQ(t.a.regs[5], 0xdeadbeefu);
  EXPECT_EQ(s.handle("p365")[0], "E01");  // mstatus cannot be read on this processor
  EXPECT_EQ(s.handle("M10,2:abcd")[0], "OK");
  EXPECT_EQ(s.handle("m10,2")[0], "abcd");
  EXPECT_EQ(s.handle("X20,3:}\x03z}]")[0], "OK");  // escaped '#', 'z', '}'
  EXPECT_EQ(s.handle("m20,3")[0], "237a7d");
  EXPECT_EQ(s.handle("m20000,4")[0], "E14");
  EXPECT_EQ(s.handle("M10,3:abcd")[0], "E01");  // length and data disagree
  EXPECT_EQ(s.handle("qfThreadInfo")[0], "m1,2");
  EXPECT_EQ(s.handle("Hg2")[0], "OK");
  EXPECT_EQ(s.handle("P1=0100000000000000")[0], "OK");
  EXPECT_EQ(t.b.regs[1], 1u);
  EXPECT_EQ(s.handle("Hg3")[0], "E01");
  EXPECT_EQ(s.handle("T2")[0], "OK");
  EXPECT_EQ(s.handle("T0a")[0], "E01");
  EXPECT_EQ(s.handle("qXyzzy")[0], "");  // unknown: empty reply
}

TEST(GdbSession, TargetDescriptionInPieces) {
  TinyTarget t;
  vp::debug::GdbSession s(t);
  const std::string xml = vp::debug::target_description(t.a);
  EXPECT_NE(xml.find("<architecture>riscv:rv64</architecture>"), std::string::npos);
  EXPECT_NE(xml.find("<feature name=\"org.gnu.gdb.riscv.csr\">"), std::string::npos);
  EXPECT_NE(xml.find("name=\"mstatus\" bitsize=\"64\" regnum=\"833\""), std::string::npos);
  std::string got;
  for (size_t off = 0;;) {
    char req[64];
    std::snprintf(req, sizeof req, "qXfer:features:read:target.xml:%zx,100", off);
    const auto r = s.handle(req);
    ASSERT_EQ(r.size(), 1u);
    ASSERT_FALSE(r[0].empty());
    std::string piece;
    ASSERT_TRUE(vp::debug::unescape_binary(r[0].substr(1), piece));
    got += piece;
    off += piece.size();
    if (r[0][0] == 'l') break;
    ASSERT_EQ(r[0][0], 'm');
  }
  EXPECT_EQ(got, xml);
  EXPECT_EQ(s.handle("qXfer:features:read:other.xml:0,100")[0], "E00");
}

TEST(GdbSession, ResumeBreakpointsAndMonitor) {
  TinyTarget t;
  vp::debug::GdbSession s(t);
  // Z1 on two processors with one trigger each works; a second one fails on both (rolled back).
  EXPECT_EQ(s.handle("Z1,100,4")[0], "OK");
  EXPECT_EQ(s.handle("Z2,200,8")[0], "E01");
  EXPECT_EQ(t.a.triggers_left, 0u);
  EXPECT_EQ(t.b.triggers_left, 0u);
  EXPECT_EQ(s.handle("z1,100,4")[0], "OK");
  EXPECT_EQ(t.a.triggers_left, 1u);
  EXPECT_EQ(s.handle("Z9,100,4")[0], "");  // no such kind
  // vCont: step thread 2, hold thread 1.
  EXPECT_TRUE(s.handle("vCont;s:2").empty());
  EXPECT_TRUE(s.running());
  EXPECT_TRUE(t.a.held);
  EXPECT_TRUE(t.b.stepping);
  const auto stop = s.interrupt();
  ASSERT_EQ(stop.size(), 1u);
  EXPECT_EQ(stop[0], "T02thread:2;");
  EXPECT_FALSE(t.a.held);
  EXPECT_EQ(s.handle("vCont;x")[0], "E01");
  const auto mon = s.handle("qRcmd," + vp::debug::hex_encode(std::string("phys on")));
  ASSERT_GE(mon.size(), 2u);
  EXPECT_EQ(mon.back(), "OK");
  std::string text;
  ASSERT_TRUE(vp::debug::hex_decode(mon[0].substr(1), text));
  EXPECT_NE(text.find("physical"), std::string::npos);
  s.handle("qRcmd," + vp::debug::hex_encode(std::string("quit")));
  EXPECT_EQ(t.ended, 130);
  EXPECT_TRUE(s.closing());
}
