#include "models/devices/virtio_dma.h"

#include <algorithm>
#include <cstring>

namespace vp::dev {

VirtioDma::VirtioDma(const char* socket_name) : socket(socket_name) { socket.bind(*this); }

bool VirtioDma::read(uint64_t addr, void* dst, size_t len) {
  return access(false, addr, static_cast<uint8_t*>(dst), len);
}

bool VirtioDma::write(uint64_t addr, const void* src, size_t len) {
  // b_transport takes a non-const data pointer; a write does not modify it.
  return access(true, addr, const_cast<uint8_t*>(static_cast<const uint8_t*>(src)), len);
}

const tlm::tlm_dmi* VirtioDma::find_dmi(uint64_t addr, bool is_write) {
  auto usable = [&](const tlm::tlm_dmi& d) {
    return addr >= d.get_start_address() && addr <= d.get_end_address() &&
           (is_write ? d.is_write_allowed() : d.is_read_allowed());
  };
  for (const auto& d : regions_)
    if (usable(d)) return &d;
  tlm::tlm_generic_payload gp;
  gp.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  gp.set_address(addr);
  tlm::tlm_dmi dmi;
  if (!socket->get_direct_mem_ptr(gp, dmi) || !dmi.get_dmi_ptr() || !usable(dmi)) return nullptr;
  if (regions_.size() == kMaxRegions) regions_.pop_back();
  regions_.insert(regions_.begin(), dmi);
  return &regions_.front();
}

bool VirtioDma::access(bool is_write, uint64_t addr, uint8_t* data, size_t len) {
  if (len == 0) return true;
  if (addr + (len - 1) < addr) return false;  // wraps around the address space
  size_t done = 0;
  while (done < len) {
    const uint64_t at = addr + done;
    const size_t left = len - done;
    if (const tlm::tlm_dmi* d = find_dmi(at, is_write)) {
      const size_t n = size_t(std::min<uint64_t>(left, d->get_end_address() - at + 1));
      uint8_t* host = d->get_dmi_ptr() + (at - d->get_start_address());
      if (is_write) {
        std::memcpy(host, data + done, n);
        report_store(at, data + done, n);
      } else {
        std::memcpy(data + done, host, n);
      }
      done += n;
      continue;
    }
    // No DMI: one transaction per 4 KiB page, so none straddles two targets.
    const size_t n = size_t(std::min<uint64_t>(left, 0x1000 - (at & 0xfff)));
    tlm::tlm_generic_payload gp;
    gp.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(at);
    gp.set_data_ptr(data + done);
    gp.set_data_length(unsigned(n));
    gp.set_streaming_width(unsigned(n));
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    socket->b_transport(gp, delay);
    if (!gp.is_response_ok()) return false;
    if (is_write) report_store(at, data + done, n);
    done += n;
  }
  return true;
}

void VirtioDma::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
  regions_.erase(std::remove_if(regions_.begin(), regions_.end(),
                                [&](const tlm::tlm_dmi& d) {
                                  return d.get_start_address() <= end && d.get_end_address() >= start;
                                }),
                 regions_.end());
}

}  // namespace vp::dev
