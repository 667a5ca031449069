#include "models/devices/console_backend.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "platform/full_io.h"
#include "platform/terminal.h"

namespace vp::dev {

void ByteQueue::push(const void* data, size_t len) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto* p = static_cast<const uint8_t*>(data);
  bytes_.insert(bytes_.end(), p, p + len);
}

size_t ByteQueue::pop(uint8_t* out, size_t max) {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t n = 0;
  while (n < max && !bytes_.empty()) {
    out[n++] = bytes_.front();
    bytes_.pop_front();
  }
  return n;
}

std::string ByteQueue::contents() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::string(bytes_.begin(), bytes_.end());
}

bool ByteQueue::empty() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bytes_.empty();
}

namespace {

// A backend that gathers transmitted bytes and hands them to send() in one piece
// at flush() or once kFlushAt are waiting. The simulation thread's only.
class BufferedConsole : public ConsoleBackend {
 public:
  static constexpr size_t kFlushAt = 4096;  // bytes held back at most

  void write(uint8_t byte) final {
    pending_.push_back(char(byte));
    if (pending_.size() >= kFlushAt) flush();
  }
  void flush() final {
    if (pending_.empty()) return;
    send(pending_.data(), pending_.size());
    pending_.clear();
  }

 protected:
  virtual void send(const char* data, size_t len) = 0;

 private:
  std::string pending_;
};

class NullConsole : public ConsoleBackend {
 public:
  void write(uint8_t) override {}
};

class FileConsole : public BufferedConsole {
 public:
  explicit FileConsole(const ConsoleOptions& o) {
    fd_ = ::open(o.file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw std::runtime_error(o.name + ": cannot open console file '" + o.file + "': " +
                               std::strerror(errno));
  }
  ~FileConsole() override {
    flush();
    ::close(fd_);
  }

 private:
  void send(const char* data, size_t len) override {
    platform::write_full(fd_, data, len);  // false: a closed pipe, output is dropped
  }
  int fd_ = -1;
};

// A host thread that reads fd into the queue until EOF or stop; it wakes every
// 50 ms to check for stop so that it can be joined.
class Reader {
 public:
  template <typename OnData>
  void start(OnData on_data) {
    thread_ = std::thread([this, on_data] {
      while (!stop_) {
        if (!on_data()) break;
      }
    });
  }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  bool stopping() const { return stop_; }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Waits up to 50 ms for fd to become readable. 1: readable, 0: timeout, -1: error.
int wait_readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  int r = ::poll(&p, 1, 50);
  if (r < 0) return errno == EINTR ? 0 : -1;
  return r > 0 ? 1 : 0;
}

// --- stdio: one stdin reader per process; tty in non-canonical mode -------
termios g_saved_tty;
std::atomic<bool> g_tty_raw{false};
std::atomic<bool> g_stdin_claimed{false};
ConsoleEscapeHandler g_escape;             // set before consoles are created
std::atomic<bool> g_escape_active{false};
constexpr uint8_t kEscapeKey = 0x01;       // Ctrl-A

void restore_tty() {
  if (g_tty_raw.exchange(false)) ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_tty);
}

void restore_tty_and_reraise(int sig) {
  restore_tty();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void make_tty_raw() {
  if (!::isatty(STDIN_FILENO) || ::tcgetattr(STDIN_FILENO, &g_saved_tty) != 0) return;
  termios raw = g_saved_tty;
  // Characters go to the guest one by one, unechoed. Without escape keys Ctrl-C
  // still stops vp (ISIG kept); with them (Ctrl-A x quits) it goes to the guest.
  raw.c_iflag &= ~tcflag_t(ICRNL | IXON | INLCR | IGNCR);
  raw.c_lflag &= ~tcflag_t(ICANON | ECHO | IEXTEN);
  if (g_escape) raw.c_lflag &= ~tcflag_t(ISIG);
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  if (::tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0) return;
  g_tty_raw = true;
  static bool registered = false;
  if (!registered) {
    registered = true;
    std::atexit(restore_tty);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) {
      struct sigaction old {};
      if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_DFL)
        std::signal(sig, restore_tty_and_reraise);
    }
  }
}

