// The vhost mailbox (dev.mailbox): every command, the callback registry, and
// bad requests (unknown command, unmapped or out-of-range pointers, unknown
// callbacks, a throwing callback), which get an error status, never a crash.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "models/mem/ram.h"
#include "models/rtl/mailbox.h"
#include "platform/builder.h"
#include "platform/loader.h"
#include "platform/simulation.h"
#include "platform/state.h"
#include "tests/devices/sc_test_main.h"
#include "tests/rtl/rtl_registry.h"
#include "tests/support/store_probe.h"
#include "tests/support/test_initiator.h"

using namespace vp::rtl;
namespace mb = vp::rtl::mbox;
using vp::test::make;
using vp::test::TestInitiator;

namespace {

vp::platform::Registry& registry() { return vp::test::rtl_registry(); }

constexpr uint64_t kRamSize = 0x10000;
constexpr uint64_t kBlock = 0x100;

struct Bench {
  Mailbox* box;
  vp::mem::Ram* ram;
  TestInitiator* cpu;
  FILE* out;

  // Writes a request block, rings the doorbell through b_transport, returns the
  // status the platform wrote into the block (checked against STATUS).
  uint32_t request(uint32_t command, std::vector<uint64_t> args, uint64_t* result = nullptr) {
    uint8_t block[mb::kBlockSize] = {};
    std::memcpy(block + mb::kBlockCommand, &command, 4);
    const uint32_t pending = 0xdeadbeef;
    std::memcpy(block + mb::kBlockStatus, &pending, 4);
    args.resize(mb::kArgs);
    std::memcpy(block + mb::kBlockArgs, args.data(), 8 * mb::kArgs);
    std::memcpy(ram->data() + kBlock, block, sizeof block);
    EXPECT_EQ(cpu->write<uint64_t>(mb::kRequest, kBlock), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(cpu->write32(mb::kDoorbell, 1), tlm::TLM_OK_RESPONSE);
    uint32_t status;
    std::memcpy(&status, ram->data() + kBlock + mb::kBlockStatus, 4);
    EXPECT_EQ(status, cpu->read32(mb::kStatus));
    uint64_t res;
    std::memcpy(&res, ram->data() + kBlock + mb::kBlockResult, 8);
    EXPECT_EQ(res, cpu->read<uint64_t>(mb::kResult));
    if (result) *result = res;
    return status;
  }
  std::string printed() {
    std::fflush(out);
    std::rewind(out);
    std::string s;
    char buf[256];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, out)) > 0) s.append(buf, n);
    return s;
  }
};

Bench make_bench(MailboxConfig config = {}) {
  FILE* out = std::tmpfile();
  config.output = out;
  auto& box = make<Mailbox>("mbox", config);
  vp::mem::RamConfig rc;
  rc.size = kRamSize;
  auto& ram = make<vp::mem::Ram>("ram", rc);
  auto& cpu = make<TestInitiator>("cpu");
  box.mem.bind(ram.socket);
  cpu.socket.bind(box.socket);
  return {&box, &ram, &cpu, out};
}

// A fresh folder for the file services, unique to this process; the test removes it.
std::string make_fs_root(const std::string& tag) {
  const std::string root = ::testing::TempDir() + "vp-mailbox-" + tag + "-" + std::to_string(getpid());
  mkdir(root.c_str(), 0777);
  return root;
}

// A bench whose file services are rooted at `root`.
Bench make_fs_bench(const std::string& root) {
  MailboxConfig c;
  c.fs_root = root;
  return make_bench(c);
}

// A NUL-terminated guest string (a file name, data) at `offset` in the bench's RAM.
void put_string(Bench& b, uint64_t offset, const char* text) {
  std::strcpy(reinterpret_cast<char*>(b.ram->data() + offset), text);
}

