// RISC-V semihosting calls (Arm semihosting 2.0 operations, XLEN = 64 fields).
#include "models/cpu/semihosting.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "models/cpu/core.h"

namespace vp::cpu {
namespace {

constexpr uint64_t kMaxPath = 4096;
constexpr size_t kChunk = 64 * 1024;  // file data moves through the host in bounded pieces
// ":semihosting-features" (Arm semihosting 2.0, 5.3): magic and feature byte 0
// (bit 0: SYS_EXIT_EXTENDED, bit 1: stdout and stderr as separate ":tt" files).
constexpr char kFeatures[] = {'S', 'H', 'F', 'B', 0x01};

// SYS_OPEN modes 0-11: r, rb, r+, r+b, w, wb, w+, w+b, a, ab, a+, a+b.
int open_flags(uint64_t mode) {
  switch (mode >> 1) {
    case 0: return O_RDONLY;
    case 1: return O_RDWR;
    case 2: return O_WRONLY | O_CREAT | O_TRUNC;
    case 3: return O_RDWR | O_CREAT | O_TRUNC;
    case 4: return O_WRONLY | O_CREAT | O_APPEND;
    default: return O_RDWR | O_CREAT | O_APPEND;
  }
}

bool inside(const std::string& path, const std::string& root) {
  return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
                          (root == "/" || path[root.size()] == '/'));
}

}  // namespace

Semihosting::Semihosting(const SemihostingConfig& config, SemihostingHost& host) : cfg_(config), host_(host) {
  if (!cfg_.root.empty()) {
    char buf[PATH_MAX];
    if (::realpath(cfg_.root.c_str(), buf)) root_real_ = buf;
  }
}

Semihosting::~Semihosting() {
  for (Handle& h : handles_)
    if (h.kind == Handle::kFile) ::close(h.fd);
}

bool Semihosting::field(Core& core, uint64_t block, unsigned i, uint64_t& v) {
  return core.read_virtual(block + 8ull * i, &v, 8);
}

bool Semihosting::read_string(Core& core, uint64_t addr, uint64_t len, std::string& out) {
  if (len > kMaxPath) return false;
  out.resize(len);
  return core.read_virtual(addr, out.data(), len);
}

Semihosting::Handle* Semihosting::handle(uint64_t h) {
  if (h == 0 || h > handles_.size() || handles_[h - 1].kind == Handle::kFree) return nullptr;
  return &handles_[h - 1];
}

