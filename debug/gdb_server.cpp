#include "debug/gdb_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "debug/gdb_session.h"
#include "debug/rsp_packet.h"
#include "platform/simulation.h"
#include "platform/terminal.h"

namespace vp::debug {
namespace {

constexpr size_t kMaxPayload = 0x4000 + 64;  // a little over the PacketSize we announce
constexpr int kIdlePollMs = 100;             // how often an idle server checks for Ctrl-C on vp

}  // namespace

GdbServer::GdbServer(DebugTarget& target, const std::string& address) : target_(target) {
  std::string host = "127.0.0.1", port = address;
  const size_t colon = address.rfind(':');
  if (colon != std::string::npos) {
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  }
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
      std::stoul(port) > 65535)
    throw std::runtime_error("--gdb: expected [HOST:]PORT such as 1234 or 0.0.0.0:1234, found '" + address + "'");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0)
    throw std::runtime_error("--gdb: cannot use host '" + host + "': " + ::gai_strerror(rc));
  std::string error = "no address";
  for (addrinfo* a = res; a; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 1) == 0) {
      listen_fd_ = fd;
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
      port_ = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                             : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
      break;
    }
    error = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(res);
  if (listen_fd_ < 0) throw std::runtime_error("--gdb: cannot listen on " + host + ":" + port + ": " + error);
  where_ = host + ":" + std::to_string(port_);
}

GdbServer::~GdbServer() {
  close_client();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

bool GdbServer::accept_client(int timeout_ms) {
  pollfd p{listen_fd_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return false;
  const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return false;
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  client_ = fd;
  no_ack_ = false;
  last_sent_.clear();
  return true;
}

void GdbServer::close_client() {
  if (client_ >= 0) ::close(client_);
  client_ = -1;
}

bool GdbServer::send_raw(const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(client_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

bool GdbServer::send_packet(const std::string& payload) {
  last_sent_ = frame(payload);
  return send_raw(last_sent_);
}

GdbServer::Outcome GdbServer::serve(bool wait, Mode mode) {
  Outcome out;
  // A stuck guest pauses for an attached debugger instead of ending the run.
  const platform::StuckPolicy policy = platform::stuck_policy();
  if (wait) {
    platform::message("vp: waiting for GDB on " + where_ + " (target remote " + where_ + ")");
    while (!accept_client(kIdlePollMs)) {
      if (target_.interrupted()) {
        target_.end_run(130, "interrupted (Ctrl-C)");
        out.ended = true;
        out.last = {SliceResult::Kind::kEnded, 130, "interrupted (Ctrl-C)"};
        return out;
      }
    }
  }
  for (;;) {
    if (client_ < 0) {
      if (!accept_client(0)) {
        out.last = target_.run_slice();
        if (out.last.kind == SliceResult::Kind::kEnded) {
          out.ended = true;
          return out;
        }
        continue;  // a pause with no debugger attached: go on
      }
    }
    platform::message("vp: GDB attached on " + where_);
    if (policy == platform::StuckPolicy::kStop) platform::set_stuck_policy(platform::StuckPolicy::kPause);
    const bool ended = serve_client(out.last);
    platform::set_stuck_policy(policy);
    close_client();
    if (ended) {
      out.ended = true;
      return out;
    }
    platform::message("vp: GDB detached; the simulation goes on");
    if (mode == Mode::kUntilDetach) return out;
  }
}

bool GdbServer::serve_client(SliceResult& last) {
  GdbSession session(target_);
  PacketReader reader(kMaxPayload);
  std::vector<PacketReader::Event> events;
  char buf[4096];
  bool ended = false;
  auto send_all = [this](const std::vector<std::string>& replies) {
    bool ok = true;
    for (const auto& r : replies) ok = ok && send_packet(r);
    return ok;
  };
  for (;;) {
    pollfd p{client_, POLLIN, 0};
    const int ready = ::poll(&p, 1, session.running() ? 0 : kIdlePollMs);
    if (ready > 0) {
      const ssize_t n = ::recv(client_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // the debugger went away
      events.clear();
      reader.feed(buf, static_cast<size_t>(n), events);
      for (const auto& e : events) {
        using K = PacketReader::Event::Kind;
        bool ok = true;
        switch (e.kind) {
          case K::kInterrupt:
            ok = send_all(session.interrupt());
            break;
          case K::kNack:
            if (!no_ack_ && !last_sent_.empty()) ok = send_raw(last_sent_);
            break;
          case K::kAck:
            break;
          case K::kBadChecksum:
            if (!no_ack_) ok = send_raw("-");
            break;
          case K::kTooLong:
            ok = (no_ack_ || send_raw("+")) && send_packet("E01");
            break;
          case K::kPacket: {
            if (!no_ack_) ok = send_raw("+");
            const auto replies = session.handle(e.payload);
            ok = ok && send_all(replies);
            no_ack_ = session.no_ack();
            break;
          }
        }
        if (!ok) break;
        if (session.closing()) break;
      }
      if (session.closing()) {
        ended = session.ended();
        break;
      }
      continue;
    }
    if (session.running()) {
      if (target_.interrupted()) {
        target_.end_run(130, "interrupted (Ctrl-C)");
        last = {SliceResult::Kind::kEnded, 130, "interrupted (Ctrl-C)"};
        send_all(session.on_slice(last));
        ended = true;
        break;
      }
      last = target_.run_slice();
      if (!send_all(session.on_slice(last))) break;
      if (last.kind == SliceResult::Kind::kEnded) ended = true;
    } else if (target_.interrupted()) {  // Ctrl-C on vp itself ends the run and the session
      if (!ended) {
        target_.end_run(130, "interrupted (Ctrl-C)");
        last = {SliceResult::Kind::kEnded, 130, "interrupted (Ctrl-C)"};
      }
      ended = true;
      break;
    }
  }
  if (!ended && !session.ended()) session.release();
  return ended || session.ended();
}

}  // namespace vp::debug
