// The verification host (vp_mailbox.h) without a SystemC kernel or an sc_main
// of its own: bootstrap from MEM_CFG_FILE / MAILBOX_CFG_FILE / MAILBOX_FS_ROOT
// and from YAML text, located errors that never abort, channels polled in
// guest memory, the CALL layers in order (Python slot, C++, DPI), file
// services confined to the root, and the four memory backends.
#include <elf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "models/mem/vhost_memory.h"
#include "models/rtl/mailbox_engine.h"
#include "models/rtl/vhost_host.h"
#include "models/rtl/vp_mailbox.h"

namespace mb = vp::rtl::mbox;

namespace {

const std::string kSrc = VP_VHOST_SRC;  // tests/rtl/vhost_host
const std::string kTmp = VP_VHOST_TMP;  // a scratch directory in the build tree
const std::string kMem = kSrc + "/mem.yaml";
const std::string kMemStatic = kSrc + "/mem_static.yaml";
const std::string kMailbox = kSrc + "/mailbox.yaml";
constexpr uint64_t kRam = 0x80000000, kSlot0 = 0x8000fff0, kSlot1 = 0x8000fff8;

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = kTmp + "/" + name;
  std::ofstream(path) << text;
  return path;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Sets (or with nullptr unsets) the three variables; the host is shut down before and after.
struct Env {
  Env(const char* mem, const char* cfg, const char* root) {
    vp_mailbox_shutdown();
    set("MEM_CFG_FILE", mem);
    set("MAILBOX_CFG_FILE", cfg);
    set("MAILBOX_FS_ROOT", root);
    unsetenv("VP_MAILBOX_BACKEND");
  }
  ~Env() {
    vp_mailbox_shutdown();
    unsetenv("MEM_CFG_FILE");
    unsetenv("MAILBOX_CFG_FILE");
    unsetenv("MAILBOX_FS_ROOT");
    unsetenv("VP_MAILBOX_BACKEND");
  }
  static void set(const char* name, const char* value) {
    if (value) setenv(name, value, 1);
    else unsetenv(name);
  }
};

std::string fs_root() {
  const std::string root = kTmp + "/fsroot";
  mkdir(root.c_str(), 0777);
  return root;
}

// A request block at `block` of guest memory; returns the status the host wrote into it.
uint32_t request(uint64_t block, uint32_t command, std::vector<uint64_t> args, uint64_t* result = nullptr,
                 uint64_t slot = kSlot0) {
  uint8_t b[mb::kBlockSize] = {};
  std::memcpy(b + mb::kBlockCommand, &command, 4);
  const uint32_t pending = 0xdeadbeef;
  std::memcpy(b + mb::kBlockStatus, &pending, 4);
  args.resize(mb::kArgs);
  std::memcpy(b + mb::kBlockArgs, args.data(), 8 * mb::kArgs);
  EXPECT_EQ(vp_mailbox_write(block, b, sizeof b), VP_MAILBOX_OK);
  EXPECT_EQ(vp_mailbox_write64((long long)slot, (long long)block), VP_MAILBOX_OK);
  EXPECT_EQ(vp_mailbox_poll(), 1) << vp_last_error();
  long long s = -1;
  EXPECT_EQ(vp_mailbox_read64((long long)slot, &s), VP_MAILBOX_OK);
  EXPECT_EQ(s, 0) << "the host clears the slot";
  uint32_t status;
  uint64_t res;
  EXPECT_EQ(vp_mailbox_read(block + mb::kBlockStatus, &status, 4), VP_MAILBOX_OK);
  EXPECT_EQ(vp_mailbox_read(block + mb::kBlockResult, &res, 8), VP_MAILBOX_OK);
  if (result) *result = res;
  return status;
}

void put_string(uint64_t addr, const std::string& s) {
  ASSERT_EQ(vp_mailbox_write(addr, s.c_str(), s.size() + 1), VP_MAILBOX_OK) << vp_last_error();
}

TEST(VhostInit, FromEnvironment) {
  const std::string root = fs_root();
  Env env(kMem.c_str(), kMailbox.c_str(), root.c_str());
  EXPECT_STREQ(vp_mailbox_backend(), "");
  ASSERT_EQ(vp_mailbox_init(), VP_MAILBOX_OK) << vp_last_error();
  EXPECT_STREQ(vp_last_error(), "");
  EXPECT_STREQ(vp_mailbox_backend(), "logging");
  EXPECT_EQ(vp_mailbox_poll(), 0);  // both slots idle
  EXPECT_EQ(vp_mailbox_init(), VP_MAILBOX_ESTATE);
  EXPECT_NE(std::string(vp_last_error()).find("already initialised"), std::string::npos);
  // The init method of top.u_rom (all_zero) and guest memory across memories.
  uint32_t w = 1;
  EXPECT_EQ(vp_mailbox_read(0x80010000 + 60, &w, 4), VP_MAILBOX_OK);
  EXPECT_EQ(w, 0u);
  EXPECT_EQ(vp_mailbox_write(0x80010000 + 62, "abcd", 4), VP_MAILBOX_EACCESS);  // runs off top.u_rom
  EXPECT_NE(std::string(vp_last_error()).find("0x80010040 is not in a memory of space 'cpu'"), std::string::npos)
      << vp_last_error();
  // VP_MAILBOX_BACKEND overrides the file's backend.
  vp_mailbox_shutdown();
  setenv("VP_MAILBOX_BACKEND", "static", 1);
  EXPECT_EQ(vp_mailbox_init(), VP_MAILBOX_ECONFIG);  // mem.yaml has a black box
  EXPECT_NE(std::string(vp_last_error()).find("mem.yaml:3:5: error: black box top.u_bb"), std::string::npos)
      << vp_last_error();
  setenv("VP_MAILBOX_BACKEND", "stattic", 1);
  EXPECT_EQ(vp_mailbox_init(), VP_MAILBOX_ECONFIG);
  EXPECT_NE(std::string(vp_last_error()).find("unknown backend 'stattic'"), std::string::npos) << vp_last_error();
  EXPECT_NE(std::string(vp_last_error()).find("did you mean 'static'"), std::string::npos) << vp_last_error();
}

TEST(VhostInit, EnvironmentErrors) {
  const std::string root = fs_root();
  struct Case {
    const char *mem, *cfg, *root;
    int code;
    std::string message;
  };
  const std::string missing = kTmp + "/no-such-file.yaml";
  const std::string plain = write_file("plain.txt", "x\n");
  const Case cases[] = {
      {nullptr, kMailbox.c_str(), root.c_str(), VP_MAILBOX_EENV, "environment: error: MEM_CFG_FILE"},
      {kMem.c_str(), nullptr, root.c_str(), VP_MAILBOX_EENV, "environment: error: MAILBOX_CFG_FILE"},
      {kMem.c_str(), kMailbox.c_str(), nullptr, VP_MAILBOX_EENV, "environment: error: MAILBOX_FS_ROOT"},
      {"", kMailbox.c_str(), root.c_str(), VP_MAILBOX_EENV, "MEM_CFG_FILE"},
      {missing.c_str(), kMailbox.c_str(), root.c_str(), VP_MAILBOX_EFILE,
       missing + ": error: cannot read the memory definition file (MEM_CFG_FILE): No such file or directory"},
      {kMem.c_str(), missing.c_str(), root.c_str(), VP_MAILBOX_EFILE,
       missing + ": error: cannot read the mailbox configuration file (MAILBOX_CFG_FILE)"},
      {kTmp.c_str(), kMailbox.c_str(), root.c_str(), VP_MAILBOX_EFILE, "a directory"},
      {kMem.c_str(), kMailbox.c_str(), missing.c_str(), VP_MAILBOX_EFILE, missing + ": error: MAILBOX_FS_ROOT: "},
      {kMem.c_str(), kMailbox.c_str(), plain.c_str(), VP_MAILBOX_EFILE, "MAILBOX_FS_ROOT is not a directory"},
  };
  for (const auto& c : cases) {
    Env env(c.mem, c.cfg, c.root);
    EXPECT_EQ(vp_mailbox_init(), c.code) << c.message;
    EXPECT_NE(std::string(vp_last_error()).find(c.message), std::string::npos)
        << "got: " << vp_last_error() << "\nwanted: " << c.message;
    EXPECT_STREQ(vp_mailbox_backend(), "");  // nothing half-built
  }
  // Calls before init fail politely.
  Env env(nullptr, nullptr, nullptr);
  EXPECT_EQ(vp_mailbox_poll(), VP_MAILBOX_ESTATE);
  EXPECT_NE(std::string(vp_last_error()).find("vp_mailbox_poll: the mailbox is not initialised"), std::string::npos);
  int status;
  long long result;
  EXPECT_EQ(vp_mailbox_serve(kRam, &status, &result), VP_MAILBOX_ESTATE);
  EXPECT_EQ(vp_mailbox_load_elf("x"), VP_MAILBOX_ESTATE);
}

// Bad configuration files: each error names file:line:column.
TEST(VhostInit, ConfigErrorsAreLocated) {
  const std::string root = fs_root();
  struct Case {
    std::string mem, cfg;
    std::string message;
  };
  const std::string cfg_ok = "space: cpu\nlog: none\n";
  const std::vector<Case> cases = {
      {kMem, "space: cpu\nchannels:\n  - { name: a, address: [1] }\n", "bad1.yaml:3:25: error: expected a number"},
      {kMem, "space: cpu\nbackend: uvm\n", "bad2.yaml:2:10: error: 'backend': unknown value 'uvm'"},
      {kMem, "space: cpu\nchanels: []\n", "bad3.yaml:2:1: error: unknown key 'chanels' (did you mean 'channels'?)"},
      {kMem, "space: gpu\n", "bad4.yaml:1:8: error: no space 'gpu'"},
      {kMem, "channels:\n  - { name: a, address: 0x70000000 }\n",
       "bad5.yaml:2:25: error: channel address 0x70000000 (8 bytes) is not inside a memory of space 'cpu'"},
      {kMem, "channels:\n  - { name: a, address: 0x8000fffc }\n", "bad6.yaml:2:25: error: channel address must be 8-byte aligned"},
      {kMem, "channels:\n  - { name: a, address: 0x80000000 }\n  - { name: a, address: 0x80000008 }\n",
       "bad7.yaml:3:13: error: channel 'a' is defined twice"},
      {kMem, "space: [cpu\n", "bad8.yaml:"},  // YAML syntax error
      {kMem, "max_call_args: 1000\n", "bad9.yaml:1:16: error: max_call_args: must be at most 256"},
      {"spaces:\n  cpu:\n    direct:\n      - { path: a, base: 0, width: 12, size: 64 }\n", cfg_ok,
       "badmem1.yaml:4:36: error: width: expected a multiple of 8 bits"},
      {"spaces:\n  cpu:\n    direct:\n      - { path: a, base: 0, size: 64, init: { method: hex, file: nope.hex } }\n",
       cfg_ok, "badmem2.yaml:4:45: error: cannot read hex file"},
      {"spaces: {a: {direct: []}, b: {direct: []}}\n", "log: none\n", ""},  // no memory: spaces unused
      {"spaces:\n  cpu:\n    direct:\n      - { path: a, base: 0, size: 3GiB }\n      - { path: b, base: 0x100000000, size: 3GiB }\n",
       cfg_ok, "badmem4.yaml:5:9: error: memory b: the logging backend keeps local copies"},  // never allocated
  };
  int i = 0;
  for (const auto& c : cases) {
    ++i;
    const std::string mem = c.mem == kMem ? kMem
                                          : write_file("badmem" + std::to_string(i - 9) + ".yaml", c.mem);
    const std::string cfg = write_file("bad" + std::to_string(i) + ".yaml", c.cfg);
    Env env(mem.c_str(), cfg.c_str(), root.c_str());
    const int rc = vp_mailbox_init();
    if (c.message.empty()) {
      EXPECT_EQ(rc, VP_MAILBOX_OK) << vp_last_error();
      continue;
    }
    EXPECT_EQ(rc, VP_MAILBOX_ECONFIG) << c.message;
    EXPECT_NE(std::string(vp_last_error()).find(c.message), std::string::npos)
        << "got: " << vp_last_error() << "\nwanted: " << c.message;
  }
  // Several spaces and none chosen.
  const std::string two = write_file("two.yaml", "spaces:\n  a: { direct: [ { path: x, base: 0, size: 8 } ] }\n"
                                                 "  b: { direct: [ { path: y, base: 0, size: 8 } ] }\n");
  const std::string cfg = write_file("nospace.yaml", "log: none\n");
  Env env(two.c_str(), cfg.c_str(), root.c_str());
  EXPECT_EQ(vp_mailbox_init(), VP_MAILBOX_ECONFIG);
  EXPECT_NE(std::string(vp_last_error()).find("nospace.yaml:1:1: error: the memory definition has several spaces (a, b)"),
            std::string::npos)
      << vp_last_error();
}

TEST(VhostInit, WithConfigText) {
  Env env(nullptr, nullptr, nullptr);
  EXPECT_EQ(vp_mailbox_init_with_config(nullptr, "log: none\n"), VP_MAILBOX_EENV);
  EXPECT_NE(std::string(vp_last_error()).find("MEM_CFG_FILE is not set"), std::string::npos);
  EXPECT_EQ(vp_mailbox_init_with_config(kMem.c_str(), nullptr), VP_MAILBOX_EARG);
  EXPECT_EQ(vp_mailbox_init_with_config(kMem.c_str(), "space: cpu\nlog: none\noutput: nowhere\n"), VP_MAILBOX_ECONFIG);
  EXPECT_NE(std::string(vp_last_error()).find("<mailbox config>:3:9: error: 'output': unknown value 'nowhere'"),
            std::string::npos)
      << vp_last_error();
  // MEM_CFG_FILE is used when the argument is empty; no MAILBOX_FS_ROOT: no file services.
  Env::set("MEM_CFG_FILE", kMem.c_str());
  ASSERT_EQ(vp_mailbox_init_with_config("", "log: none\nchannels: [ { name: c, address: 0x8000fff0 } ]\n"),
            VP_MAILBOX_OK)
      << vp_last_error();
  put_string(kRam + 0x100, "file.txt");
  uint64_t r = 0;
  EXPECT_EQ(request(kRam, mb::Open, {kRam + 0x100, 1}, &r), mb::FileError);
  EXPECT_EQ(r, uint64_t(ENOENT));
}

// The mailbox commands through the host, EXIT and serve() with a testbench's own doorbell.
TEST(VhostMailbox, ChannelsAndCommands) {
  Env env(kMem.c_str(), kMailbox.c_str(), fs_root().c_str());
  ASSERT_EQ(vp_mailbox_init(), VP_MAILBOX_OK) << vp_last_error();
  uint64_t r = 0;
  EXPECT_EQ(request(kRam, mb::Memset, {0x80100000, 0x5a, 40}, &r), mb::Ok);  // into the banked sram
  EXPECT_EQ(r, 0x80100000u);
  uint8_t buf[41];
  ASSERT_EQ(vp_mailbox_read(0x80100000, buf, 41), VP_MAILBOX_OK);
  for (int i = 0; i < 40; ++i) ASSERT_EQ(buf[i], 0x5a);
  EXPECT_EQ(request(kRam, mb::Memmove, {0x90000000, 0x80100000, 16}, &r, kSlot1), mb::Ok);  // to the black box
  EXPECT_EQ(request(kRam, mb::Memcmp, {0x90000000, 0x80100000, 16}, &r), mb::Ok);
  EXPECT_EQ(r, 0u);
  EXPECT_EQ(request(kRam, mb::Memset, {0x80010030, 0, 32}, &r), mb::BadAddress);  // runs off top.u_rom
  EXPECT_EQ(request(kRam, 99, {}, &r), mb::BadCommand);
  // Two channels pending at once.
  uint8_t b[mb::kBlockSize] = {};
  const uint32_t cmd = mb::Memset;
  std::memcpy(b, &cmd, 4);
  const uint64_t a1[] = {kRam + 0x400, 1, 8};
  std::memcpy(b + mb::kBlockArgs, a1, sizeof a1);
  ASSERT_EQ(vp_mailbox_write(kRam + 0x200, b, sizeof b), VP_MAILBOX_OK);
  const uint64_t a2[] = {kRam + 0x408, 2, 8};
  std::memcpy(b + mb::kBlockArgs, a2, sizeof a2);
  ASSERT_EQ(vp_mailbox_write(kRam + 0x240, b, sizeof b), VP_MAILBOX_OK);
  vp_mailbox_write64(kSlot0, kRam + 0x200);
  vp_mailbox_write64(kSlot1, kRam + 0x240);
  EXPECT_EQ(vp_mailbox_poll(), 2);
  EXPECT_EQ(vp_mailbox_poll(), 0);
  long long words[2];
  vp_mailbox_read64(kRam + 0x400, &words[0]);
  vp_mailbox_read64(kRam + 0x408, &words[1]);
  EXPECT_EQ(uint64_t(words[0]), 0x0101010101010101ull);
  EXPECT_EQ(uint64_t(words[1]), 0x0202020202020202ull);
  // A slot pointing at an unmapped block: BadBlock, the slot is still cleared.
  vp_mailbox_write64(kSlot0, 0x12345678);
  EXPECT_EQ(vp_mailbox_poll(), 1);
  // EXIT, and serve() of a block directly.
  int code = 0;
  EXPECT_EQ(vp_mailbox_exit_code(&code), 0);
  const uint32_t exit_cmd = mb::Exit;
  std::memset(b, 0, sizeof b);
  std::memcpy(b, &exit_cmd, 4);
  const uint64_t minus3 = uint64_t(-3);
  std::memcpy(b + mb::kBlockArgs, &minus3, 8);
  ASSERT_EQ(vp_mailbox_write(kRam + 0x300, b, sizeof b), VP_MAILBOX_OK);
  int status = -1;
  long long result = -1;
  EXPECT_EQ(vp_mailbox_serve(kRam + 0x300, &status, &result), VP_MAILBOX_OK);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(vp_mailbox_exit_code(&code), 1);
  EXPECT_EQ(code, -3);
  EXPECT_EQ(vp_mailbox_serve(0x70000000, &status, &result), VP_MAILBOX_OK);
  EXPECT_EQ(uint32_t(status), uint32_t(mb::BadBlock));
}

int layer_handler(void* user, const char* name, uint32_t id, const uint64_t* args, uint32_t argc, uint64_t* result) {
  const std::string layer = static_cast<const char*>(user);
  const std::string n = name;
  if (n == layer + "_only" || n == "everywhere" || (n.empty() && id == (layer == "py" ? 100u : 300u))) {
    *result = (layer == "py" ? 1000 : 3000) + (argc ? args[0] : 0);
    return 0;
  }
  if (n == layer + "_fails") return mb::BadArgument;
  return VP_MAILBOX_NOT_HANDLED;
}

int cpp_callback(void*, const char*, uint32_t, const uint64_t* args, uint32_t argc, uint64_t* result) {
  *result = 2000 + (argc ? args[0] : 0);
  return 0;
}

// CALL: the Python slot, then C++ callbacks, then the DPI layer.
TEST(VhostMailbox, CallLayersInOrder) {
  Env env(kMem.c_str(), kMailbox.c_str(), fs_root().c_str());
  ASSERT_EQ(vp_mailbox_init(), VP_MAILBOX_OK) << vp_last_error();
  auto call = [](const std::string& name, uint64_t id, uint64_t* r) {
    const uint64_t argv = 7;
    vp_mailbox_write(kRam + 0x800, &argv, 8);
    if (!name.empty()) put_string(kRam + 0x900, name);
    return request(kRam, mb::Call, {id, kRam + 0x800, 1, name.empty() ? 0 : kRam + 0x900}, r);
  };
  uint64_t r = 0;
  EXPECT_EQ(call("everywhere", 0, &r), mb::NoCallback);
  ASSERT_EQ(vp_mailbox_register_callback(200, "everywhere", cpp_callback, nullptr), VP_MAILBOX_OK);
  ASSERT_EQ(vp_mailbox_register_callback(201, "cpp_only", cpp_callback, nullptr), VP_MAILBOX_OK);
  EXPECT_EQ(vp_mailbox_register_callback(202, "cpp_only", cpp_callback, nullptr), VP_MAILBOX_EARG);
  EXPECT_EQ(call("everywhere", 0, &r), mb::Ok);
  EXPECT_EQ(r, 2007u);  // C++ alone
  ASSERT_EQ(vp_mailbox_set_call_handler(VP_MAILBOX_LAYER_DPI, layer_handler, (void*)"dpi"), VP_MAILBOX_OK);
  EXPECT_EQ(call("everywhere", 0, &r), mb::Ok);
  EXPECT_EQ(r, 2007u);  // C++ before DPI
  ASSERT_EQ(vp_mailbox_set_call_handler(VP_MAILBOX_LAYER_PYTHON, layer_handler, (void*)"py"), VP_MAILBOX_OK);
  EXPECT_EQ(call("everywhere", 0, &r), mb::Ok);
  EXPECT_EQ(r, 1007u);  // Python before C++
  EXPECT_EQ(call("cpp_only", 0, &r), mb::Ok);
  EXPECT_EQ(r, 2007u);
  EXPECT_EQ(call("dpi_only", 0, &r), mb::Ok);
  EXPECT_EQ(r, 3007u);
  EXPECT_EQ(call("py_only", 0, &r), mb::Ok);
  EXPECT_EQ(r, 1007u);
  EXPECT_EQ(call("", 300, &r), mb::Ok);  // by number
  EXPECT_EQ(r, 3007u);
  EXPECT_EQ(call("", 201, &r), mb::Ok);
  EXPECT_EQ(r, 2007u);
  EXPECT_EQ(call("", 100, &r), mb::Ok);
  EXPECT_EQ(r, 1007u);
  EXPECT_EQ(call("py_fails", 0, &r), mb::BadArgument);  // a layer's own status ends the lookup
  EXPECT_EQ(call("nobody", 0, &r), mb::NoCallback);
  EXPECT_EQ(vp_mailbox_set_call_handler(1, layer_handler, nullptr), VP_MAILBOX_EARG);
  vp_mailbox_set_call_handler(VP_MAILBOX_LAYER_PYTHON, nullptr, nullptr);
  vp_mailbox_set_call_handler(VP_MAILBOX_LAYER_DPI, nullptr, nullptr);
  EXPECT_EQ(call("dpi_only", 0, &r), mb::NoCallback);
  EXPECT_EQ(vp_mailbox_unregister_callback(200), VP_MAILBOX_OK);
  EXPECT_EQ(vp_mailbox_unregister_callback(201), VP_MAILBOX_OK);
  EXPECT_EQ(vp_mailbox_unregister_callback(201), VP_MAILBOX_EARG);
}

TEST(VhostMailbox, FileServicesStayBeneathTheRoot) {
  const std::string root = fs_root();
  const std::string outside = kTmp + "/outside.txt";
  std::ofstream(outside) << "secret";
  unlink((root + "/link").c_str());
  ASSERT_EQ(symlink(outside.c_str(), (root + "/link").c_str()), 0);
  Env env(kMem.c_str(), kMailbox.c_str(), root.c_str());
  ASSERT_EQ(vp_mailbox_init(), VP_MAILBOX_OK) << vp_last_error();
  uint64_t h = 0, r = 0;
  put_string(kRam + 0x100, "hello.txt");
  put_string(kRam + 0x180, "hello from the guest\n");
  ASSERT_EQ(request(kRam, mb::Open, {kRam + 0x100, 1}, &h), mb::Ok);
  EXPECT_EQ(request(kRam, mb::Write, {h, kRam + 0x180, 21}, &r), mb::Ok);
  EXPECT_EQ(r, 21u);
  EXPECT_EQ(request(kRam, mb::Close, {h}), mb::Ok);
  EXPECT_EQ(request(kRam, mb::Close, {h}), mb::FileError);  // closed already
  EXPECT_EQ(slurp(root + "/hello.txt"), "hello from the guest\n");
  ASSERT_EQ(request(kRam, mb::Open, {kRam + 0x100, 0}, &h), mb::Ok);
  EXPECT_EQ(request(kRam, mb::Read, {h, kRam + 0x400, 100}, &r), mb::Ok);
  EXPECT_EQ(r, 21u);  // up to the end of the file
  char back[22] = {};
  vp_mailbox_read(kRam + 0x400, back, 21);
  EXPECT_STREQ(back, "hello from the guest\n");
  EXPECT_EQ(request(kRam, mb::Read, {h, 0x70000000, 4}), mb::BadAddress);
  EXPECT_EQ(request(kRam, mb::Close, {h}), mb::Ok);
  // Escapes: absolute paths, "..", a symbolic link leading out; bad modes, unknown handles.
  for (const char* bad : {"/etc/passwd", "../outside.txt", "a/../../outside.txt", ""}) {
    put_string(kRam + 0x100, bad);
    EXPECT_EQ(request(kRam, mb::Open, {kRam + 0x100, 0}), mb::BadArgument) << bad;
  }
  put_string(kRam + 0x100, "link");
  EXPECT_EQ(request(kRam, mb::Open, {kRam + 0x100, 0}, &r), mb::FileError);
  EXPECT_NE(r, 0u);  // errno (EXDEV/ELOOP)
  put_string(kRam + 0x100, "missing.txt");
  EXPECT_EQ(request(kRam, mb::Open, {kRam + 0x100, 0}, &r), mb::FileError);
  EXPECT_EQ(r, uint64_t(ENOENT));
  EXPECT_EQ(request(kRam, mb::Open, {kRam + 0x100, 3}), mb::BadArgument);
  EXPECT_EQ(request(kRam, mb::Read, {42, kRam, 4}), mb::FileError);
  EXPECT_EQ(request(kRam, mb::Write, {uint64_t(-1), kRam, 4}), mb::FileError);
  // A bounded number of open files.
  put_string(kRam + 0x100, "hello.txt");
  for (int i = 0; i < 16; ++i) ASSERT_EQ(request(kRam, mb::Open, {kRam + 0x100, 0}), mb::Ok);
  EXPECT_EQ(request(kRam, mb::Open, {kRam + 0x100, 0}, &r), mb::FileError);
  EXPECT_EQ(r, uint64_t(EMFILE));
}

// ---- backends ----

vp::rtl::VhostHostConfig config(const std::string& mem, const std::string& yaml) {
  auto def = vp::mem::load_memory_definition(mem);
  return vp::rtl::parse_vhost_host_config(yaml, "<test>", def, kSrc);
}

TEST(VhostBackend, LoggingSyncsAndFlushes) {
  auto c = config(kMem, "log: stderr\n");
  FILE* log = std::tmpfile();
  c.log = log;
  vp::rtl::VhostHost host(c);
  const uint32_t v = 0x11223344;
  ASSERT_TRUE(host.write(0x80100004, &v, 4));  // bank 1 of top.u_sram
  uint32_t back = 0;
  ASSERT_TRUE(host.read(0x80100004, &back, 4));
  EXPECT_EQ(back, v);
  auto& storage = dynamic_cast<vp::mem::StorageBackend&>(host.backend());
  EXPECT_EQ(storage.flushes(), 1u);
  EXPECT_GE(storage.syncs(), 1u);
  std::fflush(log);
  std::rewind(log);
  char text[256] = {};
  EXPECT_GT(std::fread(text, 1, sizeof text - 1, log), 0u);
  EXPECT_NE(std::string(text).find("vhost: flush top.u_sram +0x4 4 bytes\nvhost: sync top.u_sram +0x4 4 bytes\n"),
            std::string::npos)
      << text;
  std::fclose(log);
}

// A testbench's RTL arrays, reached by hierarchical path as uvm_hdl_read/deposit would.
struct Testbench {
  std::map<std::string, std::vector<uint64_t>> arrays;  // name -> elements (flattened)
  std::map<std::string, std::vector<unsigned>> dims;
  std::vector<std::string> reads, deposits;

