#include "platform/dma.h"

#include "platform/debug_access.h"

namespace vp::platform {

size_t DmaReporter::debug_write(InitiatorSocket& socket, uint64_t pa, const void* data, size_t len) const {
  const size_t done = debug_transfer(socket, tlm::TLM_WRITE_COMMAND, pa, const_cast<void*>(data), len);
  report_store(pa, data, done);
  return done;
}

void DmaReporter::transport(InitiatorSocket& socket, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) const {
  socket->b_transport(gp, delay);
  if (gp.is_write() && gp.is_response_ok()) report_store(gp.get_address(), gp.get_data_ptr(), gp.get_data_length());
}

bool DmaReporter::direct_store_allowed(uint64_t pa, uint64_t len) const {
  if (!dma_monitor_) return true;
  if (dma_monitor_->observed()) return false;
  if (!dma_monitor_->watching() || len == 0) return true;
  constexpr unsigned kBits = ReservationMonitor::kPageBits;
  for (uint64_t page = pa >> kBits, last = (pa + len - 1) >> kBits; page <= last; ++page)
    if (dma_monitor_->page_watched(page)) return false;
  return true;
}

}  // namespace vp::platform
