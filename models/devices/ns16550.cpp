#include "models/devices/ns16550.h"

namespace vp::dev {

Ns16550::Ns16550(const sc_core::sc_module_name& name, const Ns16550Config& config)
    : MmioTarget(name, kSize, config.latency), config_(config) {
  ConsoleOptions options;
  options.kind = config_.console;
  options.file = config_.console_file;
  options.port = config_.port;
  options.name = this->name();
  backend_ = make_console(options, input_);
  expose_irq_out("irq", irq);
  SC_HAS_PROCESS(Ns16550);
  SC_METHOD(poll);
}

Ns16550::~Ns16550() = default;

std::string Ns16550::take_output() {
  std::string out;
  out.swap(captured_);
  return out;
}

void Ns16550::inject_input(const std::string& bytes) { input_.push(bytes.data(), bytes.size()); }

// Every poll period: move waiting host bytes into the RX FIFO (as far as it has
// room: the host side is flow-controlled, nothing is lost), raise the
// character timeout for bytes that sat below the trigger level for a period,
// and hand the bytes transmitted since the last poll to the host.
void Ns16550::poll() {
  if (!rx_activity_ && !rx_.empty() && rx_.size() < rx_trigger()) rx_timeout_ = true;
  rx_activity_ = false;
  uint8_t buf[kFifoDepth];
  if (!(mcr_ & kMcrLoop) && rx_.size() < rx_capacity()) {
    size_t n = input_.pop(buf, rx_capacity() - rx_.size());
    for (size_t i = 0; i < n; ++i) receive(buf[i]);
  }
  update_irq();
  backend_->flush();  // transmitted bytes reach the host once per period
  next_trigger(config_.poll);
}

size_t Ns16550::rx_trigger() const {
  static constexpr size_t kLevels[4] = {1, 4, 8, 14};
  return (fcr_ & kFcrEnable) ? kLevels[fcr_ >> 6] : 1;
}

void Ns16550::receive(uint8_t byte) {
  if (rx_.size() >= rx_capacity()) {
    lsr_ |= kLsrOe;  // overrun: the byte is lost
    return;
  }
  rx_.push_back(byte);
  rx_activity_ = true;
  rx_timeout_ = false;
}

void Ns16550::transmit(uint8_t byte) {
  if (mcr_ & kMcrLoop) {
    receive(byte);  // loopback: TX is wired to RX internally, nothing leaves
  } else {
    backend_->write(byte);
    if (config_.capture) captured_.push_back(char(byte));
  }
  thre_pending_ = true;  // the byte left at once: THR is empty again
}

// 16550 datasheet, IIR table: line status > RX data / timeout > THRE > modem status.
uint8_t Ns16550::iir() const {
  const uint8_t fifos = (fcr_ & kFcrEnable) ? kIirFifos : 0;
  if ((ier_ & kIerRls) && (lsr_ & kLsrOe)) return fifos | kIirRls;
  if ((ier_ & kIerRda) && rx_.size() >= rx_trigger()) return fifos | kIirRda;
  if ((ier_ & kIerRda) && rx_timeout_ && !rx_.empty()) return fifos | kIirTimeout;
  if ((ier_ & kIerThre) && thre_pending_) return fifos | kIirThre;
  return fifos | kIirNone;  // modem status changes are never signalled
}

void Ns16550::update_irq() { irq.set((iir() & 0x0f) != kIirNone); }

bool Ns16550::decode(uint64_t offset, unsigned len, unsigned& reg, bool& padding) const {
  const uint64_t stride = uint64_t(1) << config_.reg_shift;
  if (len != 1 && (len > stride || (len != 2 && len != 4) || offset % len)) return false;
  reg = unsigned(offset >> config_.reg_shift);
  padding = (offset & (stride - 1)) != 0;  // a byte of the register word above bit 7
  return reg < 8;
}

bool Ns16550::read(uint64_t offset, uint8_t* data, unsigned len, bool debug, const sc_core::sc_time&) {
  unsigned reg;
  bool padding;
  if (!decode(offset, len, reg, padding)) return false;
  store_le(data, len, padding ? 0 : read_reg(reg, debug));
  update_irq();
  return true;
}

bool Ns16550::write(uint64_t offset, const uint8_t* data, unsigned len, bool, const sc_core::sc_time&) {
  unsigned reg;
  bool padding;
  if (!decode(offset, len, reg, padding)) return false;
  if (!padding) write_reg(reg, data[0]);
  update_irq();
  return true;
}

uint8_t Ns16550::read_reg(unsigned reg, bool debug) {
  const bool dlab = lcr_ & kLcrDlab;
  switch (reg) {
    case kRbrThr: {
      if (dlab) return dll_;
      if (rx_.empty()) return 0;
      const uint8_t byte = rx_.front();
      if (!debug) {
        rx_.pop_front();
        rx_activity_ = true;
        rx_timeout_ = false;
      }
      return byte;
    }
    case kIer:
      return dlab ? dlm_ : ier_;
    case kIirFcr: {
      const uint8_t value = iir();
      if (!debug && (value & 0x0f) == kIirThre) thre_pending_ = false;  // reading IIR clears THRE
      return value;
    }
    case kLcr:
      return lcr_;
    case kMcr:
      return mcr_;
    case kLsr: {
      const uint8_t value = lsr_ | (rx_.empty() ? 0 : kLsrDr);
      if (!debug) lsr_ &= uint8_t(~kLsrOe);  // error bits clear on read
      return value;
    }
    case kMsr:
      if (mcr_ & kMcrLoop)  // loopback: modem inputs follow the outputs
        return uint8_t(((mcr_ & kMcrRts) ? kMsrCts : 0) | ((mcr_ & kMcrDtr) ? kMsrDsr : 0) |
                       ((mcr_ & kMcrOut1) ? kMsrRi : 0) | ((mcr_ & kMcrOut2) ? kMsrDcd : 0));
      return kMsrDcd | kMsrDsr | kMsrCts;  // a terminal is always attached
    case kScr:
      return scr_;
  }
  return 0;
}

void Ns16550::write_reg(unsigned reg, uint8_t value) {
  const bool dlab = lcr_ & kLcrDlab;
  switch (reg) {
    case kRbrThr:
      if (dlab) {
        dll_ = value;
      } else {
        thre_pending_ = false;  // writing THR clears the THRE interrupt...
        transmit(value);        // ...which returns as soon as the byte has left
      }
      break;
    case kIer:
      if (dlab) {
        dlm_ = value;
      } else {
        // Enabling ETBEI while THR is empty raises THRE at once (as 16550A and QEMU do).
        if ((value & kIerThre) && !(ier_ & kIerThre)) thre_pending_ = true;
        ier_ = value & 0x0f;
      }
      break;
    case kIirFcr:
      if ((value ^ fcr_) & kFcrEnable) rx_.clear();  // switching FIFO mode clears the FIFOs
      if (value & kFcrClearRx) {
        rx_.clear();
        rx_timeout_ = false;
      }
      fcr_ = value & (kFcrEnable | kFcrTrigger);  // the clear bits self-clear
      if (!(fcr_ & kFcrEnable)) fcr_ = 0;
      break;
    case kLcr:
      lcr_ = value;
      break;
    case kMcr:
      mcr_ = value & 0x1f;
      break;
    case kLsr:
    case kMsr:
      break;  // read-only (factory test writes are ignored)
    case kScr:
      scr_ = value;
      break;
  }
}

}  // namespace vp::dev