// A guest path names a file below the root whatever it says: "/a/b" and "a/b"
// are root/a/b; ".." that would leave the root is refused, and so is a
// directory that is really elsewhere (a symbolic link out of the root).
std::string Semihosting::resolve(const std::string& guest) {
  if (root_real_.empty()) {
    errno_ = EACCES;
    return "";
  }
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= guest.size()) {
    const size_t j = std::min(guest.find('/', i), guest.size());
    const std::string part = guest.substr(i, j - i);
    if (part == "..") {
      if (parts.empty()) {
        errno_ = EACCES;
        return "";
      }
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  if (parts.empty() || guest.find('\0') != std::string::npos) {
    errno_ = EACCES;
    return "";
  }
  std::string dir = root_real_;
  for (size_t k = 0; k + 1 < parts.size(); ++k) dir += "/" + parts[k];
  char buf[PATH_MAX];
  if (!::realpath(dir.c_str(), buf)) {
    errno_ = errno;
    return "";
  }
  if (!inside(buf, root_real_)) {
    errno_ = EACCES;
    return "";
  }
  return std::string(buf) + "/" + parts.back();
}

void Semihosting::call(Core& core) {
  const uint64_t op = core.reg(10), arg = core.reg(11);
  const int64_t r = dispatch(core, op, arg);
  core.set_reg(10, static_cast<uint64_t>(r));
}

int64_t Semihosting::dispatch(Core& core, uint64_t op, uint64_t arg) {
  uint64_t a = 0, b = 0;
  switch (op) {
    case kOpen: return open(core, arg);
    case kClose: {
      if (!field(core, arg, 0, a)) return fail(EFAULT);
      Handle* h = handle(a);
      if (!h) return fail(EBADF);
      if (h->kind == Handle::kFile) ::close(h->fd);
      *h = {};
      return 0;
    }
    case kWritec: {
      char c;
      if (!core.read_virtual(arg, &c, 1)) return fail(EFAULT);
      host_.console_write(&c, 1);
      return static_cast<int64_t>(core.reg(10));  // a0 is unchanged
    }
    case kWrite0: {
      std::string s;
      char c;
      for (uint64_t at = arg; core.read_virtual(at, &c, 1) && c; ++at) {
        s += c;
        if (s.size() >= kChunk) {
          host_.console_write(s.data(), s.size());
          s.clear();
        }
      }
      host_.console_write(s.data(), s.size());
      return static_cast<int64_t>(core.reg(10));
    }
    case kWrite: return write(core, arg);
    case kRead: return read(core, arg);
    case kReadc: return host_.console_read();
    case kIsError:
      if (!field(core, arg, 0, a)) return fail(EFAULT);
      return static_cast<int64_t>(a) < 0 ? 1 : 0;
    case kIsTty: {
      if (!field(core, arg, 0, a)) return fail(EFAULT);
      Handle* h = handle(a);
      if (!h) return fail(EBADF);
      return h->kind == Handle::kConsoleIn || h->kind == Handle::kConsoleOut ? 1 : 0;
    }
    case kSeek: {
      if (!field(core, arg, 0, a) || !field(core, arg, 1, b)) return fail(EFAULT);
      Handle* h = handle(a);
      if (!h) return fail(EBADF);
      if (h->kind == Handle::kFeatures) {
        if (b > sizeof kFeatures) return fail(EINVAL);
        h->pos = b;
        return 0;
      }
      if (h->kind != Handle::kFile) return fail(ESPIPE);
      return ::lseek(h->fd, static_cast<off_t>(b), SEEK_SET) < 0 ? fail(errno) : 0;
    }
    case kFlen: {
      if (!field(core, arg, 0, a)) return fail(EFAULT);
      Handle* h = handle(a);
      if (!h) return fail(EBADF);
      if (h->kind == Handle::kFeatures) return sizeof kFeatures;
      struct stat st {};
      if (h->kind != Handle::kFile || ::fstat(h->fd, &st) != 0) return fail(EINVAL);
      return st.st_size;
    }
    case kRemove: {
      std::string name;
      if (!field(core, arg, 0, a) || !field(core, arg, 1, b) || !read_string(core, a, b, name)) return fail(EFAULT);
      const std::string path = resolve(name);
      if (path.empty()) return errno_;
      return ::unlink(path.c_str()) == 0 ? 0 : (errno_ = errno);
    }
    case kRename: {
      uint64_t c = 0, d = 0;
      std::string from, to;
      if (!field(core, arg, 0, a) || !field(core, arg, 1, b) || !field(core, arg, 2, c) || !field(core, arg, 3, d) ||
          !read_string(core, a, b, from) || !read_string(core, c, d, to))
        return fail(EFAULT);
      const std::string p = resolve(from), q = p.empty() ? "" : resolve(to);
      if (p.empty() || q.empty()) return errno_;
      return ::rename(p.c_str(), q.c_str()) == 0 ? 0 : (errno_ = errno);
    }
    case kClock: return static_cast<int64_t>(host_.elapsed_ns() / 10'000'000);  // centiseconds
    case kTime: return static_cast<int64_t>(std::time(nullptr));
    case kErrno: return errno_;
    case kGetCmdline: {
      if (!field(core, arg, 0, a) || !field(core, arg, 1, b)) return fail(EFAULT);
      const std::string& s = cfg_.cmdline;
      if (b < s.size() + 1) return fail(EINVAL);
      const uint64_t len = s.size();
      if (!core.write_virtual(a, s.c_str(), s.size() + 1) || !core.write_virtual(arg + 8, &len, 8)) return fail(EFAULT);
      return 0;
    }
    case kHeapInfo: {
      // a1 points to a word holding the address of four words to fill.
      if (!field(core, arg, 0, a)) return fail(EFAULT);
      const uint64_t info[4] = {cfg_.heap_base, cfg_.heap_limit, cfg_.stack_base, cfg_.stack_limit};
      if (!core.write_virtual(a, info, sizeof info)) return fail(EFAULT);
      return 0;
    }
    case kExit: case kExitExtended: return exit(core, op, arg);
    case kElapsed: {
      const uint64_t ticks = host_.elapsed_ns();
      return core.write_virtual(arg, &ticks, 8) ? 0 : fail(EFAULT);
    }
    case kTickFreq: return 1'000'000'000;  // SYS_ELAPSED counts simulated nanoseconds
    case kSystem: case kTmpnam: return fail(ENOSYS);
    default:
      if (std::find(warned_.begin(), warned_.end(), op) == warned_.end()) {
        warned_.push_back(op);
        std::fprintf(stderr, "vp: semihosting: unsupported operation 0x%llx (the guest gets -1)\n",
                     static_cast<unsigned long long>(op));
      }
      return fail(ENOSYS);
  }
}

int64_t Semihosting::open(Core& core, uint64_t block) {
  uint64_t name_at = 0, mode = 0, len = 0;
  std::string name;
  if (!field(core, block, 0, name_at) || !field(core, block, 1, mode) || !field(core, block, 2, len) ||
      !read_string(core, name_at, len, name))
    return fail(EFAULT);
  if (mode > 11) return fail(EINVAL);
  Handle h;
  if (name == ":tt") {
    // The console: read modes are stdin, write and append modes stdout/stderr.
    h.kind = mode < 4 ? Handle::kConsoleIn : Handle::kConsoleOut;
  } else if (name == ":semihosting-features") {
    if (mode >= 4) return fail(EACCES);
    h.kind = Handle::kFeatures;
  } else {
    const std::string path = resolve(name);
    if (path.empty()) return -1;
    const int fd = ::open(path.c_str(), open_flags(mode) | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return fail(errno);
    h.kind = Handle::kFile;
    h.fd = fd;
  }
  for (size_t i = 0; i < handles_.size(); ++i) {
    if (handles_[i].kind == Handle::kFree) {
      handles_[i] = h;
      return static_cast<int64_t>(i + 1);
    }
  }
  if (handles_.size() >= 1024) {
    if (h.kind == Handle::kFile) ::close(h.fd);
    return fail(EMFILE);
  }
  handles_.push_back(h);
  return static_cast<int64_t>(handles_.size());
}

// SYS_WRITE returns the number of bytes not written (0: all of them).
int64_t Semihosting::write(Core& core, uint64_t block) {
  uint64_t hv = 0, buf = 0, len = 0;
  if (!field(core, block, 0, hv) || !field(core, block, 1, buf) || !field(core, block, 2, len)) return fail(EFAULT);
  Handle* h = handle(hv);
  if (!h || h->kind == Handle::kConsoleIn || h->kind == Handle::kFeatures) {
    errno_ = EBADF;
    return static_cast<int64_t>(len);
  }
  std::vector<char> data;
  uint64_t done = 0;
  while (done < len) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kChunk, len - done));
    data.resize(n);
    if (!core.read_virtual(buf + done, data.data(), n)) {
      errno_ = EFAULT;
      break;
    }
    if (h->kind == Handle::kConsoleOut) {
      host_.console_write(data.data(), n);
    } else {
      const ssize_t w = ::write(h->fd, data.data(), n);
      if (w < 0) {
        errno_ = errno;
        break;
      }
      if (static_cast<size_t>(w) < n) {
        done += static_cast<uint64_t>(w);
        break;
      }
    }
    done += n;
  }
  return static_cast<int64_t>(len - done);
}

