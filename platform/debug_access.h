#pragma once
#include <cstddef>
#include <cstdint>

#include "platform/component.h"

namespace vp::platform {

// Moves len bytes through an initiator socket's debug transport, in chunks and
// across target windows. Returns the bytes transferred: less than len when
// the rest is unmapped or refuses debug access.
size_t debug_transfer(InitiatorSocket& socket, tlm::tlm_command command, uint64_t address, void* data,
                      size_t len);

}  // namespace vp::platform