  uint64_t* element(const char* path) {
    std::string p = path;
    const size_t bracket = p.find('[');
    if (bracket == std::string::npos) return nullptr;
    auto it = arrays.find(p.substr(0, bracket));
    if (it == arrays.end()) return nullptr;
    const auto& d = dims[it->first];
    uint64_t index = 0;
    size_t pos = bracket;
    for (unsigned dim : d) {
      if (pos >= p.size() || p[pos] != '[') return nullptr;
      const size_t close = p.find(']', pos);
      const unsigned long i = std::stoul(p.substr(pos + 1, close - pos - 1));
      if (i >= dim) return nullptr;
      index = index * dim + i;
      pos = close + 1;
    }
    return pos == p.size() ? &it->second[index] : nullptr;
  }
  static int read(void* user, const char* path, uint32_t* value) {
    auto& tb = *static_cast<Testbench*>(user);
    tb.reads.push_back(path);
    uint64_t* e = tb.element(path);
    if (!e) return -1;
    value[0] = uint32_t(*e);
    value[1] = uint32_t(*e >> 32);
    return 0;
  }
  static int deposit(void* user, const char* path, const uint32_t* value) {
    auto& tb = *static_cast<Testbench*>(user);
    tb.deposits.push_back(path);
    uint64_t* e = tb.element(path);
    if (!e) return -1;
    *e = value[0] | uint64_t(value[1]) << 32;
    return 0;
  }
};

TEST(VhostBackend, HdlBackdoorByPath) {
  Testbench tb;
  tb.arrays["top.u_ram"].assign(8192, 0);
  tb.dims["top.u_ram"] = {8192};
  tb.arrays["top.u_rom"].assign(16, 0xffffffff);
  tb.dims["top.u_rom"] = {4, 4};
  tb.arrays["top.u_sram"].assign(64, 0);
  tb.dims["top.u_sram"] = {4, 16};
  Env env(kMem.c_str(), kMailbox.c_str(), fs_root().c_str());
  setenv("VP_MAILBOX_BACKEND", "hdl", 1);
  vp_hdl_set_backdoor(nullptr, nullptr, nullptr);
  EXPECT_EQ(vp_mailbox_init(), VP_MAILBOX_EACCESS);  // top.u_rom's init needs the backdoor
  EXPECT_NE(std::string(vp_last_error()).find("mem.yaml:8:9: init of top.u_rom: no HDL backdoor deposit function"),
            std::string::npos)
      << vp_last_error();
  vp_hdl_set_backdoor(Testbench::read, Testbench::deposit, &tb);
  ASSERT_EQ(vp_mailbox_init(), VP_MAILBOX_OK) << vp_last_error();
  EXPECT_STREQ(vp_mailbox_backend(), "hdl");
  // all_zero init of top.u_rom went through the deposits, [4][4] row-major.
  EXPECT_EQ(tb.arrays["top.u_rom"], std::vector<uint64_t>(16, 0));
  EXPECT_EQ(tb.deposits.front(), "top.u_rom[0][0]");
  EXPECT_EQ(tb.deposits.back(), "top.u_rom[3][3]");
  // Whole and partial words: a partial word is read, merged and deposited.
  tb.reads.clear();
  tb.deposits.clear();
  tb.arrays["top.u_ram"][3] = 0x8877665544332211ull;
  const uint16_t half = 0xbeef;
  ASSERT_EQ(vp_mailbox_write(kRam + 3 * 8 + 2, &half, 2), VP_MAILBOX_OK);
  EXPECT_EQ(tb.arrays["top.u_ram"][3], 0x88776655beef2211ull);
  EXPECT_EQ(tb.reads, std::vector<std::string>{"top.u_ram[3]"});
  EXPECT_EQ(tb.deposits, std::vector<std::string>{"top.u_ram[3]"});
  // Banked: low-order interleaving of 32-bit bank words, path[bank][row].
  const uint32_t words[6] = {10, 11, 12, 13, 14, 15};
  ASSERT_EQ(vp_mailbox_write(0x80100000, words, sizeof words), VP_MAILBOX_OK);
  EXPECT_EQ(tb.arrays["top.u_sram"][0 * 16 + 0], 10u);
  EXPECT_EQ(tb.arrays["top.u_sram"][1 * 16 + 0], 11u);
  EXPECT_EQ(tb.arrays["top.u_sram"][3 * 16 + 0], 13u);
  EXPECT_EQ(tb.arrays["top.u_sram"][0 * 16 + 1], 14u);
  EXPECT_EQ(tb.deposits.back(), "top.u_sram[1][1]");
  // The mailbox itself over the backdoor: MEMSET into the RTL RAM.
  uint64_t r = 0;
  EXPECT_EQ(request(kRam, mb::Memset, {kRam + 0x100, 0xab, 16}, &r), mb::Ok);
  EXPECT_EQ(tb.arrays["top.u_ram"][0x100 / 8], 0xababababababababull);
  EXPECT_EQ(tb.arrays["top.u_ram"][0x100 / 8 + 1], 0xababababababababull);
  EXPECT_EQ(tb.arrays["top.u_ram"][0x100 / 8 + 2], 0u);
  // A backdoor failure is an error, not a crash; black boxes go through the C API.
  tb.arrays.erase("top.u_sram");
  EXPECT_EQ(vp_mailbox_read64(0x80100000, nullptr), VP_MAILBOX_EACCESS);
  EXPECT_NE(std::string(vp_last_error()).find("HDL read of top.u_sram[0][0] failed"), std::string::npos)
      << vp_last_error();
  EXPECT_EQ(vp_mailbox_write64(0x90000000, 1), VP_MAILBOX_EACCESS);
  EXPECT_NE(std::string(vp_last_error()).find("__vhost_bb_mem_write(top.u_bb +0, 8 bytes) failed"),
            std::string::npos)
      << vp_last_error();
  vp_hdl_set_backdoor(nullptr, nullptr, nullptr);
}

// The black-box C API: vp's __vhost_bb_mem_* reach what a C host registers.
struct Physical {
  std::map<uint64_t, uint8_t> bytes;
  static size_t access(void* user, uint64_t addr, void* data, size_t len, int write) {
    auto& p = *static_cast<Physical*>(user);
    if (addr < 0x80000000 || addr + len > 0x80010000 + 64) return 0;  // what this host maps
    auto* d = static_cast<uint8_t*>(data);
    for (size_t i = 0; i < len; ++i) {
      if (write) p.bytes[addr + i] = d[i];
      else d[i] = p.bytes.count(addr + i) ? p.bytes[addr + i] : 0;
    }
    return len;
  }
};

TEST(VhostBackend, BlackBoxApi) {
  Physical phys;
  vp_bb_mem_set_access(Physical::access, &phys);
  Env env(kMem.c_str(), kMailbox.c_str(), fs_root().c_str());
  setenv("VP_MAILBOX_BACKEND", "api", 1);
  ASSERT_EQ(vp_mailbox_init(), VP_MAILBOX_OK) << vp_last_error();
  EXPECT_STREQ(vp_mailbox_backend(), "api");
  EXPECT_EQ(phys.bytes.size(), 64u);  // top.u_rom's all_zero init, at its base
  EXPECT_EQ(phys.bytes.count(0x80010000), 1u);
  uint64_t r = 0;
  put_string(kRam + 0x40, "guest text");
  EXPECT_EQ(request(kRam, mb::Memcmp, {kRam + 0x40, kRam + 0x40, 10}, &r), mb::Ok);
  EXPECT_EQ(phys.bytes[kRam + 0x40], 'g');
  EXPECT_EQ(vp_mailbox_write64(0x80100000, 5), VP_MAILBOX_EACCESS);  // the host does not map it
  vp_bb_mem_set_access(nullptr, nullptr);
  EXPECT_EQ(vp_mailbox_read64(kRam, nullptr), VP_MAILBOX_EACCESS);
}

// A minimal RISC-V ELF: one segment of 12 file bytes and 20 zero-filled ones.
std::string make_elf(uint64_t paddr) {
  std::vector<uint8_t> f(sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + 12);
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_RISCV;
  eh.e_version = EV_CURRENT;
  eh.e_entry = paddr;
  eh.e_phoff = sizeof eh;
  eh.e_ehsize = sizeof eh;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 1;
  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_offset = sizeof eh + sizeof ph;
  ph.p_vaddr = ph.p_paddr = paddr;
  ph.p_filesz = 12;
  ph.p_memsz = 32;
  std::memcpy(f.data(), &eh, sizeof eh);
  std::memcpy(f.data() + sizeof eh, &ph, sizeof ph);
  std::memcpy(f.data() + sizeof eh + sizeof ph, "ELF-backed!!", 12);
  const std::string path = kTmp + "/prog" + std::to_string(paddr) + ".elf";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(f.data()), std::streamsize(f.size()));
  return path;
}

