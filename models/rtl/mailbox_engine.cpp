#include "models/rtl/mailbox_engine.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#include <cerrno>
#include <cstring>

namespace vp::rtl {

MailboxEngine::MailboxEngine(const MailboxEngineConfig& config, ExitHandler on_exit)
    : config_(config), on_exit_(std::move(on_exit)) {
  if (!config_.fs_root.empty()) root_fd_ = ::open(config_.fs_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

MailboxEngine::~MailboxEngine() {
  for (int fd : files_)
    if (fd >= 0) ::close(fd);
  if (root_fd_ >= 0) ::close(root_fd_);
}

unsigned MailboxEngine::open_files() const {
  unsigned n = 0;
  for (int fd : files_) n += fd >= 0;
  return n;
}

bool MailboxEngine::probe(GuestMemory& memory, uint64_t addr, uint64_t len) {
  std::vector<uint8_t> scratch(len);
  return memory.read(addr, scratch.data(), len);
}

uint32_t MailboxEngine::serve(GuestMemory& memory, uint64_t block, uint64_t& result) {
  uint8_t raw[mbox::kBlockSize];
  result = 0;
  if (block > ~uint64_t(0) - mbox::kBlockSize || !memory.read(block, raw, sizeof raw)) return mbox::BadBlock;
  uint32_t command;
  std::memcpy(&command, raw + mbox::kBlockCommand, 4);
  uint64_t arg[mbox::kArgs];
  std::memcpy(arg, raw + mbox::kBlockArgs, sizeof arg);
  uint32_t status = execute(memory, command, arg, result);
  uint8_t out[12];
  std::memcpy(out, &status, 4);
  std::memcpy(out + 4, &result, 8);
  // EXIT may have ended the run; the block is still written for a debugger.
  if (!memory.write(block + mbox::kBlockStatus, out, sizeof out)) status = mbox::BadBlock;
  return status;
}

uint32_t MailboxEngine::execute(GuestMemory& memory, uint32_t command, const uint64_t* arg, uint64_t& result) {
  using namespace mbox;
  switch (command) {
    case Exit: {
      if (on_exit_) on_exit_(int(int32_t(arg[0])));
      return Ok;
    }
    case Print: {
      const uint64_t len = arg[1];
      if (len > config_.max_length) return TooLong;
      std::string text(len, '\0');
      if (!memory.read(arg[0], text.data(), len)) return BadAddress;
      if (config_.output) {
        std::fwrite(text.data(), 1, text.size(), config_.output);
        std::fflush(config_.output);
      }
      result = len;
      return Ok;
    }
    case Memmove: {  // dst, src, len: overlapping ranges are fine (read fully, then write)
      const uint64_t len = arg[2];
      if (len > config_.max_length) return TooLong;
      std::vector<uint8_t> buf(len);
      if (!memory.read(arg[1], buf.data(), len)) return BadAddress;
      if (!probe(memory, arg[0], len) || !memory.write(arg[0], buf.data(), len)) return BadAddress;
      result = arg[0];
      return Ok;
    }
    case Memset: {  // dst, byte, len
      const uint64_t len = arg[2];
      if (len > config_.max_length) return TooLong;
      std::vector<uint8_t> buf(len, uint8_t(arg[1]));
      if (!probe(memory, arg[0], len) || !memory.write(arg[0], buf.data(), len)) return BadAddress;
      result = arg[0];
      return Ok;
    }
    case Memcmp: {  // a, b, len -> -1, 0, 1 (sign of the first differing byte)
      const uint64_t len = arg[2];
      if (len > config_.max_length) return TooLong;
      std::vector<uint8_t> a(len), b(len);
      if (!memory.read(arg[0], a.data(), len) || !memory.read(arg[1], b.data(), len)) return BadAddress;
      const int c = len ? std::memcmp(a.data(), b.data(), len) : 0;
      result = c < 0 ? uint64_t(-1) : c > 0 ? 1 : 0;
      return Ok;
    }
    case Call:
      return call(memory, arg, result);
    case Open:
      return open(memory, arg, result);
    case Read:
    case Write:
      return file_io(memory, command == Write, arg, result);
    case Close: {
      int* fd = handle(arg[0]);
      if (!fd) return FileError;
      ::close(*fd);
      *fd = -1;
      return Ok;
    }
    default:
      return BadCommand;
  }
}

namespace {

// A NUL-terminated string of at most `max` bytes from guest memory.
uint32_t read_string(GuestMemory& memory, uint64_t addr, unsigned max, std::string& out) {
  out.clear();
  for (;;) {
    char ch;
    if (!memory.read(addr + out.size(), &ch, 1)) return mbox::BadAddress;
    if (!ch) return mbox::Ok;
    if (out.size() == max) return mbox::BadArgument;
    out.push_back(ch);
  }
}

}  // namespace

uint32_t MailboxEngine::call(GuestMemory& memory, const uint64_t* arg, uint64_t& result) {
  using namespace mbox;
  // id, argv, argc, name (0: by id; else NUL-terminated, at most 63 bytes)
  const uint64_t argc = arg[2];
  if (argc > config_.max_call_args) return BadArgument;
  MailboxCall call;
  if (arg[3]) {
    if (const uint32_t st = read_string(memory, arg[3], kMaxName, call.name)) return st;
  } else {
    if (arg[0] > 0xffffffffu) return NoCallback;
    call.id = uint32_t(arg[0]);
  }
  call.args.resize(argc);
  if (!memory.read(arg[1], call.args.data(), argc * 8)) return BadAddress;
  call.read_memory = [&memory](uint64_t a, void* d, size_t n) { return memory.read(a, d, n); };
  call.write_memory = [&memory](uint64_t a, const void* d, size_t n) { return memory.write(a, d, n); };
  return MailboxCallbacks::global().dispatch(call, result);
}

int* MailboxEngine::handle(uint64_t h) {
  if (h >= files_.size() || files_[h] < 0) return nullptr;
  return &files_[h];
}

uint32_t MailboxEngine::open(GuestMemory& memory, const uint64_t* arg, uint64_t& result) {
  using namespace mbox;
  std::string path;
  if (const uint32_t st = read_string(memory, arg[0], kMaxPath, path)) return st;
  static const int kModes[] = {O_RDONLY, O_WRONLY | O_CREAT | O_TRUNC, O_WRONLY | O_CREAT | O_APPEND};
  if (arg[1] > 2) return BadArgument;
  // Relative paths beneath the root only: no absolute path, no "..".
  if (path.empty() || path[0] == '/') return BadArgument;
  for (size_t start = 0; start <= path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (path.compare(start, end - start, "..") == 0) return BadArgument;
    start = end + 1;
  }
  if (root_fd_ < 0) {
    result = ENOENT;
    return FileError;
  }
  size_t slot = 0;
  while (slot < files_.size() && files_[slot] >= 0) ++slot;
  if (slot == config_.max_files) {
    result = EMFILE;
    return FileError;
  }
  const int flags = kModes[arg[1]] | O_CLOEXEC | O_NOCTTY;
  int fd = -1;
#ifdef SYS_openat2
  // Symbolic links must not lead out of the root either.
  open_how how{};
  how.flags = uint64_t(flags);
  how.mode = (flags & O_CREAT) ? 0644 : 0;  // openat2 refuses a mode without O_CREAT
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  fd = int(::syscall(SYS_openat2, root_fd_, path.c_str(), &how, sizeof how));
  if (fd < 0 && errno == ENOSYS)
#endif
    fd = ::openat(root_fd_, path.c_str(), flags | O_NOFOLLOW, 0644);
  if (fd < 0) {
    result = uint64_t(errno);
    return FileError;
  }
  if (slot == files_.size()) files_.push_back(fd);
  else files_[slot] = fd;
  result = slot;
  return Ok;
}

uint32_t MailboxEngine::file_io(GuestMemory& memory, bool write, const uint64_t* arg, uint64_t& result) {
  using namespace mbox;
  int* fd = handle(arg[0]);
  if (!fd) return FileError;
  const uint64_t len = arg[2];
  if (len > config_.max_length) return TooLong;
  std::vector<uint8_t> buf(len);
  if (write) {
    if (!memory.read(arg[1], buf.data(), len)) return BadAddress;
    uint64_t done = 0;
    while (done < len) {
      const ssize_t n = ::write(*fd, buf.data() + done, len - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        result = uint64_t(errno);
        return FileError;
      }
      done += uint64_t(n);
    }
    result = done;
    return Ok;
  }
  if (!probe(memory, arg[1], len)) return BadAddress;
  uint64_t done = 0;
  while (done < len) {
    const ssize_t n = ::read(*fd, buf.data() + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result = uint64_t(errno);
      return FileError;
    }
    if (n == 0) break;  // end of file
    done += uint64_t(n);
  }
  if (!memory.write(arg[1], buf.data(), done)) return BadAddress;
  result = done;
  return Ok;
}

}  // namespace vp::rtl