TEST(Mailbox, Registers) {
  auto b = make_bench();
  EXPECT_EQ(b.cpu->read32(mb::kId), mb::kMagic);
  EXPECT_EQ(b.cpu->write32(mb::kRequest, 0x12345678), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.cpu->write32(mb::kRequest + 4, 0x9abc), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.cpu->read<uint64_t>(mb::kRequest), 0x9abc12345678ull);
  EXPECT_EQ(b.cpu->read32(mb::kRequest + 4), 0x9abcu);
  tlm::tlm_response_status s;
  b.cpu->read<uint32_t>(0x40, &s);
  EXPECT_EQ(s, tlm::TLM_ADDRESS_ERROR_RESPONSE);           // no register
  EXPECT_EQ(b.cpu->write32(mb::kId, 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // read-only
  EXPECT_EQ(b.cpu->write8(mb::kDoorbell, 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // 32-bit only
  // A debug write of the doorbell does not serve anything.
  uint32_t one = 1;
  EXPECT_EQ(b.cpu->debug(tlm::TLM_WRITE_COMMAND, mb::kDoorbell, &one, 4), 4u);
  EXPECT_EQ(b.box->requests(), 0u);
}

TEST(Mailbox, PrintMemsetMemmoveMemcmp) {
  auto b = make_bench();
  uint8_t* ram = b.ram->data();
  std::memcpy(ram + 0x1000, "hello, mailbox\n", 15);
  uint64_t r = 0;
  EXPECT_EQ(b.request(mb::Print, {0x1000, 15}, &r), mb::Ok);
  EXPECT_EQ(r, 15u);
  EXPECT_EQ(b.printed(), "hello, mailbox\n");

  EXPECT_EQ(b.request(mb::Memset, {0x2000, 0x1a5, 100}, &r), mb::Ok);  // only the low byte counts
  EXPECT_EQ(r, 0x2000u);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(ram[0x2000 + i], 0xa5);
  EXPECT_EQ(ram[0x2000 + 100], 0);

  for (int i = 0; i < 64; ++i) ram[0x3000 + i] = uint8_t(i);
  EXPECT_EQ(b.request(mb::Memmove, {0x4000, 0x3000, 64}), mb::Ok);
  EXPECT_EQ(std::memcmp(ram + 0x4000, ram + 0x3000, 64), 0);
  // Overlapping, forwards and backwards.
  EXPECT_EQ(b.request(mb::Memmove, {0x3008, 0x3000, 32}), mb::Ok);
  for (int i = 0; i < 32; ++i) ASSERT_EQ(ram[0x3008 + i], uint8_t(i));
  EXPECT_EQ(b.request(mb::Memmove, {0x4000, 0x4010, 32}), mb::Ok);
  for (int i = 0; i < 32; ++i) ASSERT_EQ(ram[0x4000 + i], uint8_t(i + 16));

  std::memcpy(ram + 0x5000, "abcdef", 6);
  std::memcpy(ram + 0x5100, "abcxef", 6);
  EXPECT_EQ(b.request(mb::Memcmp, {0x5000, 0x5100, 3}, &r), mb::Ok);
  EXPECT_EQ(r, 0u);
  EXPECT_EQ(b.request(mb::Memcmp, {0x5000, 0x5100, 6}, &r), mb::Ok);
  EXPECT_EQ(int64_t(r), -1);
  EXPECT_EQ(b.request(mb::Memcmp, {0x5100, 0x5000, 6}, &r), mb::Ok);
  EXPECT_EQ(r, 1u);
  EXPECT_EQ(b.request(mb::Memcmp, {0x5100, 0x5000, 0}, &r), mb::Ok);
  EXPECT_EQ(r, 0u);
  EXPECT_EQ(b.box->requests(), 9u);
}

TEST(Mailbox, BadRequests) {
  MailboxConfig c;
  c.max_length = 0x1000;
  auto b = make_bench(c);
  uint8_t* ram = b.ram->data();
  EXPECT_EQ(b.request(0, {}), mb::BadCommand);
  EXPECT_EQ(b.request(77, {}), mb::BadCommand);
  // Out of range, partly out of range, wrapping around.
  EXPECT_EQ(b.request(mb::Print, {kRamSize - 4, 8}), mb::BadAddress);
  EXPECT_EQ(b.request(mb::Print, {0x40000000, 1}), mb::BadAddress);
  EXPECT_EQ(b.request(mb::Memset, {kRamSize - 16, 0xff, 32}), mb::BadAddress);
  for (int i = 0; i < 16; ++i) ASSERT_EQ(ram[kRamSize - 16 + i], 0) << "no partial write";
  EXPECT_EQ(b.request(mb::Memmove, {kRamSize - 8, 0x1000, 16}), mb::BadAddress);
  EXPECT_EQ(b.request(mb::Memmove, {0x1000, ~0ull - 3, 16}), mb::BadAddress);
  EXPECT_EQ(b.request(mb::Memcmp, {0x1000, kRamSize, 1}), mb::BadAddress);
  // Too long (also a huge length never allocates).
  EXPECT_EQ(b.request(mb::Memset, {0, 0, 0x1001}), mb::TooLong);
  EXPECT_EQ(b.request(mb::Memmove, {0, 0, ~0ull}), mb::TooLong);
  EXPECT_EQ(b.request(mb::Print, {0, ~0ull}), mb::TooLong);
  EXPECT_EQ(b.printed(), "");
  // The request block itself unmapped: only the STATUS register says so.
  EXPECT_EQ(b.cpu->write<uint64_t>(mb::kRequest, kRamSize - 8), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.cpu->write32(mb::kDoorbell, 1), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.cpu->read32(mb::kStatus), uint32_t(mb::BadBlock));
}

TEST(Mailbox, CallbacksByNumberAndName) {
  auto b = make_bench();
  uint8_t* ram = b.ram->data();
  auto& reg = MailboxCallbacks::global();
  reg.add(1, "sum", [](MailboxCall& c) {
    uint64_t s = 0;
    for (auto a : c.args) s += a;
    return s;
  });
  // Reads a string from guest memory and writes its length back next to it.
  reg.add(2, "strlen_at", [](MailboxCall& c) -> uint64_t {
    if (c.args.size() != 1) throw MailboxError(mb::BadArgument, "one argument");
    uint64_t n = 0;
    char ch;
    while (c.read_memory(c.args[0] + n, &ch, 1) && ch) ++n;
    if (!c.write_memory(c.args[0] + 0x100, &n, 8)) throw MailboxError(mb::BadAddress, "write");
    return n;
  });
  reg.add(3, "boom", [](MailboxCall&) -> uint64_t { throw std::runtime_error("boom"); });
  EXPECT_THROW(reg.add(4, "sum", [](MailboxCall&) { return uint64_t(0); }), std::invalid_argument);
  EXPECT_EQ(reg.id_of("strlen_at"), 2u);
  EXPECT_EQ(reg.list().size(), 3u);

  const uint64_t argv[] = {1, 2, 3, 40};
  std::memcpy(ram + 0x1000, argv, sizeof argv);
  uint64_t r = 0;
  EXPECT_EQ(b.request(mb::Call, {1, 0x1000, 4, 0}, &r), mb::Ok);
  EXPECT_EQ(r, 46u);
  EXPECT_EQ(b.request(mb::Call, {1, 0, 0, 0}, &r), mb::Ok);  // no arguments: argv not read
  EXPECT_EQ(r, 0u);
  std::strcpy(reinterpret_cast<char*>(ram + 0x2000), "strlen_at");
  std::strcpy(reinterpret_cast<char*>(ram + 0x3000), "vhost!");
  const uint64_t one = 0x3000;
  std::memcpy(ram + 0x1100, &one, 8);
  EXPECT_EQ(b.request(mb::Call, {999, 0x1100, 1, 0x2000}, &r), mb::Ok);  // by name: the number is ignored
  EXPECT_EQ(r, 6u);
  uint64_t written;
  std::memcpy(&written, ram + 0x3100, 8);
  EXPECT_EQ(written, 6u);

  // Errors.
  EXPECT_EQ(b.request(mb::Call, {2, 0x1000, 2, 0}), mb::BadArgument);    // the callback's own status
  EXPECT_EQ(b.request(mb::Call, {3, 0, 0, 0}), mb::CallbackFailed);     // threw
  EXPECT_EQ(b.request(mb::Call, {42, 0, 0, 0}), mb::NoCallback);
  EXPECT_EQ(b.request(mb::Call, {1ull << 32 | 1, 0, 0, 0}), mb::NoCallback);
  std::strcpy(reinterpret_cast<char*>(ram + 0x2100), "nope");
  EXPECT_EQ(b.request(mb::Call, {1, 0, 0, 0x2100}), mb::NoCallback);
  EXPECT_EQ(b.request(mb::Call, {1, 0x1000, 17, 0}), mb::BadArgument);  // > max_call_args
  EXPECT_EQ(b.request(mb::Call, {1, kRamSize - 8, 2, 0}), mb::BadAddress);
  EXPECT_EQ(b.request(mb::Call, {1, 0, 0, kRamSize + 5}), mb::BadAddress);
  std::memset(ram + 0x4000, 'x', 100);  // unterminated / too long name
  EXPECT_EQ(b.request(mb::Call, {1, 0, 0, 0x4000}), mb::BadArgument);
  EXPECT_TRUE(reg.remove(1));
  EXPECT_FALSE(reg.remove(1));
  EXPECT_EQ(b.request(mb::Call, {1, 0x1000, 4, 0}), mb::NoCallback);
  reg.clear();
}

TEST(Mailbox, ExitStopsTheSimulation) {
  auto b = make_bench();
  vp::platform::clear_stop_request();
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  EXPECT_EQ(b.request(mb::Exit, {uint64_t(-3)}), mb::Ok);
  auto stop = vp::platform::stop_request();
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->exit_code, -3);
  EXPECT_EQ(stop->reason, "mailbox: exit -3");
}

// The mailbox's `mem` socket and registers on a bus with RAM.
const char* kBusPlatform = R"(
components:
  bus: { type: router }
  ram: { type: mem.ram, size: 64KiB }
  mbox: { type: dev.mailbox, output: none, max_length: 1KiB }
bind:
  - mbox.mem -> bus
  - bus: { ram: 0x80000000, mbox: 0x10020000 }
)";

// A MEMSET request block at `block` (status 0xffffffff, as firmware leaves it).
void put_memset(vp::platform::Platform& p, uint64_t block, uint64_t dst, uint64_t value, uint64_t len) {
  uint8_t b[mb::kBlockSize] = {};
  const uint32_t cmd = mb::Memset, status = 0xffffffff;
  const uint64_t args[] = {dst, value, len};
  std::memcpy(b, &cmd, 4);
  std::memcpy(b + mb::kBlockStatus, &status, 4);
  std::memcpy(b + mb::kBlockArgs, args, sizeof args);
  ASSERT_EQ(p.write_physical(block, b, sizeof b), sizeof b);
}

// Its stores into memory are no processor's: reported to the platform's reservation
// monitor (the builder hands it over), so an LR reservation on the bytes breaks (one
// elsewhere stays) and an observer (lock-step checking) gets the bytes.
TEST(Mailbox, StoresReachTheReservationMonitor) {
  using namespace vp::platform;
  auto p = build_platform(load_platform_string(kBusPlatform), registry());
  auto* box = dynamic_cast<Mailbox*>(p->find("mbox"));
  ASSERT_TRUE(box);
  put_memset(*p, 0x80000000, 0x80001000, 0x5a, 16);
  vp::test::StoreProbe hit(p->reservations()), miss(p->reservations(), false);
  hit.reserve(0x80001008);
  miss.reserve(0x80001040);  // the next granule: not written
  box->serve(0x80000000);
  EXPECT_EQ(box->last_status(), mb::Ok);
  EXPECT_FALSE(hit.holds());
  EXPECT_TRUE(miss.holds());
  const std::vector<uint8_t> set(16, 0x5a);
  EXPECT_TRUE(hit.saw(0x80001000, set.data(), set.size()));
  const uint32_t ok = mb::Ok;
  EXPECT_TRUE(hit.saw(0x80000000 + mb::kBlockStatus, &ok, 4));  // the status written back
}

// Built from YAML: the mailbox's `mem` socket on the bus, registers on the bus.
TEST(Mailbox, FromYaml) {
  using namespace vp::platform;
  auto p = build_platform(load_platform_string(kBusPlatform), registry());
  auto* box = dynamic_cast<Mailbox*>(p->find("mbox"));
  ASSERT_TRUE(box);
  uint32_t id = 0;
  EXPECT_EQ(p->read_physical(0x10020000, &id, 4), 4u);
  EXPECT_EQ(id, mb::kMagic);
  put_memset(*p, 0x80000000, 0x80001000, 0x5a, 16);
  box->serve(0x80000000);
  EXPECT_EQ(box->last_status(), mb::Ok);
  uint8_t got[17] = {};
  ASSERT_EQ(p->read_physical(0x80001000, got, 17), 17u);
  EXPECT_EQ(got[0], 0x5a);
  EXPECT_EQ(got[15], 0x5a);
  EXPECT_EQ(got[16], 0);
  // Bad property values carry their location.
  try {
    build_platform(load_platform_string("components:\n  m: { type: dev.mailbox, output: tty }\n"), registry());
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.where().line, 2);
    EXPECT_NE(std::string(e.what()).find("output"), std::string::npos);
  }
  p.release();
}

// fs_root: OPEN/WRITE/CLOSE through the bus into a file beneath the root; a
// root that is not a directory is a located error.
TEST(Mailbox, FileServices) {
  using namespace vp::platform;
  try {
    build_platform(load_platform_string("components:\n  m: { type: dev.mailbox, fs_root: /no/such/dir }\n"),
                   registry());
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.where().line, 2);
    EXPECT_NE(std::string(e.what()).find("'/no/such/dir' is not a directory"), std::string::npos) << e.what();
  }
}

