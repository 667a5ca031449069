#pragma once
// The GDB remote stub's connection side: it listens on a TCP address
// (127.0.0.1 unless told otherwise), serves one debugger at a time
// (GdbSession), and runs the simulation in slices between packets so that
// Ctrl-C from the debugger and new connections are noticed. A debugger that
// detaches or disconnects leaves the simulation running; another may attach.
#include <cstdint>
#include <string>

#include "debug/debug_target.h"

namespace vp::debug {

class GdbServer {
 public:
  // address: "PORT" or "HOST:PORT"; port 0 picks a free one. Throws
  // std::runtime_error (bad address, port in use).
  GdbServer(DebugTarget& target, const std::string& address);
  ~GdbServer();
  GdbServer(const GdbServer&) = delete;
  GdbServer& operator=(const GdbServer&) = delete;

  uint16_t port() const { return port_; }
  const std::string& where() const { return where_; }  // "127.0.0.1:1234"

  struct Outcome {
    bool ended = false;  // the run is over (last says why); else a debugger detached (kUntilDetach)
    SliceResult last;
  };
  enum class Mode { kUntilEnd, kUntilDetach };
  // wait: nothing runs until a debugger attaches and resumes the target.
  Outcome serve(bool wait, Mode mode);

 private:
  bool accept_client(int timeout_ms);
  // Serves the attached debugger; true when the run ended.
  bool serve_client(SliceResult& last);
  bool send_packet(const std::string& payload);
  bool send_raw(const std::string& bytes);
  void close_client();

  DebugTarget& target_;
  int listen_fd_ = -1;
  int client_ = -1;
  uint16_t port_ = 0;
  std::string where_;
  std::string last_sent_;  // resent on a '-'
  bool no_ack_ = false;
};

}  // namespace vp::debug
