#include "models/mem/ram.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace vp::mem {

Ram::Ram(const sc_core::sc_module_name& name, const RamConfig& config)
    : platform::Component(name), config_(config) {
  if (config_.size == 0) throw std::invalid_argument(std::string(this->name()) + ": size must not be 0");
  void* p = mmap(nullptr, config_.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    throw std::runtime_error(std::string(this->name()) + ": cannot reserve " + std::to_string(config_.size) +
                             " bytes: " + std::strerror(errno));
  data_ = static_cast<uint8_t*>(p);
  // Huge pages where the host has them: a guest touching fresh memory then costs one
  // page fault per 2 MiB instead of one per 4 KiB (page faults dominate a boot).
  madvise(p, config_.size, MADV_HUGEPAGE);
  socket.register_b_transport(this, &Ram::b_transport);
  socket.register_get_direct_mem_ptr(this, &Ram::get_direct_mem_ptr);
  socket.register_transport_dbg(this, &Ram::transport_dbg);
  expose_target("", socket, config_.size);
}

Ram::~Ram() {
  if (data_) munmap(data_, config_.size);
}

void Ram::invalidate_dmi() { socket->invalidate_direct_mem_ptr(0, config_.size - 1); }

void Ram::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  const uint64_t addr = gp.get_address();
  const uint64_t len = gp.get_data_length();
  if (addr >= config_.size || len > config_.size - addr) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (gp.get_byte_enable_ptr()) {
    gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  if (gp.get_streaming_width() != 0 && gp.get_streaming_width() < len) {
    gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  if (gp.is_read()) {
    std::memcpy(gp.get_data_ptr(), data_ + addr, len);
    delay += config_.read_latency;
  } else if (gp.is_write()) {
    if (config_.read_only) {
      gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
      return;
    }
    std::memcpy(data_ + addr, gp.get_data_ptr(), len);
    delay += config_.write_latency;
  }
  gp.set_dmi_allowed(true);
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

bool Ram::get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
  dmi.set_start_address(0);
  dmi.set_end_address(config_.size - 1);
  if (gp.get_address() >= config_.size) {
    dmi.allow_none();
    return false;
  }
  dmi.set_dmi_ptr(data_);
  dmi.set_read_latency(config_.read_latency);
  dmi.set_write_latency(config_.write_latency);
  if (config_.read_only) {
    dmi.allow_read();
    return !gp.is_write();
  }
  dmi.allow_read_write();
  return true;
}

unsigned Ram::transport_dbg(tlm::tlm_generic_payload& gp) {
  const uint64_t addr = gp.get_address();
  if (addr >= config_.size) return 0;
  const uint64_t len = std::min<uint64_t>(gp.get_data_length(), config_.size - addr);
  if (gp.is_read()) std::memcpy(gp.get_data_ptr(), data_ + addr, len);
  else if (gp.is_write()) write_sparse(addr, gp.get_data_ptr(), len);
  else return 0;
  return static_cast<unsigned>(len);
}

// Loaders zero-fill .bss through debug writes: whole host pages of zeros are
// returned to the kernel (they read back as zeros) instead of being committed,
// so the memory stays sparse.
void Ram::write_sparse(uint64_t addr, const uint8_t* src, uint64_t len) {
  static const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  static const std::vector<uint8_t> zero_page(page, 0);
  uint64_t done = 0;
  while (done < len) {
    const uint64_t at = addr + done;
    const uint64_t n = std::min(len - done, page - at % page);
    if (n == page && std::memcmp(src + done, zero_page.data(), page) == 0) {
      if (madvise(data_ + at, page, MADV_DONTNEED) != 0) std::memset(data_ + at, 0, page);
    } else {
      std::memcpy(data_ + at, src + done, n);
    }
    done += n;
  }
}

}  // namespace vp::mem
