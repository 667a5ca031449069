#pragma once
// RISC-V semihosting (RISC-V Semihosting spec 0.3, on Arm's "Semihosting for
// AArch32 and AArch64" 2.0): an `ebreak` between `slli x0,x0,0x1f` and
// `srai x0,x0,7` asks the host for a service, the operation in a0 and a pointer
// to its parameter block in a1 (XLEN-sized fields); the result goes to a0.
// Console, exit, clocks, errno, heap information, and file operations confined
// to one host directory (paths that leave it are refused).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vp::cpu {

class Core;

struct SemihostingConfig {
  bool enabled = false;
  std::string root;     // host directory for SYS_OPEN/REMOVE/RENAME; "" refuses file operations
  std::string cmdline;  // SYS_GET_CMDLINE
  // SYS_HEAPINFO; 0 when unknown.
  uint64_t heap_base = 0, heap_limit = 0, stack_base = 0, stack_limit = 0;
};

// What a call needs from the simulator around the hart.
class SemihostingHost {
 public:
  virtual ~SemihostingHost() = default;
  virtual void exit(int code, const std::string& reason) = 0;
  virtual uint64_t elapsed_ns() = 0;  // simulated time since the start
  virtual void console_write(const char* data, size_t len) = 0;
  virtual int console_read() = 0;  // one byte; -1 at the end of input
};

class Semihosting {
 public:
  // Operation numbers (Arm semihosting 2.0, chapter 6).
  enum Op : uint64_t {
    kOpen = 0x01, kClose = 0x02, kWritec = 0x03, kWrite0 = 0x04, kWrite = 0x05, kRead = 0x06, kReadc = 0x07,
    kIsError = 0x08, kIsTty = 0x09, kSeek = 0x0a, kFlen = 0x0c, kTmpnam = 0x0d, kRemove = 0x0e, kRename = 0x0f,
    kClock = 0x10, kTime = 0x11, kSystem = 0x12, kErrno = 0x13, kGetCmdline = 0x15, kHeapInfo = 0x16,
    kExit = 0x18, kExitExtended = 0x20, kElapsed = 0x30, kTickFreq = 0x31,
  };
  static constexpr uint64_t kApplicationExit = 0x20026;  // ADP_Stopped_ApplicationExit
  // The three instructions of a call (RISC-V semihosting 2.1).
  static constexpr uint32_t kEntry = 0x01f01013, kEbreak = 0x00100073, kExitNop = 0x40705013;

  Semihosting(const SemihostingConfig& config, SemihostingHost& host);
  ~Semihosting();
  Semihosting(const Semihosting&) = delete;
  Semihosting& operator=(const Semihosting&) = delete;

  // Performs the call at the ebreak the core is executing.
  void call(Core& core);
  const SemihostingConfig& config() const { return cfg_; }

 private:
  struct Handle {
    enum Kind { kFree, kConsoleIn, kConsoleOut, kFile, kFeatures } kind = kFree;
    int fd = -1;
    size_t pos = 0;  // kFeatures
  };
  int64_t dispatch(Core& core, uint64_t op, uint64_t arg);
  bool field(Core& core, uint64_t block, unsigned i, uint64_t& v);
  bool read_string(Core& core, uint64_t addr, uint64_t len, std::string& out);
  std::string resolve(const std::string& guest_path);  // "" and errno_ set when refused
  int64_t open(Core& core, uint64_t block);
  int64_t read(Core& core, uint64_t block);
  int64_t write(Core& core, uint64_t block);
  int64_t exit(Core& core, uint64_t op, uint64_t arg);
  Handle* handle(uint64_t h);
  int64_t fail(int err) { errno_ = err; return -1; }

  SemihostingConfig cfg_;
  SemihostingHost& host_;
  std::string root_real_;  // realpath of cfg_.root
  std::vector<Handle> handles_;
  int errno_ = 0;
  std::vector<uint64_t> warned_;  // unsupported operations already reported
};

}  // namespace vp::cpu