namespace vp::dev {

// Input still queued in the console backend's ByteQueue belongs to the host
// (the terminal or file feeding it), so it is not part of the state.
bool Ns16550::save_state(platform::StateWriter& out) const {
  out.tag("ns16550/1");
  const uint8_t regs[] = {ier_, fcr_, lcr_, mcr_, lsr_, scr_, dll_, dlm_};
  out.bytes(regs, sizeof regs);
  out.boolean(thre_pending_);
  out.boolean(rx_timeout_);
  out.boolean(rx_activity_);
  out.u64(rx_.size());
  for (const uint8_t b : rx_) out.u8(b);
  return true;
}

void Ns16550::restore_state(platform::StateReader& in) {
  in.tag("ns16550/1");
  uint8_t regs[8];
  in.bytes(regs, sizeof regs);
  ier_ = regs[0] & 0x0f;
  fcr_ = regs[1];
  lcr_ = regs[2];
  mcr_ = regs[3] & 0x1f;
  lsr_ = regs[4];
  scr_ = regs[5];
  dll_ = regs[6];
  dlm_ = regs[7];
  thre_pending_ = in.boolean();
  rx_timeout_ = in.boolean();
  rx_activity_ = in.boolean();
  const uint64_t n = in.count(kFifoDepth);
  rx_.clear();
  for (uint64_t i = 0; i < n; ++i) rx_.push_back(in.u8());
  update_irq();
}

}  // namespace vp::dev
