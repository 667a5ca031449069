#pragma once
#include <functional>
#include <string>
#include <vector>

#include "platform/trace_events.h"

namespace vp::platform {

// Level-sensitive interrupt input. The owning model installs a handler that
// runs immediately when the level changes (no delta cycle, so a loosely-timed
// initiator sees a device's interrupt in the same quantum it caused it).
class IrqIn {
 public:
  using Handler = std::function<void(bool level)>;

  void on_change(Handler handler) { handler_ = std::move(handler); }
  void set(bool level) {
    if (level == level_) return;
    level_ = level;
    if (handler_) handler_(level);
  }
  bool level() const { return level_; }
  bool driven() const { return driven_; }
  void mark_driven() { driven_ = true; }

 private:
  Handler handler_;
  bool level_ = false;
  bool driven_ = false;
};

// Level-sensitive interrupt output; the builder binds it to inputs named in YAML.
class IrqOut {
 public:
  void bind(IrqIn& sink) {
    sink.mark_driven();
    sinks_.push_back(&sink);
    sink.set(level_);
  }
  void set(bool level) {
    if (level == level_) return;
    level_ = level;
    if (TraceEvents::enabled() && !name_.empty())
      TraceEvents::global().counter("interrupt lines", name_, TraceEvents::now_ps(), level);
    for (IrqIn* s : sinks_) s->set(level);
  }
  // "uart0.irq": how trace events name the line (set by the builder).
  void set_name(const std::string& name) { name_ = name; }
  void raise() { set(true); }
  void lower() { set(false); }
  bool level() const { return level_; }
  bool bound() const { return !sinks_.empty(); }

 private:
  std::vector<IrqIn*> sinks_;
  bool level_ = false;
  std::string name_;
};

}  // namespace vp::platform
