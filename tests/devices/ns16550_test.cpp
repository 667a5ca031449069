// NS16550A UART driven at register level through its target socket.
#include "models/devices/ns16550.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/devices/sc_test_main.h"
#include "tests/support/test_initiator.h"

using namespace sc_core;
using vp::dev::Ns16550;
using vp::dev::Ns16550Config;
using vp::test::make;
using vp::test::TestInitiator;

namespace {

enum : uint64_t { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

struct Bench {
  Ns16550& uart;
  TestInitiator& cpu;
};

Bench bench(Ns16550Config config = {}) {
  config.capture = true;
  auto& uart = make<Ns16550>("uart", config);
  auto& cpu = make<TestInitiator>("cpu");
  cpu.socket.bind(uart.socket);
  sc_start(SC_ZERO_TIME);  // elaborate
  return {uart, cpu};
}

TEST(Ns16550, ResetValues) {
  auto [uart, cpu] = bench();
  EXPECT_EQ(cpu.read8(IER), 0x00);
  EXPECT_EQ(cpu.read8(IIR), 0x01);  // no interrupt pending, FIFOs off
  EXPECT_EQ(cpu.read8(LCR), 0x00);
  EXPECT_EQ(cpu.read8(MCR), 0x00);
  EXPECT_EQ(cpu.read8(LSR), 0x60);  // THRE | TEMT
  EXPECT_EQ(cpu.read8(MSR), 0xb0);  // DCD | DSR | CTS
  EXPECT_EQ(cpu.read8(SCR), 0x00);
  EXPECT_FALSE(uart.irq.level());
}

TEST(Ns16550, DivisorLatch) {
  auto [uart, cpu] = bench();
  cpu.write8(IER, 0x05);
  cpu.write8(LCR, 0x83);  // DLAB, 8N1
  cpu.write8(DLL, 0x0c);
  cpu.write8(DLM, 0x01);
  EXPECT_EQ(cpu.read8(DLL), 0x0c);
  EXPECT_EQ(cpu.read8(DLM), 0x01);
  cpu.write8(LCR, 0x03);
  EXPECT_EQ(cpu.read8(LCR), 0x03);
  EXPECT_EQ(cpu.read8(IER), 0x05);  // IER unaffected by the latch writes
  EXPECT_EQ(uart.take_output(), "");  // DLL write did not transmit
}

TEST(Ns16550, TransmitAppearsInOutput) {
  auto [uart, cpu] = bench();
  for (char c : std::string("hi\n")) cpu.write8(THR, uint8_t(c));
  EXPECT_EQ(uart.take_output(), "hi\n");
  EXPECT_EQ(uart.take_output(), "");
  EXPECT_EQ(cpu.read8(LSR) & 0x60, 0x60);
}

TEST(Ns16550, ThreInterrupt) {
  auto [uart, cpu] = bench();
  cpu.write8(IER, Ns16550::kIerThre);
  EXPECT_TRUE(uart.irq.level());
  EXPECT_EQ(cpu.read8(IIR), 0x02);
  EXPECT_FALSE(uart.irq.level());  // reading IIR cleared it
  EXPECT_EQ(cpu.read8(IIR), 0x01);
  cpu.write8(THR, 'x');  // the byte leaves at once: THR empty again
  EXPECT_TRUE(uart.irq.level());
  cpu.write8(IER, 0);
  EXPECT_FALSE(uart.irq.level());
}

TEST(Ns16550, ReceiveInOrder) {
  auto [uart, cpu] = bench();
  uart.inject_input("abc");
  EXPECT_EQ(cpu.read8(LSR) & Ns16550::kLsrDr, 0);  // not before the next poll
  sc_start(101, SC_US);  // the poll at 100us delivers one byte (FIFOs off)
  ASSERT_EQ(cpu.read8(LSR) & Ns16550::kLsrDr, Ns16550::kLsrDr);
  EXPECT_EQ(cpu.read8(RBR), 'a');
  EXPECT_EQ(cpu.read8(LSR) & Ns16550::kLsrDr, 0);
  sc_start(100, SC_US);
  EXPECT_EQ(cpu.read8(RBR), 'b');
  sc_start(100, SC_US);
  EXPECT_EQ(cpu.read8(RBR), 'c');
  sc_start(100, SC_US);
  EXPECT_EQ(cpu.read8(LSR) & Ns16550::kLsrDr, 0);
}

TEST(Ns16550, ReceiveFifoAndInterrupts) {
  auto [uart, cpu] = bench();
  cpu.write8(FCR, 0x81);  // FIFO on, trigger level 8
  EXPECT_EQ(cpu.read8(IIR) & 0xc0, 0xc0);
  cpu.write8(IER, Ns16550::kIerRda);
  uart.inject_input("0123456789");
  sc_start(101, SC_US);  // one poll delivers all ten bytes
  EXPECT_TRUE(uart.irq.level());
  EXPECT_EQ(cpu.read8(IIR), 0xc4);  // RX data available (trigger reached)
  for (char c : std::string("012")) EXPECT_EQ(cpu.read8(RBR), uint8_t(c));
  EXPECT_EQ(cpu.read8(IIR), 0xc1);  // 7 bytes < trigger: no interrupt yet
  EXPECT_FALSE(uart.irq.level());
  sc_start(200, SC_US);  // below the trigger for a poll period: character timeout
  EXPECT_EQ(cpu.read8(IIR), 0xcc);
  EXPECT_TRUE(uart.irq.level());
  std::string rest;
  while (cpu.read8(LSR) & Ns16550::kLsrDr) rest.push_back(char(cpu.read8(RBR)));
  EXPECT_EQ(rest, "3456789");
  EXPECT_EQ(cpu.read8(IIR), 0xc1);
  EXPECT_FALSE(uart.irq.level());
  cpu.write8(FCR, 0x00);
  EXPECT_EQ(cpu.read8(IIR) & 0xc0, 0x00);
}

TEST(Ns16550, InterruptPriorityRxOverThre) {
  auto [uart, cpu] = bench();
  cpu.write8(IER, Ns16550::kIerRda | Ns16550::kIerThre);
  uart.inject_input("z");
  sc_start(101, SC_US);
  EXPECT_EQ(cpu.read8(IIR), 0x04);  // RX data outranks THRE
  EXPECT_EQ(cpu.read8(RBR), 'z');
  EXPECT_EQ(cpu.read8(IIR), 0x02);
  EXPECT_EQ(cpu.read8(IIR), 0x01);
}

TEST(Ns16550, Loopback) {
  auto [uart, cpu] = bench();
  cpu.write8(FCR, 0x01);
  cpu.write8(MCR, Ns16550::kMcrLoop | Ns16550::kMcrRts | Ns16550::kMcrOut2);
  EXPECT_EQ(cpu.read8(MSR), Ns16550::kMsrCts | Ns16550::kMsrDcd);
  cpu.write8(THR, 'L');
  EXPECT_EQ(uart.take_output(), "");
  EXPECT_EQ(cpu.read8(LSR) & Ns16550::kLsrDr, Ns16550::kLsrDr);
  EXPECT_EQ(cpu.read8(RBR), 'L');
}

TEST(Ns16550, ScratchAndDebugAccess) {
  auto [uart, cpu] = bench();
  cpu.write8(SCR, 0xa5);
  EXPECT_EQ(cpu.read8(SCR), 0xa5);
  uart.inject_input("q");
  sc_start(101, SC_US);
  uint8_t byte = 0;
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, RBR, &byte, 1), 1u);
  EXPECT_EQ(byte, 'q');
  EXPECT_EQ(cpu.read8(LSR) & Ns16550::kLsrDr, Ns16550::kLsrDr);  // debug read did not pop
  EXPECT_EQ(cpu.read8(RBR), 'q');
}