// SYS_READ returns the number of bytes not read (len at the end of the file).
int64_t Semihosting::read(Core& core, uint64_t block) {
  uint64_t hv = 0, buf = 0, len = 0;
  if (!field(core, block, 0, hv) || !field(core, block, 1, buf) || !field(core, block, 2, len)) return fail(EFAULT);
  Handle* h = handle(hv);
  if (!h || h->kind == Handle::kConsoleOut) {
    errno_ = EBADF;
    return -1;
  }
  uint64_t done = 0;
  std::vector<char> data;
  while (done < len) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kChunk, len - done));
    data.resize(want);
    size_t got = 0;
    if (h->kind == Handle::kFeatures) {
      got = std::min(want, sizeof kFeatures - std::min(h->pos, sizeof kFeatures));
      std::copy(kFeatures + h->pos, kFeatures + h->pos + got, data.begin());
      h->pos += got;
    } else if (h->kind == Handle::kConsoleIn) {
      // One line at most, as a terminal read returns.
      while (got < want) {
        const int c = host_.console_read();
        if (c < 0) break;
        data[got++] = static_cast<char>(c);
        if (c == '\n') break;
      }
    } else {
      const ssize_t r = ::read(h->fd, data.data(), want);
      if (r < 0) {
        errno_ = errno;
        return -1;
      }
      got = static_cast<size_t>(r);
    }
    if (got && !core.write_virtual(buf + done, data.data(), got)) {
      errno_ = EFAULT;
      break;
    }
    done += got;
    if (got < want || h->kind == Handle::kConsoleIn) break;
  }
  return static_cast<int64_t>(len - done);
}

// SYS_EXIT on a 64-bit target and SYS_EXIT_EXTENDED take a block (reason,
// subcode); the application's exit code is the subcode of
// ADP_Stopped_ApplicationExit, any other reason exits with 1. A caller that
// passes the reason itself (the 32-bit convention) is understood too.
int64_t Semihosting::exit(Core& core, uint64_t op, uint64_t arg) {
  uint64_t reason = 0, code = 0;
  const bool direct = arg >= 0x20000 && arg <= 0x20031;
  if (direct || !field(core, arg, 0, reason) || !field(core, arg, 1, code)) {
    reason = arg;
    code = 0;
  }
  int status = reason == kApplicationExit ? static_cast<int>(code & 0xff) : 1;
  char why[128];
  std::snprintf(why, sizeof why, "semihosting %s (reason 0x%llx, code %lld)",
                op == kExit ? "SYS_EXIT" : "SYS_EXIT_EXTENDED", static_cast<unsigned long long>(reason),
                static_cast<long long>(code));
  host_.exit(status, why);
  return 0;
}

}  // namespace vp::cpu
