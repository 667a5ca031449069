#pragma once
// Whether the platform is idle: initiators that run on their own (harts, the
// PVM core) say when they sleep (wfi, waiting for a doorbell). When every one
// sleeps, only timers and devices make events, and simulated time would race
// ahead of the host clock; `vp run --idle realtime` paces those stretches
// (sc_main/runner.cpp). A plugin initiator that runs on its own holds an
// Activity too, or it counts as asleep.
namespace vp::platform {

class Activity {
 public:
  // Counted from construction (awake) to destruction. Not copyable.
  Activity();
  ~Activity();
  Activity(const Activity&) = delete;
  Activity& operator=(const Activity&) = delete;

  void set_asleep(bool asleep);
  bool asleep() const { return asleep_; }

  // Some initiator holds an Activity, and every one sleeps.
  static bool all_asleep();

 private:
  bool asleep_ = false;
};

}  // namespace vp::platform