TEST(Ns16550, AccessRulesAndLatency) {
  auto [uart, cpu] = bench();
  tlm::tlm_response_status status;
  cpu.read<uint32_t>(0, &status);
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);  // stride 1: byte accesses only
  cpu.read<uint8_t>(0x08, &status);
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);  // past the eight registers
  cpu.delay = SC_ZERO_TIME;
  cpu.read8(SCR);
  EXPECT_EQ(cpu.delay, sc_time(10, SC_NS));
}

TEST(Ns16550, RegShift2) {
  Ns16550Config config;
  config.reg_shift = 2;
  auto [uart, cpu] = bench(config);
  cpu.write32(SCR * 4, 0x1234'5678);
  EXPECT_EQ(cpu.read32(SCR * 4), 0x78u);
  EXPECT_EQ(cpu.read8(SCR * 4), 0x78);
  EXPECT_EQ(cpu.read8(SCR * 4 + 1), 0x00);  // upper byte of the 32-bit register
  EXPECT_EQ(cpu.read32(LSR * 4), 0x60u);
  cpu.write32(THR, 'k');
  EXPECT_EQ(uart.take_output(), "k");
}

// Runs the simulation in poll periods until the UART has received a byte
// (host threads deliver asynchronously) or a second of host time has passed.
bool wait_for_rx(TestInitiator& cpu) {
  for (int i = 0; i < 1000; ++i) {
    if (cpu.read8(LSR) & Ns16550::kLsrDr) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    sc_start(100, SC_US);
  }
  return false;
}

// Runs the simulation past the next poll (sc_start stops before the events at its end time).
void next_poll(const Ns16550Config& config) { sc_start(config.poll + sc_time(1, SC_NS)); }

// A UART whose console is the file at `path`.
Ns16550Config file_console(const std::string& path) {
  Ns16550Config config;
  config.console = vp::dev::ConsoleKind::File;
  config.console_file = path;
  return config;
}

std::string file_text(const std::string& path) {
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  return text.str();
}

TEST(Ns16550, FileConsole) {
  const std::string path = "/tmp/vp_ns16550_test_" + std::to_string(getpid()) + ".txt";
  const Ns16550Config config = file_console(path);
  auto [uart, cpu] = bench(config);
  for (char c : std::string("to file")) cpu.write8(THR, uint8_t(c));
  next_poll(config);  // the bytes reach the host at the next poll
  EXPECT_EQ(file_text(path), "to file");
  EXPECT_EQ(uart.take_output(), "to file");  // captured as well
  unlink(path.c_str());
}

// Transmitted bytes are handed to the host together, once per poll period: none
// is lost or reordered, whatever the period's boundaries, and more than the
// backend holds back at once (4 KiB) goes out on its own.
TEST(Ns16550, FileConsoleAcrossPollPeriods) {
  const std::string path = "/tmp/vp_ns16550_test_periods_" + std::to_string(getpid()) + ".txt";
  const Ns16550Config config = file_console(path);
  auto [uart, cpu] = bench(config);
  auto file = [&] { return file_text(path); };
  std::string sent;
  for (int period = 0; period < 3; ++period) {
    for (int i = 0; i < 5; ++i) {
      const char c = char('a' + period * 5 + i);
      cpu.write8(THR, uint8_t(c));
      sent += c;
    }
    next_poll(config);
    EXPECT_EQ(file(), sent);
  }
  const std::string big(5000, 'z');
  for (char c : big) cpu.write8(THR, uint8_t(c));
  EXPECT_GE(file().size(), sent.size() + 4096);  // the first 4 KiB without waiting for the poll
  next_poll(config);
  EXPECT_EQ(file(), sent + big);
  unlink(path.c_str());
}

TEST(Ns16550, StdioConsoleWithPipes) {
  int in[2], out[2];
  ASSERT_EQ(pipe(in), 0);
  ASSERT_EQ(pipe(out), 0);
  dup2(in[0], STDIN_FILENO);
  dup2(out[1], STDOUT_FILENO);
  ASSERT_EQ(write(in[1], "xy", 2), 2);
  close(in[1]);
  Ns16550Config config;
  config.console = vp::dev::ConsoleKind::Stdio;
  auto [uart, cpu] = bench(config);
  ASSERT_TRUE(wait_for_rx(cpu));
  EXPECT_EQ(cpu.read8(RBR), 'x');
  ASSERT_TRUE(wait_for_rx(cpu));
  EXPECT_EQ(cpu.read8(RBR), 'y');
  cpu.write8(THR, 'o');
  cpu.write8(THR, 'k');
  next_poll(config);  // the bytes reach the host at the next poll
  char buf[2] = {};
  ASSERT_EQ(read(out[0], buf, 2), 2);
  EXPECT_EQ(std::string(buf, 2), "ok");
}

TEST(Ns16550, TcpConsole) {
  Ns16550Config config;
  config.console = vp::dev::ConsoleKind::Tcp;
  config.port = 0;  // any free port
  auto [uart, cpu] = bench(config);
  ASSERT_NE(uart.tcp_port(), 0);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(uart.tcp_port());
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(send(fd, "T", 1, 0), 1);
  ASSERT_TRUE(wait_for_rx(cpu));
  EXPECT_EQ(cpu.read8(RBR), 'T');
  cpu.write8(THR, 'R');  // the client is known to be accepted: it has sent data
  next_poll(config);  // the byte reaches the host at the next poll
  char c = 0;
  ASSERT_EQ(recv(fd, &c, 1, 0), 1);
  EXPECT_EQ(c, 'R');
  close(fd);
}

}  // namespace

VP_SC_TEST_MAIN
