#include "platform/debug_access.h"

#include <algorithm>

namespace vp::platform {

size_t debug_transfer(InitiatorSocket& socket, tlm::tlm_command command, uint64_t address, void* data,
                      size_t len) {
  if (address + len < address) len = size_t(0 - address);  // never wrap around the address space
  auto* bytes = static_cast<unsigned char*>(data);
  size_t done = 0;
  while (done < len) {
    const unsigned chunk = unsigned(std::min<size_t>(len - done, 1u << 20));
    tlm::tlm_generic_payload gp;
    gp.set_command(command);
    gp.set_address(address + done);
    gp.set_data_ptr(bytes + done);
    gp.set_data_length(chunk);
    gp.set_streaming_width(chunk);
    const unsigned n = socket->transport_dbg(gp);
    if (n == 0) break;
    done += n;
  }
  return done;
}

}  // namespace vp::platform
