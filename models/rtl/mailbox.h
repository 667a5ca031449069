#pragma once
// vhost-style mailbox (`dev.mailbox`): the guest (firmware on a hart, or an
// RTL master) writes a request block into guest memory, writes its address to
// REQUEST and rings DOORBELL; the platform serves the request at once (EXIT,
// PRINT, MEMMOVE, MEMSET, MEMCMP, CALL) through the component's own initiator
// socket `mem` (debug transport, bound to the bus) and writes the status and
// result back into the block. Layout and codes: docs/rtl.md.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/devices/mmio_target.h"

namespace vp::rtl {

namespace mbox {
// Registers (byte offsets in the 4 KiB window; 32-bit, REQUEST and RESULT also 64-bit).
constexpr uint64_t kId = 0x00;        // R   0x584f424d ("MBOX")
constexpr uint64_t kRequest = 0x08;   // R/W guest address of the request block (lo at 0x08, hi at 0x0c)
constexpr uint64_t kDoorbell = 0x10;  // W   any value: serve the request at REQUEST
constexpr uint64_t kStatus = 0x14;    // R   status of the last request
constexpr uint64_t kResult = 0x18;    // R   result of the last request (lo at 0x18, hi at 0x1c)
constexpr uint64_t kCount = 0x20;     // R   requests served
constexpr uint32_t kMagic = 0x584f424d;
constexpr uint64_t kSize = 0x1000;

// Request block in guest memory (little-endian, 64 bytes).
constexpr uint64_t kBlockCommand = 0x00;  // u32, written by the guest
constexpr uint64_t kBlockStatus = 0x04;   // u32, written by the platform
constexpr uint64_t kBlockResult = 0x08;   // u64, written by the platform
constexpr uint64_t kBlockArgs = 0x10;     // u64 arg[6]
constexpr unsigned kArgs = 6;
constexpr uint64_t kBlockSize = 0x40;

enum Command : uint32_t { Exit = 1, Print = 2, Memmove = 3, Memset = 4, Memcmp = 5, Call = 6 };

enum Status : uint32_t {
  Ok = 0,
  BadCommand = 1,      // unknown command
  BadAddress = 2,      // a pointer range is not (fully) mapped
  TooLong = 3,         // length above max_length
  NoCallback = 4,      // CALL: no callback with that number or name
  CallbackFailed = 5,  // CALL: the callback threw
  BadArgument = 6,     // CALL: too many arguments, name too long
  BadBlock = 0xffffffff,  // the request block itself is unreadable (STATUS register only)
};
}  // namespace mbox

// What a CALL callback sees: its arguments and the guest's memory.
struct MailboxCall {
  std::vector<uint64_t> args;
  std::function<bool(uint64_t addr, void* data, size_t len)> read_memory;
  std::function<bool(uint64_t addr, const void* data, size_t len)> write_memory;
};
// Thrown by a callback to report a specific status (otherwise any exception
// becomes CallbackFailed).
struct MailboxError : std::runtime_error {
  MailboxError(uint32_t status, const std::string& what) : std::runtime_error(what), status(status) {}
  uint32_t status;
};
using MailboxCallback = std::function<uint64_t(MailboxCall&)>;

// Named, numbered callbacks that CALL reaches (C++ now, Python later).
// Thread-safe; a callback is copied out before it runs, so it may (un)register.
class MailboxCallbacks {
 public:
  static MailboxCallbacks& global();

  // Replaces an entry with the same number; a name already used by another number throws.
  void add(uint32_t id, const std::string& name, MailboxCallback fn);
  bool remove(uint32_t id);
  void clear();
  std::optional<MailboxCallback> find(uint32_t id) const;
  std::optional<MailboxCallback> find(const std::string& name) const;
  std::optional<uint32_t> id_of(const std::string& name) const;
  std::vector<std::pair<uint32_t, std::string>> list() const;

 private:
  struct Entry {
    std::string name;
    MailboxCallback fn;
  };
  mutable std::mutex mutex_;
  std::map<uint32_t, Entry> entries_;
};

struct MailboxConfig {
  sc_core::sc_time latency{10, sc_core::SC_NS};
  uint64_t max_length = 64ull << 20;  // MEMMOVE/MEMSET/MEMCMP/PRINT
  unsigned max_call_args = 16;
  FILE* output = stdout;              // PRINT
};

class Mailbox : public dev::MmioTarget, public tlm::tlm_bw_transport_if<> {
 public:
  platform::InitiatorSocket mem{"mem"};

  Mailbox(const sc_core::sc_module_name& name, const MailboxConfig& config = {});

  uint64_t requests() const { return count_; }
  uint32_t last_status() const { return status_; }
  uint64_t last_result() const { return result_; }
  // Serves the request block at `block` (what a DOORBELL write does).
  void serve(uint64_t block);

  // tlm_bw_transport_if (the `mem` socket)
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_core::sc_time&) override {
    return tlm::TLM_COMPLETED;
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}

 protected:
  bool read(uint64_t offset, uint8_t* data, unsigned len, bool debug, const sc_core::sc_time& now) override;
  bool write(uint64_t offset, const uint8_t* data, unsigned len, bool debug, const sc_core::sc_time& now) override;

 private:
  bool mem_read(uint64_t addr, void* data, uint64_t len);
  bool mem_write(uint64_t addr, const void* data, uint64_t len);
  bool probe(uint64_t addr, uint64_t len);
  uint32_t execute(uint32_t command, const uint64_t* arg, uint64_t& result);

  MailboxConfig config_;
  uint64_t request_ = 0;
  uint32_t status_ = 0;
  uint64_t result_ = 0;
  uint64_t count_ = 0;
};

}  // namespace vp::rtl
