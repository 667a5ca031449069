#include "models/rtl/mailbox.h"

#include "platform/debug_access.h"
#include "platform/simulation.h"

namespace vp::rtl {

// The guest's memory as the mailbox reaches it: debug transport on `mem`;
// writes are reported as the mailbox's (DmaReporter).
class Mailbox::BusMemory : public GuestMemory {
 public:
  BusMemory(platform::InitiatorSocket& socket, const platform::DmaReporter& reporter)
      : socket_(socket), reporter_(reporter) {}
  bool read(uint64_t addr, void* data, uint64_t len) override {
    return platform::debug_transfer(socket_, tlm::TLM_READ_COMMAND, addr, data, len) == len;
  }
  bool write(uint64_t addr, const void* data, uint64_t len) override {
    return reporter_.debug_write(socket_, addr, data, len) == len;
  }

 private:
  platform::InitiatorSocket& socket_;
  const platform::DmaReporter& reporter_;
};

namespace {
MailboxEngineConfig engine_config(const MailboxConfig& c) {
  MailboxEngineConfig e;
  e.max_length = c.max_length;
  e.max_call_args = c.max_call_args;
  e.output = c.output;
  e.fs_root = c.fs_root;
  return e;
}
}  // namespace

Mailbox::Mailbox(const sc_core::sc_module_name& name, const MailboxConfig& config)
    : MmioTarget(name, mbox::kSize, config.latency),
      config_(config),
      bus_(std::make_unique<BusMemory>(mem, *this)),
      engine_(engine_config(config), [](int code) {
        platform::request_stop(code, "mailbox: exit " + std::to_string(code));
      }) {
  mem.bind(*this);
  expose_initiator("mem", mem);
}

Mailbox::~Mailbox() = default;

void Mailbox::serve(uint64_t block) {
  ++count_;
  uint64_t result = 0;
  status_ = engine_.serve(*bus_, block, result);
  result_ = result;
}

bool Mailbox::read(uint64_t offset, uint8_t* data, unsigned len, bool, const sc_core::sc_time&) {
  using namespace mbox;
  if (len != 4 && len != 8) return false;
  if (offset % len) return false;
  uint64_t v = 0;
  switch (offset) {
    case kId: v = kMagic; break;
    case kId + 4: v = 0; break;
    case kRequest: v = request_; break;
    case kRequest + 4: if (len != 4) return false; v = request_ >> 32; break;
    case kDoorbell: v = 0; break;
    case kStatus: if (len != 4) return false; v = status_; break;
    case kResult: v = result_; break;
    case kResult + 4: if (len != 4) return false; v = result_ >> 32; break;
    case kCount: v = count_; break;
    default: return false;
  }
  store_le(data, len, v);
  return true;
}

bool Mailbox::write(uint64_t offset, const uint8_t* data, unsigned len, bool debug, const sc_core::sc_time&) {
  using namespace mbox;
  if (len != 4 && len != 8) return false;
  if (offset % len) return false;
  const uint64_t v = load_le(data, len);
  switch (offset) {
    case kRequest:
      request_ = len == 8 ? v : (request_ & ~0xffffffffull) | v;
      return true;
    case kRequest + 4:
      if (len != 4) return false;
      request_ = (request_ & 0xffffffffull) | (v << 32);
      return true;
    case kDoorbell:
      if (len != 4) return false;
      if (!debug) serve(request_);  // a debugger poking the doorbell must not run commands
      return true;
    default:
      return false;  // read-only or no register
  }
}

bool Mailbox::save_state(platform::StateWriter& out) const {
  out.tag("mailbox/1");
  out.u64(request_);
  out.u32(status_);
  out.u64(result_);
  out.u64(count_);
  engine_.save_state(out);
  return true;
}

void Mailbox::restore_state(platform::StateReader& in) {
  in.tag("mailbox/1");
  const uint64_t request = in.u64();
  const uint32_t status = in.u32();
  const uint64_t result = in.u64();
  const uint64_t count = in.u64();
  engine_.restore_state(in);
  request_ = request;
  status_ = status;
  result_ = result;
  count_ = count;
}

}  // namespace vp::rtl
