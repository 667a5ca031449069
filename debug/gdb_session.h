#pragma once
// One debugger connection's command handling (GDB manual, "Remote Protocol",
// E.2 Packets and E.4 General Query Packets): registers, memory, breakpoints
// and watchpoints, continue/step/vCont, threads (one per processor), the
// target description, monitor commands, no-ack mode. All-stop: when one
// processor stops, every processor stops. Free of sockets: payloads in,
// payloads out.
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "debug/debug_target.h"

namespace vp::debug {

class GdbSession {
 public:
  explicit GdbSession(DebugTarget& target);

  // Handles one packet; returns the reply payloads in order (console output
  // 'O' packets first). No reply after resuming (continue, step) or kill.
  std::vector<std::string> handle(const std::string& packet);
  // While resumed, the server runs slices and hands each result here; a stop
  // or the end of the run produces the stop reply.
  std::vector<std::string> on_slice(const SliceResult& r);
  // The debugger's Ctrl-C (0x03) while resumed.
  std::vector<std::string> interrupt();

  bool running() const { return running_; }
  bool no_ack() const { return no_ack_; }
  // Detach or kill: the connection should close.
  bool closing() const { return closing_; }
  bool ended() const { return ended_; }
  // Removes what this debugger set (breakpoints, watchpoints, holds, steps).
  void release();

 private:
  using Replies = std::vector<std::string>;
  Replies query(const std::string& p);
  Replies resume(const std::string& p);
  Replies monitor(const std::string& command);
  Replies breakpoint(const std::string& p, bool insert);
  std::string read_registers();
  std::string write_registers(const std::string& hex);
  std::string read_memory(const std::string& args);
  std::string write_memory(const std::string& args, bool binary);
  std::string stop_reply(size_t index, const platform::DebugStop& stop);
  Replies report_pause(const std::string& reason);
  bool parse_thread(const std::string& s, long& index) const;  // -1: all, else 0-based
  platform::Processor& current(bool for_continue = false);
  void code_written(uint64_t addr, size_t len);

  DebugTarget& target_;
  std::vector<platform::Processor*> procs_;
  std::vector<std::string> names_;
  std::vector<unsigned> g_regs_;  // register numbers in the 'g' packet
  std::string xml_;               // target description
  bool no_ack_ = false;
  bool swbreak_ = false, hwbreak_ = false;  // the debugger understands these stop reasons
  bool physical_ = false;                   // monitor phys on
  bool running_ = false, closing_ = false, ended_ = false;
  size_t g_thread_ = 0, c_thread_ = 0;
  long c_selection_ = -1;  // Hc: -1 = all
  std::string last_stop_;
  std::deque<std::pair<size_t, platform::DebugStop>> pending_;  // stops not yet reported
};

}  // namespace vp::debug
