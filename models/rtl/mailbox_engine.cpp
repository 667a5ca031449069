#include "models/rtl/mailbox_engine.h"

#include "platform/full_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vp::rtl {

MailboxEngine::MailboxEngine(const MailboxEngineConfig& config, ExitHandler on_exit)
    : config_(config), on_exit_(std::move(on_exit)) {
  if (!config_.fs_root.empty()) root_fd_ = ::open(config_.fs_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

MailboxEngine::~MailboxEngine() {
  for (const OpenFile& f : files_)
    if (f.fd >= 0) ::close(f.fd);
  if (root_fd_ >= 0) ::close(root_fd_);
}

unsigned MailboxEngine::open_files() const {
  unsigned n = 0;
  for (const OpenFile& f : files_) n += f.fd >= 0;
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
      OpenFile* f = handle(arg[0]);
      if (!f) return FileError;
      ::close(f->fd);
      *f = OpenFile{};
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

// A relative path that stays beneath the root: not absolute, no "..".
bool path_beneath(const std::string& path) {
  if (path.empty() || path[0] == '/') return false;
  for (size_t start = 0; start <= path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (path.compare(start, end - start, "..") == 0) return false;
    start = end + 1;
  }
  return true;
}

// The open(2) flags of a mailbox OPEN mode (0 read, 1 write/truncate, 2 append);
// the caller checks mode <= 2.
int open_flags(uint64_t mode) {
  static const int kModes[] = {O_RDONLY, O_WRONLY | O_CREAT | O_TRUNC, O_WRONLY | O_CREAT | O_APPEND};
  return kModes[mode] | O_CLOEXEC | O_NOCTTY;
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

MailboxEngine::OpenFile* MailboxEngine::handle(uint64_t h) {
  if (h >= files_.size() || files_[h].fd < 0) return nullptr;
  return &files_[h];
}

int MailboxEngine::open_beneath(const std::string& path, int flags) const {
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
  return fd;
}

uint32_t MailboxEngine::open(GuestMemory& memory, const uint64_t* arg, uint64_t& result) {
  using namespace mbox;
  std::string path;
  if (const uint32_t st = read_string(memory, arg[0], kMaxPath, path)) return st;
  if (arg[1] > 2) return BadArgument;
  // Relative paths beneath the root only: no absolute path, no "..".
  if (!path_beneath(path)) return BadArgument;
  if (root_fd_ < 0) {
    result = ENOENT;
    return FileError;
  }
  size_t slot = 0;
  while (slot < files_.size() && files_[slot].fd >= 0) ++slot;
  if (slot == config_.max_files) {
    result = EMFILE;
    return FileError;
  }
  const int fd = open_beneath(path, open_flags(arg[1]));
  if (fd < 0) {
    result = uint64_t(errno);
    return FileError;
  }
  const OpenFile file{fd, uint32_t(arg[1]), path};
  if (slot == files_.size()) files_.push_back(file);
  else files_[slot] = file;
  result = slot;
  return Ok;
}

uint32_t MailboxEngine::file_io(GuestMemory& memory, bool write, const uint64_t* arg, uint64_t& result) {
  using namespace mbox;
  OpenFile* file = handle(arg[0]);
  if (!file) return FileError;
  int* fd = &file->fd;
  const uint64_t len = arg[2];
  if (len > config_.max_length) return TooLong;
  std::vector<uint8_t> buf(len);
  if (write) {
    if (!memory.read(arg[1], buf.data(), len)) return BadAddress;
    if (!platform::write_full(*fd, buf.data(), len)) {
      result = uint64_t(errno);
      return FileError;
    }
    result = len;
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

namespace {

constexpr uint64_t kMaxSavedFile = 1ull << 30;  // contents of a file open for writing

std::string describe(const std::string& path, size_t handle) {
  return "the file '" + path + "' (mailbox file handle " + std::to_string(handle) + ")";
}

}  // namespace

// Per handle: whether it is open; if so its mode, path and position, then for
// mode 0 the file's size, for mode 1 its contents.
void MailboxEngine::save_state(platform::StateWriter& out) const {
  using platform::StateError;
  out.u64(files_.size());
  for (size_t h = 0; h < files_.size(); ++h) {
    const OpenFile& f = files_[h];
    out.boolean(f.fd >= 0);
    if (f.fd < 0) continue;
    const std::string what = describe(f.path, h);
    if (f.mode == 2)
      throw StateError(what + " is open for appending: its earlier contents are the host's and the file changes "
                       "after the checkpoint, so it cannot be captured; close it before the checkpoint "
                       "(or open it with mode 1)");
    struct stat st;
    if (::fstat(f.fd, &st) != 0) throw StateError("cannot stat " + what + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
      throw StateError(what + " is not a regular file (a pipe or device): its position cannot be captured");
    const off_t pos = ::lseek(f.fd, 0, SEEK_CUR);
    if (pos < 0) throw StateError("cannot read the position of " + what + ": " + std::strerror(errno));
    const uint64_t size = uint64_t(st.st_size);
    out.u32(f.mode);
    out.string(f.path);
    out.u64(uint64_t(pos));
    if (f.mode == 0) {
      out.u64(size);
      continue;
    }
    // Mode 1: OPEN truncated the file, so all of it is what the guest wrote.
    if (size != uint64_t(pos))
      throw StateError(what + " is " + std::to_string(size) + " bytes long but the guest wrote " +
                       std::to_string(pos) + ": another program changed it, so it cannot be captured");
    if (size > kMaxSavedFile)
      throw StateError(what + " is open for writing and larger than 1 GiB: too large to save in a checkpoint");
    // The handle is write-only: read the same file through a second descriptor.
    const int rd = ::open(("/proc/self/fd/" + std::to_string(f.fd)).c_str(), O_RDONLY | O_CLOEXEC);
    if (rd < 0) throw StateError("cannot read back " + what + " for the checkpoint: " + std::strerror(errno));
    std::vector<uint8_t> data(size);
    const bool ok = platform::read_full_at(rd, data.data(), size, 0);
    const int err = errno;
    ::close(rd);
    if (!ok) throw StateError("cannot read back " + what + " for the checkpoint: " + std::strerror(err));
    out.blob(data.data(), data.size());
  }
}

void MailboxEngine::restore_state(platform::StateReader& in) {
  struct Saved {
    bool open = false;
    uint32_t mode = 0;
    std::string path;
    uint64_t position = 0, size = 0;
    std::vector<uint8_t> data;
  };
  // The whole record first: a damaged one changes no host file.
  std::vector<Saved> saved(in.count(config_.max_files));
  for (Saved& s : saved) {
    s.open = in.boolean();
    if (!s.open) continue;
    s.mode = in.u32();
    if (s.mode > 1) in.fail("a mailbox file handle has mode " + std::to_string(s.mode) + " (0 or 1 expected)");
    s.path = in.string(mbox::kMaxPath);
    if (!path_beneath(s.path)) in.fail("a mailbox file handle names '" + s.path + "', not a path beneath the root");
    s.position = in.u64();
    if (s.mode == 0) {
      s.size = in.u64();
      if (s.position > s.size) in.fail("a mailbox file handle is positioned past the end of its file");
    } else {
      s.data = in.blob(kMaxSavedFile);
      if (s.position != s.data.size()) in.fail("a mailbox file handle open for writing is not at its end");
    }
  }
  for (const OpenFile& f : files_)
    if (f.fd >= 0) ::close(f.fd);
  files_.assign(saved.size(), OpenFile{});
  for (size_t h = 0; h < saved.size(); ++h) {
    const Saved& s = saved[h];
    if (!s.open) continue;
    const std::string what = describe(s.path, h);
    if (root_fd_ < 0)
      in.fail("the checkpoint has " + what + " open but this mailbox has no file services (fs_root)");
    const int fd = open_beneath(s.path, open_flags(s.mode));
    if (fd < 0) in.fail("cannot reopen " + what + " beneath '" + config_.fs_root + "': " + std::strerror(errno));
    files_[h] = OpenFile{fd, s.mode, s.path};
    if (s.mode == 0) {
      struct stat st {};
      const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
      if (!regular || uint64_t(st.st_size) != s.size)
        in.fail(what + " is open for reading in the checkpoint with " + std::to_string(s.size) +
                " bytes, but the file beneath '" + config_.fs_root + "' now has " +
                (regular ? std::to_string(st.st_size) + " bytes (it changed)" : "another type"));
      if (::lseek(fd, off_t(s.position), SEEK_SET) < 0)
        in.fail("cannot position " + what + ": " + std::strerror(errno));
    } else if (!platform::write_full(fd, s.data.data(), s.data.size())) {
      in.fail("cannot write back " + what + ": " + std::strerror(errno));
    }
  }
}

}  // namespace vp::rtl
