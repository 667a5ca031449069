#include "platform/activity.h"

namespace vp::platform {
namespace {
// SystemC runs every process on one thread: plain counters suffice.
unsigned g_initiators = 0;
unsigned g_awake = 0;
}  // namespace

Activity::Activity() {
  ++g_initiators;
  ++g_awake;
}

Activity::~Activity() {
  --g_initiators;
  if (!asleep_) --g_awake;
}

void Activity::set_asleep(bool asleep) {
  if (asleep == asleep_) return;
  asleep_ = asleep;
  if (asleep) --g_awake;
  else ++g_awake;
}

bool Activity::all_asleep() { return g_initiators > 0 && g_awake == 0; }

}  // namespace vp::platform