struct Exported {
  std::string path;
  unsigned width;
  uint64_t depth;
  std::vector<uint8_t> data;
  std::vector<std::pair<uint64_t, uint64_t>> valid;
};

int sink(void* user, const vp_static_mem* m, const uint8_t* data, size_t len, const vp_mem_range* valid, size_t n) {
  Exported e{m->path, m->width, m->depth, std::vector<uint8_t>(data, data + len), {}};
  for (size_t i = 0; i < n; ++i) e.valid.emplace_back(valid[i].start, valid[i].end);
  static_cast<std::vector<Exported>*>(user)->push_back(e);
  return e.path == "refuse" ? 1 : 0;
}

TEST(VhostBackend, StaticExportWithValidRanges) {
  const std::string cfg = write_file("static.yaml", "backend: static\nlog: none\n");
  Env env(kMemStatic.c_str(), cfg.c_str(), fs_root().c_str());
  ASSERT_EQ(vp_mailbox_init(), VP_MAILBOX_OK) << vp_last_error();
  EXPECT_EQ(vp_mailbox_load_elf(make_elf(kRam + 0x1000).c_str()), VP_MAILBOX_OK) << vp_last_error();
  EXPECT_EQ(vp_mailbox_write64(0x80100008, 0x0807060504030201ll), VP_MAILBOX_OK);  // words 2, 3 of the sram
  std::vector<Exported> out;
  ASSERT_EQ(vp_mailbox_flush_static(sink, &out), VP_MAILBOX_OK) << vp_last_error();
  ASSERT_EQ(out.size(), 2u + 4u);  // u_ram, u_rom, u_sram.bank0..3
  EXPECT_EQ(out[0].path, "top.u_ram");
  EXPECT_EQ(out[0].width, 64u);
  EXPECT_EQ(out[0].depth, 8192u);
  ASSERT_EQ(out[0].valid.size(), 1u);
  EXPECT_EQ(out[0].valid[0], std::make_pair(uint64_t(0x1000), uint64_t(0x1020)));  // file bytes and bss
  EXPECT_EQ(std::string(out[0].data.begin() + 0x1000, out[0].data.begin() + 0x100c), "ELF-backed!!");
  EXPECT_EQ(out[1].path, "top.u_rom");
  EXPECT_EQ(out[1].valid, (std::vector<std::pair<uint64_t, uint64_t>>{{0, 64}}));  // all_zero init
  EXPECT_EQ(out[2].path, "top.u_sram.bank0");
  EXPECT_TRUE(out[2].valid.empty());
  EXPECT_EQ(out[4].path, "top.u_sram.bank2");
  EXPECT_EQ(out[4].width, 32u);
  EXPECT_EQ(out[4].depth, 16u);
  EXPECT_EQ(out[4].valid, (std::vector<std::pair<uint64_t, uint64_t>>{{0, 4}}));
  EXPECT_EQ(out[4].data[0], 1);
  EXPECT_EQ(out[5].data[0], 5);
  // $readmemh export of the same contents; an ELF outside guest memory is refused.
  const std::string dir = kTmp + "/static_hex";
  mkdir(dir.c_str(), 0777);
  ASSERT_EQ(vp_mailbox_export_hex(dir.c_str()), VP_MAILBOX_OK) << vp_last_error();
  EXPECT_NE(slurp(dir + "/top.u_ram.hex").find("@200\n6b6361622d464c45\n"), std::string::npos)
      << slurp(dir + "/top.u_ram.hex");
  EXPECT_EQ(vp_mailbox_load_elf(make_elf(0x70000000).c_str()), VP_MAILBOX_ELOAD);
  EXPECT_NE(std::string(vp_last_error()).find("segment at 0x70000000 (32 bytes) is not in guest memory"),
            std::string::npos)
      << vp_last_error();
  EXPECT_EQ(vp_mailbox_load_elf((kTmp + "/no.elf").c_str()), VP_MAILBOX_ELOAD);
  EXPECT_EQ(vp_mailbox_flush_static(nullptr, nullptr), VP_MAILBOX_EARG);
  // Other backends have nothing to flush.
  vp_mailbox_shutdown();
  setenv("VP_MAILBOX_BACKEND", "hdl", 1);
  ASSERT_EQ(vp_mailbox_init_with_config(kMemStatic.c_str(), "log: none\n"), VP_MAILBOX_EACCESS);  // no backdoor
  setenv("VP_MAILBOX_BACKEND", "logging", 1);
  ASSERT_EQ(vp_mailbox_init_with_config(kMemStatic.c_str(), "log: none\n"), VP_MAILBOX_OK) << vp_last_error();
  EXPECT_EQ(vp_mailbox_flush_static(sink, &out), VP_MAILBOX_EARG);
  EXPECT_NE(std::string(vp_last_error()).find("the backend is 'logging', not 'static'"), std::string::npos);
}

}  // namespace