class StdioConsole : public ConsoleBackend {
 public:
  explicit StdioConsole(ByteQueue& input) {
    if (g_stdin_claimed.exchange(true)) return;  // another UART already reads stdin
    owner_ = true;
    struct stat st {};
    if (::fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode)) {
      // A regular file: all of it is available now, which keeps runs deterministic.
      char buf[4096];
      ssize_t n;
      while ((n = ::read(STDIN_FILENO, buf, sizeof buf)) > 0) input.push(buf, size_t(n));
      return;
    }
    make_tty_raw();
    const bool escape = g_escape && g_tty_raw;
    g_escape_active = escape;
    reader_.start([this, &input, escape] {
      int r = wait_readable(STDIN_FILENO);
      if (r <= 0) return r == 0;
      char buf[256];
      ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
      if (n <= 0) return false;  // EOF
      if (escape)
        filter_escapes(buf, size_t(n), input);
      else
        input.push(buf, size_t(n));
      return true;
    });
  }
  ~StdioConsole() override {
    platform::console_flush();
    reader_.stop();
    if (owner_) {
      restore_tty();
      g_escape_active = false;
      g_stdin_claimed = false;
    }
  }
  void write(uint8_t byte) override { platform::console_output_buffered(reinterpret_cast<const char*>(&byte), 1); }
  void flush() override { platform::console_flush(); }

 private:
  // Ctrl-A and the next key are vp's; everything else is the guest's.
  void filter_escapes(const char* buf, size_t n, ByteQueue& input) {
    std::string out;
    for (size_t i = 0; i < n; ++i) {
      const auto c = static_cast<uint8_t>(buf[i]);
      if (!escape_pending_) {
        if (c == kEscapeKey)
          escape_pending_ = true;
        else
          out += static_cast<char>(c);
        continue;
      }
      escape_pending_ = false;
      if (c == kEscapeKey) {
        out += static_cast<char>(c);
      } else if (c == 'h' || c == '?') {
        platform::message("vp: console keys: Ctrl-A x quit, Ctrl-A c status line, Ctrl-A Ctrl-A send Ctrl-A");
      } else {
        g_escape(static_cast<char>(c));
      }
    }
    if (!out.empty()) input.push(out.data(), out.size());
  }

  bool owner_ = false;
  bool escape_pending_ = false;
  Reader reader_;
};

// --- tcp: 127.0.0.1:port, one client at a time ------------------------------
class TcpConsole : public BufferedConsole {
 public:
  TcpConsole(const ConsoleOptions& o, ByteQueue& input) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error(o.name + ": socket: " + std::strerror(errno));
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(o.port);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 1) != 0) {
      std::string err = std::strerror(errno);
      ::close(listen_fd_);
      throw std::runtime_error(o.name + ": cannot listen on 127.0.0.1:" + std::to_string(o.port) +
                               ": " + err);
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    std::fprintf(stderr, "%s: console on tcp 127.0.0.1:%u\n", o.name.c_str(), unsigned(port_));
    reader_.start([this, &input] {
      int client = client_fd_.load();
      if (client < 0) {
        if (wait_readable(listen_fd_) <= 0) return true;
        int c = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) client_fd_ = c;
        return true;
      }
      int r = wait_readable(client);
      if (r == 0) return true;
      char buf[256];
      ssize_t n = r > 0 ? ::recv(client, buf, sizeof buf, 0) : -1;
      if (n < 0 && errno == EINTR) return true;
      if (n <= 0) {  // client gone: wait for the next one
        std::lock_guard<std::mutex> lock(write_mutex_);
        client_fd_ = -1;
        ::close(client);
        return true;
      }
      input.push(buf, size_t(n));
      return true;
    });
  }
  ~TcpConsole() override {
    flush();
    reader_.stop();
    if (client_fd_ >= 0) ::close(client_fd_);
    ::close(listen_fd_);
  }
  uint16_t port() const override { return port_; }

 private:
  // Output while no client is connected is dropped (like QEMU's "server,nowait").
  void send(const char* data, size_t len) override {
    std::lock_guard<std::mutex> lock(write_mutex_);
    const int c = client_fd_.load();
    for (size_t at = 0; c >= 0 && at < len;) {
      const ssize_t n = ::send(c, data + at, len - at, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      at += size_t(n);
    }
  }
  int listen_fd_ = -1;
  std::atomic<int> client_fd_{-1};
  std::mutex write_mutex_;
  uint16_t port_ = 0;
  Reader reader_;
};

}  // namespace

void set_console_escape_handler(ConsoleEscapeHandler handler) { g_escape = std::move(handler); }
bool console_escape_active() { return g_escape_active; }

std::unique_ptr<ConsoleBackend> make_console(const ConsoleOptions& options, ByteQueue& input) {
  switch (options.kind) {
    case ConsoleKind::Stdio:
      return std::make_unique<StdioConsole>(input);
    case ConsoleKind::File:
      return std::make_unique<FileConsole>(options);
    case ConsoleKind::Tcp:
      return std::make_unique<TcpConsole>(options, input);
    case ConsoleKind::Null:
      break;
  }
  return std::make_unique<NullConsole>();
}

}  // namespace vp::dev
