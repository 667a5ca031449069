#pragma once
// The vhost mailbox's command set, executed against any guest memory: the
// platform's bus (dev.mailbox, models/rtl/mailbox.h) or the RTL memories of a
// verification host (models/rtl/vhost_host.h). The guest writes a 64-byte
// request block; the engine reads it, runs the command (EXIT, PRINT, MEMMOVE,
// MEMSET, MEMCMP, CALL, file services under a root directory) and writes the
// status and result back. A bad request never throws. Layout: docs/rtl.md.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "models/rtl/mailbox_calls.h"
#include "platform/state.h"

namespace vp::rtl {

namespace mbox {
// Registers of dev.mailbox (byte offsets in the 4 KiB window; 32-bit, REQUEST and RESULT also 64-bit).
constexpr uint64_t kId = 0x00;        // R   0x584f424d ("MBOX")
constexpr uint64_t kRequest = 0x08;   // R/W guest address of the request block (lo at 0x08, hi at 0x0c)
constexpr uint64_t kDoorbell = 0x10;  // W   any value: serve the request at REQUEST
constexpr uint64_t kStatus = 0x14;    // R   status of the last request
constexpr uint64_t kResult = 0x18;    // R   result of the last request (lo at 0x18, hi at 0x1c)
constexpr uint64_t kCount = 0x20;     // R   requests served
constexpr uint32_t kMagic = 0x584f424d;
constexpr uint64_t kSize = 0x1000;

// Request block in guest memory (little-endian, 64 bytes).
constexpr uint64_t kBlockCommand = 0x00;  // u32, written by the guest
constexpr uint64_t kBlockStatus = 0x04;   // u32, written by the platform
constexpr uint64_t kBlockResult = 0x08;   // u64, written by the platform
constexpr uint64_t kBlockArgs = 0x10;     // u64 arg[6]
constexpr unsigned kArgs = 6;
constexpr uint64_t kBlockSize = 0x40;
constexpr unsigned kMaxName = 63;        // CALL name, without the NUL
constexpr unsigned kMaxPath = 255;       // OPEN path, without the NUL

enum Command : uint32_t {
  Exit = 1,
  Print = 2,
  Memmove = 3,
  Memset = 4,
  Memcmp = 5,
  Call = 6,
  Open = 7,   // path, mode (0 read, 1 write/create/truncate, 2 append/create) -> handle
  Read = 8,   // handle, buf, len -> bytes read
  Write = 9,  // handle, buf, len -> bytes written
  Close = 10, // handle
};

enum Status : uint32_t {
  Ok = 0,
  BadCommand = 1,      // unknown command
  BadAddress = 2,      // a pointer range is not (fully) mapped
  TooLong = 3,         // length above max_length
  NoCallback = 4,      // CALL: no callback with that number or name
  CallbackFailed = 5,  // CALL: the callback threw
  BadArgument = 6,     // CALL: too many arguments, name too long; OPEN: bad mode or path
  FileError = 7,       // file services: no root, unknown handle, or the host's errno (in result)
  BadBlock = 0xffffffff,  // the request block itself is unreadable (STATUS register only)
};
}  // namespace mbox

// Guest memory as the engine sees it: whole ranges or nothing.
class GuestMemory {
 public:
  virtual ~GuestMemory() = default;
  virtual bool read(uint64_t addr, void* data, uint64_t len) = 0;
  virtual bool write(uint64_t addr, const void* data, uint64_t len) = 0;
};

struct MailboxEngineConfig {
  uint64_t max_length = 64ull << 20;  // MEMMOVE/MEMSET/MEMCMP/PRINT/READ/WRITE
  unsigned max_call_args = 16;
  FILE* output = stdout;              // PRINT
  std::string fs_root;                // file services ("" = off); paths stay beneath it
  unsigned max_files = 16;
};

class MailboxEngine {
 public:
  using ExitHandler = std::function<void(int code)>;

  MailboxEngine(const MailboxEngineConfig& config, ExitHandler on_exit);
  ~MailboxEngine();
  MailboxEngine(const MailboxEngine&) = delete;
  MailboxEngine& operator=(const MailboxEngine&) = delete;

  const MailboxEngineConfig& config() const { return config_; }
  // Serves the request block at `block`: the returned status (BadBlock when the
  // block cannot be read or written back) is also written into the block.
  uint32_t serve(GuestMemory& memory, uint64_t block, uint64_t& result);
  unsigned open_files() const;

  // Checkpoints (docs/checkpoints.md): the file services' handle table. A file
  // open for reading is saved as its path and position (its size is checked
  // on restore); a file open for writing (mode 1, created or truncated by the
  // OPEN) as its path and its whole contents, which restore writes back. A
  // file open for appending, or one that is not a regular file, cannot be
  // captured: save_state throws StateError saying which and why. Restore
  // reads the whole record before it touches any host file.
  void save_state(platform::StateWriter& out) const;
  void restore_state(platform::StateReader& in);

 private:
  uint32_t execute(GuestMemory& memory, uint32_t command, const uint64_t* arg, uint64_t& result);
  uint32_t call(GuestMemory& memory, const uint64_t* arg, uint64_t& result);
  uint32_t open(GuestMemory& memory, const uint64_t* arg, uint64_t& result);
  uint32_t file_io(GuestMemory& memory, bool write, const uint64_t* arg, uint64_t& result);
  struct OpenFile {
    int fd = -1;  // -1 = free handle
    uint32_t mode = 0;  // OPEN's mode
    std::string path;   // beneath the root, as the guest named it
  };
  OpenFile* handle(uint64_t h);
  // `path` (checked: relative, no "..") opened beneath the root, symbolic links included.
  int open_beneath(const std::string& path, int flags) const;
  // The whole destination is checked before anything is written.
  bool probe(GuestMemory& memory, uint64_t addr, uint64_t len);

  MailboxEngineConfig config_;
  ExitHandler on_exit_;
  int root_fd_ = -1;
  std::vector<OpenFile> files_;  // by handle
};

}  // namespace vp::rtl