TEST(Mailbox, FileServicesEngine) {
  const std::string root = make_fs_root("fs");
  auto b = make_fs_bench(root);
  put_string(b, 0x1000, "out.txt");
  put_string(b, 0x1100, "from the guest");
  uint64_t h = 99, r = 0;
  ASSERT_EQ(b.request(mb::Open, {0x1000, 1}, &h), mb::Ok);
  EXPECT_EQ(b.request(mb::Write, {h, 0x1100, 14}, &r), mb::Ok);
  EXPECT_EQ(r, 14u);
  EXPECT_EQ(b.request(mb::Close, {h}), mb::Ok);
  std::ifstream in(root + "/out.txt");
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text, "from the guest");
  put_string(b, 0x1000, "../escape.txt");
  EXPECT_EQ(b.request(mb::Open, {0x1000, 1}), mb::BadArgument);
  unlink((root + "/out.txt").c_str());
  rmdir(root.c_str());
}

// Checkpoints: registers and open files come back; the next request goes on
// where the saved run was; damaged, foreign and uncapturable state is a StateError.
TEST(Mailbox, CheckpointRoundTrip) {
  using vp::platform::StateError;
  using vp::platform::StateReader;
  using vp::platform::StateWriter;
  const std::string root = make_fs_root("ckpt");
  { std::ofstream(root + "/in.txt") << "0123456789abcdefghij"; }
  const auto file = [&](const std::string& name) {
    std::ifstream in(root + "/" + name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  auto b = make_fs_bench(root);
  uint8_t* ram = b.ram->data();
  put_string(b, 0x1000, "in.txt");
  put_string(b, 0x1040, "out.txt");
  put_string(b, 0x1080, "other.txt");
  put_string(b, 0x1100, "first second");
  uint64_t in = 9, tmp = 9, out = 9, r = 0;
  ASSERT_EQ(b.request(mb::Open, {0x1000, 0}, &in), mb::Ok);   // handle 0
  ASSERT_EQ(b.request(mb::Open, {0x1080, 1}, &tmp), mb::Ok);  // handle 1, closed again: a hole
  ASSERT_EQ(b.request(mb::Open, {0x1040, 1}, &out), mb::Ok);  // handle 2
  ASSERT_EQ(b.request(mb::Close, {tmp}), mb::Ok);
  ASSERT_EQ(b.request(mb::Read, {in, 0x2000, 5}, &r), mb::Ok);
  ASSERT_EQ(b.request(mb::Write, {out, 0x1100, 6}, &r), mb::Ok);
  ASSERT_EQ(b.cpu->write<uint64_t>(mb::kRequest, 0x7700), tlm::TLM_OK_RESPONSE);  // not rung
  const uint64_t count = b.box->requests();
  const uint64_t result = b.box->last_result();

  StateWriter w;
  ASSERT_TRUE(b.box->save_state(w));
  const std::vector<uint8_t> saved = w.data();

  // Change everything: registers, positions, the written file, the handle table.
  ASSERT_EQ(b.request(mb::Read, {in, 0x2000, 7}, &r), mb::Ok);
  ASSERT_EQ(b.request(mb::Write, {out, 0x1100, 12}, &r), mb::Ok);
  ASSERT_EQ(b.request(mb::Close, {out}), mb::Ok);
  ASSERT_EQ(b.request(mb::Open, {0x1080, 1}, &tmp), mb::Ok);
  ASSERT_EQ(b.request(mb::Memcmp, {0x1000, 0x1040, 2}, &r), mb::Ok);
  EXPECT_EQ(file("out.txt"), "first first second");
  { std::ofstream(root + "/out.txt") << "scribbled over by the host"; }

  StateReader rd(saved.data(), saved.size(), "mbox");
  b.box->restore_state(rd);
  rd.expect_end();
  EXPECT_EQ(b.cpu->read<uint64_t>(mb::kRequest), 0x7700u);
  EXPECT_EQ(b.box->requests(), count);
  EXPECT_EQ(b.box->last_result(), result);
  EXPECT_EQ(b.cpu->read32(mb::kStatus), uint32_t(mb::Ok));
  EXPECT_EQ(file("out.txt"), "first ");  // the guest's contents at the checkpoint
  // The next operations continue from the saved positions and handles.
  ASSERT_EQ(b.request(mb::Read, {in, 0x2000, 5}, &r), mb::Ok);
  EXPECT_EQ(r, 5u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(ram + 0x2000), 5), "56789");
  ASSERT_EQ(b.request(mb::Write, {out, 0x1100 + 6, 6}, &r), mb::Ok);
  EXPECT_EQ(b.request(mb::Close, {out}), mb::Ok);
  EXPECT_EQ(file("out.txt"), "first second");
  EXPECT_EQ(b.request(mb::Close, {tmp}), mb::FileError);  // handle 1 was free at the checkpoint
  ASSERT_EQ(b.request(mb::Open, {0x1080, 0}, &tmp), mb::Ok);
  EXPECT_EQ(tmp, 1u);  // the first free handle, as in the saved run
  EXPECT_EQ(b.box->requests(), count + 5);

  // Damaged or foreign records and a changed input file: StateError.
  for (size_t cut : {size_t(1), size_t(9), saved.size() / 2}) {
    StateReader t(saved.data(), saved.size() - cut, "mbox");
    EXPECT_THROW(b.box->restore_state(t), StateError) << "cut " << cut;
  }
  StateWriter foreign;
  foreign.tag("ns16550/1");
  foreign.u64(0);
  StateReader f(foreign.data().data(), foreign.data().size(), "mbox");
  try {
    b.box->restore_state(f);
    FAIL() << "expected a StateError";
  } catch (const StateError& e) {
    EXPECT_NE(std::string(e.what()).find("expected state 'mailbox/1'"), std::string::npos) << e.what();
  }
  { std::ofstream(root + "/in.txt") << "shorter"; }
  StateReader changed(saved.data(), saved.size(), "mbox");
  try {
    b.box->restore_state(changed);
    FAIL() << "expected a StateError";
  } catch (const StateError& e) {
    EXPECT_NE(std::string(e.what()).find("'in.txt'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("now has 7 bytes"), std::string::npos) << e.what();
  }

  // A file open for appending cannot be captured: refused, naming it.
  ASSERT_EQ(b.request(mb::Open, {0x1040, 2}, &out), mb::Ok);
  StateWriter refused;
  try {
    b.box->save_state(refused);
    FAIL() << "expected a StateError";
  } catch (const StateError& e) {
    EXPECT_NE(std::string(e.what()).find("'out.txt'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("appending"), std::string::npos) << e.what();
  }
  ASSERT_EQ(b.request(mb::Close, {out}), mb::Ok);
  StateWriter again;
  EXPECT_TRUE(b.box->save_state(again));

  // Open files but no file services on the restoring mailbox.
  auto& plain = make<Mailbox>("plain", MailboxConfig{});
  StateReader nofs(saved.data(), saved.size(), "mbox");
  try {
    plain.restore_state(nofs);
    FAIL() << "expected a StateError";
  } catch (const StateError& e) {
    EXPECT_NE(std::string(e.what()).find("no file services"), std::string::npos) << e.what();
  }
  for (const char* n : {"in.txt", "out.txt", "other.txt"}) unlink((root + "/" + n).c_str());
  rmdir(root.c_str());
}

}  // namespace

VP_SC_TEST_MAIN
