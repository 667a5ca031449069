#pragma once
// NS16550A UART: 16-byte FIFOs, divisor latch, THRE / RX-data / RX-timeout /
// line-status interrupts with 16550 IIR priorities, loopback. Transmission is
// instantaneous for the guest (the bytes reach the host console together, once
// per poll period); received bytes enter the RX FIFO at a fixed poll period of
// simulated time, so a run does not depend on host speed for input that is
// already there (a stdin that is a regular file is read completely at start).
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "models/devices/console_backend.h"
#include "models/devices/mmio_target.h"

namespace vp::dev {

struct Ns16550Config {
  uint64_t clock_hz = 3'686'400;  // input clock; for the device tree and baud rate
  ConsoleKind console = ConsoleKind::Null;
  std::string console_file;  // ConsoleKind::File
  uint16_t port = 0;         // ConsoleKind::Tcp (0: any free port)
  unsigned reg_shift = 0;    // register stride = 1 << reg_shift bytes
  bool capture = false;      // keep transmitted bytes for take_output()
  sc_core::sc_time poll{100, sc_core::SC_US};  // RX delivery / character-timeout / TX flush period
  sc_core::sc_time latency{10, sc_core::SC_NS};
};

class Ns16550 : public MmioTarget {
 public:
  static constexpr uint64_t kSize = 0x100;
  static constexpr size_t kFifoDepth = 16;

  // Register indices (offset >> reg_shift).      DLAB=1 variant
  static constexpr unsigned kRbrThr = 0;  // RBR (r), THR (w)  DLL
  static constexpr unsigned kIer = 1;     //                   DLM
  static constexpr unsigned kIirFcr = 2;  // IIR (r), FCR (w)
  static constexpr unsigned kLcr = 3;
  static constexpr unsigned kMcr = 4;
  static constexpr unsigned kLsr = 5;
  static constexpr unsigned kMsr = 6;
  static constexpr unsigned kScr = 7;

  // IER
  static constexpr uint8_t kIerRda = 0x01;   // received data available
  static constexpr uint8_t kIerThre = 0x02;  // transmitter holding register empty
  static constexpr uint8_t kIerRls = 0x04;   // receiver line status
  static constexpr uint8_t kIerMs = 0x08;    // modem status
  // IIR (interrupt identification, bits 3:0) and FIFO-enabled bits 7:6
  static constexpr uint8_t kIirNone = 0x01;
  static constexpr uint8_t kIirMs = 0x00;
  static constexpr uint8_t kIirThre = 0x02;
  static constexpr uint8_t kIirRda = 0x04;
  static constexpr uint8_t kIirRls = 0x06;
  static constexpr uint8_t kIirTimeout = 0x0c;
  static constexpr uint8_t kIirFifos = 0xc0;
  // FCR
  static constexpr uint8_t kFcrEnable = 0x01;
  static constexpr uint8_t kFcrClearRx = 0x02;
  static constexpr uint8_t kFcrClearTx = 0x04;
  static constexpr uint8_t kFcrTrigger = 0xc0;  // RX trigger level 1/4/8/14
  // LCR
  static constexpr uint8_t kLcrDlab = 0x80;
  // MCR
  static constexpr uint8_t kMcrDtr = 0x01, kMcrRts = 0x02, kMcrOut1 = 0x04, kMcrOut2 = 0x08;
  static constexpr uint8_t kMcrLoop = 0x10;
  // LSR
  static constexpr uint8_t kLsrDr = 0x01;    // data ready
  static constexpr uint8_t kLsrOe = 0x02;    // overrun error
  static constexpr uint8_t kLsrThre = 0x20;  // THR empty
  static constexpr uint8_t kLsrTemt = 0x40;  // transmitter empty
  // MSR
  static constexpr uint8_t kMsrCts = 0x10, kMsrDsr = 0x20, kMsrRi = 0x40, kMsrDcd = 0x80;

  platform::IrqOut irq;  // "irq"

  Ns16550(const sc_core::sc_module_name& name, const Ns16550Config& config = {});
  ~Ns16550() override;

  const Ns16550Config& config() const { return config_; }
  // Everything transmitted since the last call (only with capture: true).
  std::string take_output();
  // Bytes as if received on the line; they enter the RX FIFO at the next polls.
  void inject_input(const std::string& bytes);
  // TCP port listened on (console: tcp), else 0.
  uint16_t tcp_port() const { return backend_->port(); }

  // Registers, the RX FIFO and input not yet delivered (the console itself is the host's).
  bool save_state(platform::StateWriter& out) const override;
  void restore_state(platform::StateReader& in) override;

 protected:
  // 1-byte accesses to any register; accesses of 2 or 4 bytes at a register
  // offset when the stride (1 << reg_shift) is at least that wide (upper bytes
  // read 0, writes use the low byte). Other sizes and offsets past the eight
  // registers -> TLM_ADDRESS_ERROR_RESPONSE.
  bool read(uint64_t offset, uint8_t* data, unsigned len, bool debug,
            const sc_core::sc_time& now) override;
  bool write(uint64_t offset, const uint8_t* data, unsigned len, bool debug,
             const sc_core::sc_time& now) override;

 private:
  bool decode(uint64_t offset, unsigned len, unsigned& reg, bool& padding) const;
  uint8_t read_reg(unsigned reg, bool debug);
  void write_reg(unsigned reg, uint8_t value);
  void transmit(uint8_t byte);
  void receive(uint8_t byte);
  size_t rx_capacity() const { return (fcr_ & kFcrEnable) ? kFifoDepth : 1; }
  size_t rx_trigger() const;
  uint8_t iir() const;
  void update_irq();
  void poll();

  Ns16550Config config_;
  ByteQueue input_;
  std::unique_ptr<ConsoleBackend> backend_;
  std::string captured_;

  std::deque<uint8_t> rx_;
  uint8_t ier_ = 0, fcr_ = 0, lcr_ = 0, mcr_ = 0, lsr_ = kLsrThre | kLsrTemt, scr_ = 0;
  uint8_t dll_ = 0, dlm_ = 0;
  bool thre_pending_ = false;  // THRE interrupt condition (cleared by IIR read / THR write)
  bool rx_timeout_ = false;    // character timeout indication
  bool rx_activity_ = false;   // RX byte delivered or read since the last poll
};

}  // namespace vp::dev
