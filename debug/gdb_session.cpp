#include "debug/gdb_session.h"

#include <algorithm>
#include <cstdio>

#include "debug/rsp_packet.h"
#include "debug/target_description.h"

namespace vp::debug {
namespace {

// PacketSize we announce (hex): the largest packet we accept and send.
constexpr size_t kPacketSize = 0x4000;
constexpr size_t kMaxMemory = (kPacketSize - 16) / 2;  // bytes per m/M/X packet

std::string hex_number(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  for (;;) {
    const size_t j = s.find(sep, i);
    out.push_back(s.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) return out;
    i = j + 1;
  }
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// "addr,len" with optional ":data" after it.
bool parse_addr_len(const std::string& s, uint64_t& addr, uint64_t& len) {
  const auto parts = split(s.substr(0, s.find(':')), ',');
  return parts.size() == 2 && parse_hex(parts[0], addr) && parse_hex(parts[1], len);
}

// An xfer reply: 'm' with more to come, 'l' for the last piece.
std::string xfer(const std::string& data, const std::string& range) {
  uint64_t off = 0, len = 0;
  if (!parse_addr_len(range, off, len)) return "E01";
  if (off >= data.size()) return "l";
  len = std::min<uint64_t>(len, kMaxMemory);
  const std::string piece = data.substr(off, len);
  return (off + piece.size() >= data.size() ? "l" : "m") + escape_binary(piece);
}

}  // namespace

GdbSession::GdbSession(DebugTarget& target) : target_(target) {
  procs_ = target.processors();
  names_ = target.processor_names();
  if (!procs_.empty()) {
    xml_ = target_description(*procs_[0]);
    auto regs = procs_[0]->debug_registers();
    std::sort(regs.begin(), regs.end(), [](const auto& a, const auto& b) { return a.number < b.number; });
    for (const auto& r : regs) {
      if (r.number != g_regs_.size()) break;  // the 'g' packet: registers 0.. without a gap
      g_regs_.push_back(r.number);
    }
  }
  last_stop_ = "T05thread:1;";  // attaching halts the target
}

platform::Processor& GdbSession::current(bool for_continue) {
  return *procs_[for_continue ? c_thread_ : g_thread_];
}

bool GdbSession::parse_thread(const std::string& s, long& index) const {
  if (s == "-1") {
    index = -1;
    return true;
  }
  uint64_t v = 0;
  if (!parse_hex(s, v)) return false;
  if (v == 0) {  // any thread
    index = static_cast<long>(g_thread_);
    return true;
  }
  if (v > procs_.size()) return false;
  index = static_cast<long>(v - 1);
  return true;
}

std::vector<std::string> GdbSession::handle(const std::string& p) {
  if (procs_.empty()) return {"E01"};
  if (p.empty()) return {""};
  switch (p[0]) {
    case '?':
      return {last_stop_};
    case 'g':
      return {read_registers()};
    case 'G':
      return {write_registers(p.substr(1))};
    case 'p': {
      uint64_t n = 0, v = 0;
      if (!parse_hex(p.substr(1), n) || n > 0xffffffff || !current().read_register(static_cast<unsigned>(n), v))
        return {"E01"};
      return {hex_le(v, 8)};
    }
    case 'P': {
      const size_t eq = p.find('=');
      uint64_t n = 0, v = 0;
      if (eq == std::string::npos || !parse_hex(p.substr(1, eq - 1), n) || n > 0xffffffff ||
          !parse_hex_le(p.substr(eq + 1), v) || !current().write_register(static_cast<unsigned>(n), v))
        return {"E01"};
      return {"OK"};
    }
    case 'm':
      return {read_memory(p.substr(1))};
    case 'M':
      return {write_memory(p.substr(1), false)};
    case 'X':
      return {write_memory(p.substr(1), true)};
    case 'c': case 'C': case 's': case 'S': {
      const bool step = p[0] == 's' || p[0] == 'S';
      // c [addr], Csig[;addr]: the optional address is the current thread's new pc.
      std::string addr = p.substr(1);
      if (p[0] == 'C' || p[0] == 'S') addr = addr.find(';') == std::string::npos ? "" : addr.substr(addr.find(';') + 1);
      uint64_t pc = 0;
      if (!addr.empty()) {
        if (!parse_hex(addr, pc)) return {"E01"};
        current(true).set_pc(pc);
      }
      return resume(step ? "vCont;s:" + hex_number(c_thread_ + 1) : "vCont;c");
    }
    case 'v':
      if (starts_with(p, "vCont?")) return {"vCont;c;C;s;S"};
      if (starts_with(p, "vCont;")) return resume(p);
      if (starts_with(p, "vKill")) {
        target_.end_run(130, "killed by the debugger");
        closing_ = ended_ = true;
        return {"OK"};
      }
      return {""};  // vMustReplyEmpty and anything unknown
    case 'H': {
      long idx = 0;
      if (p.size() < 2 || !parse_thread(p.substr(2), idx)) return {"E01"};
      if (p[1] == 'g') {
        if (idx >= 0) g_thread_ = static_cast<size_t>(idx);
      } else if (p[1] == 'c') {
        c_selection_ = idx;
        if (idx >= 0) c_thread_ = static_cast<size_t>(idx);
      } else {
        return {"E01"};
      }
      return {"OK"};
    }
    case 'T': {
      long idx = 0;
      return {parse_thread(p.substr(1), idx) && idx >= 0 ? "OK" : "E01"};
    }
    case 'q': case 'Q':
      return query(p);
    case 'Z':
      return breakpoint(p, true);
    case 'z':
      return breakpoint(p, false);
    case 'D':
      release();
      closing_ = true;
      return {"OK"};
    case 'k':
      target_.end_run(130, "killed by the debugger");
      closing_ = ended_ = true;
      return {};
    default:
      return {""};
  }
}

std::vector<std::string> GdbSession::query(const std::string& p) {
  if (starts_with(p, "qSupported")) {
    for (const auto& f : split(p.size() > 11 ? p.substr(11) : "", ';')) {
      if (f == "swbreak+") swbreak_ = true;
      if (f == "hwbreak+") hwbreak_ = true;
    }
    return {"PacketSize=" + hex_number(kPacketSize) +
            ";QStartNoAckMode+;qXfer:features:read+;qXfer:threads:read+;vContSupported+;swbreak+;hwbreak+"};
  }
  if (p == "QStartNoAckMode") {
    no_ack_ = true;
    return {"OK"};
  }
  if (p == "qAttached" || starts_with(p, "qAttached:")) return {"1"};
  if (p == "qC") return {"QC" + hex_number(g_thread_ + 1)};
  if (p == "qfThreadInfo") {
    std::string r = "m";
    for (size_t i = 0; i < procs_.size(); ++i) r += (i ? "," : "") + hex_number(i + 1);
    return {r};
  }
  if (p == "qsThreadInfo") return {"l"};
  if (starts_with(p, "qThreadExtraInfo,")) {
    long idx = 0;
    if (!parse_thread(p.substr(17), idx) || idx < 0) return {"E01"};
    return {hex_encode(names_[static_cast<size_t>(idx)])};
  }
  if (starts_with(p, "qXfer:features:read:")) {
    const std::string rest = p.substr(20);
    const size_t colon = rest.find(':');
    if (colon == std::string::npos || rest.substr(0, colon) != "target.xml") return {"E00"};
    return {xfer(xml_, rest.substr(colon + 1))};
  }
  if (starts_with(p, "qXfer:threads:read::")) {
    std::string xml = "<?xml version=\"1.0\"?>\n<threads>\n";
    for (size_t i = 0; i < procs_.size(); ++i)
      xml += "  <thread id=\"" + hex_number(i + 1) + "\" core=\"" + std::to_string(i) + "\" name=\"" + names_[i] +
             "\"/>\n";
    return {xfer(xml + "</threads>\n", p.substr(20))};
  }
  if (starts_with(p, "qRcmd,")) {
    std::string cmd;
    if (!hex_decode(p.substr(6), cmd)) return {"E01"};
    return monitor(cmd);
  }
  if (starts_with(p, "qSymbol")) return {"OK"};
  return {""};  // qOffsets, qTStatus, ... are not supported
}

std::vector<std::string> GdbSession::monitor(const std::string& command) {
  Replies out;
  auto say = [&out](const std::string& text) {
    for (size_t i = 0; i < text.size(); i += 512) out.push_back("O" + hex_encode(text.substr(i, 512)));
  };
  auto words = split(command, ' ');
  words.erase(std::remove(words.begin(), words.end(), ""), words.end());
  const std::string verb = words.empty() ? "help" : words[0];
  if (verb == "help") {
    say("vp monitor commands:\n"
        "  monitor status        where every hart is\n"
        "  monitor stats         the simulation's statistics\n"
        "  monitor phys [on|off] memory commands use physical addresses (on) or the hart's translation (off)\n"
        "  monitor quit          end the simulation (vp exits with 130)\n");
  } else if (verb == "status") {
    std::string s;
    for (auto* p : procs_) s += p->status_line() + "\n";
    say(s);
  } else if (verb == "stats") {
    say(target_.statistics());
  } else if (verb == "phys") {
    if (words.size() > 1) {
      if (words[1] != "on" && words[1] != "off") {
        say("usage: monitor phys [on|off]\n");
        out.push_back("OK");
        return out;
      }
      physical_ = words[1] == "on";
    }
    say(physical_ ? "memory accesses use physical addresses\n"
                  : "memory accesses use virtual addresses (the hart's current translation)\n");
  } else if (verb == "quit") {
    say("ending the simulation\n");
    target_.end_run(130, "quit from the debugger (monitor quit)");
    closing_ = ended_ = true;
  } else {
    say("unknown monitor command '" + verb + "'; try 'monitor help'\n");
  }
  out.push_back("OK");
  return out;
}

std::vector<std::string> GdbSession::breakpoint(const std::string& p, bool insert) {
  const auto fields = split(p.substr(1, p.find(';') - 1), ',');
  uint64_t type = 0, addr = 0, kind = 0;
  if (fields.size() != 3 || !parse_hex(fields[0], type) || !parse_hex(fields[1], addr) || !parse_hex(fields[2], kind))
    return {"E01"};
  using platform::WatchKind;
  static const WatchKind kinds[] = {WatchKind::kSoftware, WatchKind::kHardware, WatchKind::kWrite, WatchKind::kRead,
                                    WatchKind::kAccess};
  if (type > 4 || !procs_[0]->supports_debug()) return {""};
  const WatchKind k = kinds[type];
  const uint64_t len = type >= 2 ? std::max<uint64_t>(kind, 1) : 1;
  if (!insert) {
    for (auto* proc : procs_) proc->remove_watchpoint(k, addr, len);
    return {"OK"};
  }
  for (size_t i = 0; i < procs_.size(); ++i) {
    if (!procs_[i]->insert_watchpoint(k, addr, len)) {
      for (size_t j = 0; j < i; ++j) procs_[j]->remove_watchpoint(k, addr, len);
      return {"E01"};  // no trigger left
    }
  }
  return {"OK"};
}

std::string GdbSession::read_registers() {
  std::string out;
  for (unsigned n : g_regs_) {
    uint64_t v = 0;
    out += current().read_register(n, v) ? hex_le(v, 8) : std::string(16, 'x');
  }
  return out;
}

std::string GdbSession::write_registers(const std::string& hex) {
  if (hex.size() % 16 || hex.size() / 16 > g_regs_.size()) return "E01";
  for (size_t i = 0; i < hex.size() / 16; ++i) {
    uint64_t v = 0;
    if (!parse_hex_le(hex.substr(16 * i, 16), v)) return "E01";
    current().write_register(g_regs_[i], v);
  }
  return "OK";
}

std::string GdbSession::read_memory(const std::string& args) {
  uint64_t addr = 0, len = 0;
  if (!parse_addr_len(args, addr, len)) return "E01";
  len = std::min<uint64_t>(len, kMaxMemory);
  std::string buf(len, '\0');
  const size_t got = current().read_memory(addr, buf.data(), len, physical_);
  if (got == 0 && len) return "E14";  // EFAULT
  return hex_encode(buf.data(), got);
}

std::string GdbSession::write_memory(const std::string& args, bool binary) {
  uint64_t addr = 0, len = 0;
  const size_t colon = args.find(':');
  if (colon == std::string::npos || !parse_addr_len(args, addr, len)) return "E01";
  std::string data;
  const bool ok = binary ? unescape_binary(args.substr(colon + 1), data) : hex_decode(args.substr(colon + 1), data);
  if (!ok || data.size() != len) return "E01";
  if (len == 0) return "OK";  // X with no data: GDB probing for binary downloads
  const size_t done = current().write_memory(addr, data.data(), len, physical_);
  code_written(addr, done);
  return done == len ? "OK" : "E14";
}

// The other processors forget code they decoded from the bytes just written.
void GdbSession::code_written(uint64_t addr, size_t len) {
  for (size_t off = 0; off < len;) {
    const size_t n = std::min<size_t>(len - off, 4096 - ((addr + off) & 0xfff));
    uint64_t pa = addr + off;
    if (physical_ || current().translate(addr + off, pa))
      for (auto* p : procs_)
        if (p != &current()) p->code_modified(pa, n);
    off += n;
  }
}

// vCont;action[:thread]... (E.2): the first action that names a thread, or
// has no thread, applies to it; a thread no action applies to stays stopped.
std::vector<std::string> GdbSession::resume(const std::string& p) {
  if (ended_) return {"E01"};
  const auto actions = split(p.substr(6), ';');
  std::vector<char> what(procs_.size(), 0);
  for (const auto& a : actions) {
    if (a.empty() || std::string("cCsSt").find(a[0]) == std::string::npos) return {"E01"};
    long idx = -1;
    const size_t colon = a.find(':');
    if (colon != std::string::npos && !parse_thread(a.substr(colon + 1), idx)) return {"E01"};
    for (size_t i = 0; i < procs_.size(); ++i)
      if (!what[i] && (idx < 0 || static_cast<size_t>(idx) == i)) what[i] = a[0];
  }
  if (!pending_.empty()) {  // a stop that happened with the last one is reported now
    auto [i, stop] = pending_.front();
    pending_.pop_front();
    return {stop_reply(i, stop)};
  }
  for (size_t i = 0; i < procs_.size(); ++i) {
    const char w = what[i];
    procs_[i]->set_debug_hold(w == 0 || w == 't');
    procs_[i]->set_single_step(w == 's' || w == 'S');
    if (w == 's' || w == 'S') c_thread_ = i;
  }
  running_ = true;
  return {};
}

std::vector<std::string> GdbSession::on_slice(const SliceResult& r) {
  if (!running_ || r.kind == SliceResult::Kind::kRunning) return {};
  if (r.kind == SliceResult::Kind::kPaused) return report_pause(r.reason);
  running_ = false;
  ended_ = true;
  release();
  char code[8];
  std::snprintf(code, sizeof code, "W%02x", r.exit_code & 0xff);
  last_stop_ = code;
  return {"O" + hex_encode("vp: " + r.reason + "\n"), last_stop_};
}

std::vector<std::string> GdbSession::report_pause(const std::string& reason) {
  running_ = false;
  std::vector<std::pair<size_t, platform::DebugStop>> stops;
  for (size_t i = 0; i < procs_.size(); ++i) {
    procs_[i]->set_single_step(false);
    procs_[i]->set_debug_hold(false);
    platform::DebugStop s = procs_[i]->take_debug_stop();
    if (s.kind != platform::DebugStop::Kind::kNone) stops.emplace_back(i, s);
  }
  Replies out;
  if (stops.empty()) {
    platform::DebugStop s;
    s.kind = platform::DebugStop::Kind::kOther;
    s.reason = reason;
    stops.emplace_back(c_thread_, s);
  }
  for (size_t k = 1; k < stops.size(); ++k) pending_.push_back(stops[k]);
  const auto& [i, s] = stops.front();
  if (s.kind == platform::DebugStop::Kind::kStuck || s.kind == platform::DebugStop::Kind::kOther)
    out.push_back("O" + hex_encode("vp: " + s.reason + "\n"));
  out.push_back(stop_reply(i, s));
  return out;
}

std::vector<std::string> GdbSession::interrupt() {
  if (!running_) return {};
  running_ = false;
  for (auto* p : procs_) {
    p->set_single_step(false);
    p->set_debug_hold(false);
  }
  last_stop_ = "T02thread:" + hex_number(c_thread_ + 1) + ";";  // SIGINT
  g_thread_ = c_thread_;
  return {last_stop_};
}

std::string GdbSession::stop_reply(size_t i, const platform::DebugStop& s) {
  g_thread_ = c_thread_ = i;
  std::string r = "T05thread:" + hex_number(i + 1) + ";";  // SIGTRAP
  using K = platform::DebugStop::Kind;
  if (s.kind == K::kBreakpoint) {
    if (s.hardware && hwbreak_) r += "hwbreak:;";
    if (!s.hardware && swbreak_) r += "swbreak:;";
  } else if (s.kind == K::kWatchpoint) {
    const char* what = s.watch == platform::WatchKind::kRead ? "rwatch" : s.watch == platform::WatchKind::kAccess
                                                                             ? "awatch" : "watch";
    r += std::string(what) + ":" + hex_number(s.addr) + ";";
  }
  last_stop_ = r;
  return r;
}

void GdbSession::release() {
  for (auto* p : procs_) {
    p->remove_all_watchpoints();
    p->set_debug_hold(false);
    p->set_single_step(false);
  }
  pending_.clear();
}

}  // namespace vp::debug
