// virtio console (hvc0) behind the virtio-mmio transport: output through the
// transmit queue, host input into receive buffers, on the UART's backends.
#include "models/devices/virtio_console.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/devices/virtio_test_bench.h"

using namespace sc_core;
using vp::dev::ConsoleKind;
using vp::dev::VirtioConsole;
using vp::dev::VirtioConsoleConfig;
using vp::dev::VirtioMmio;
using vp::test::VirtioBench;
namespace virtio = vp::dev::virtio;

namespace {

constexpr unsigned kRx = VirtioConsole::kReceiveQueue;
constexpr unsigned kTx = VirtioConsole::kTransmitQueue;
constexpr uint64_t kOut = VirtioBench::kData;
constexpr uint64_t kIn = VirtioBench::kData + 0x1000;

struct Console {
  VirtioBench bench;
  VirtioConsole& device;
  explicit Console(VirtioConsoleConfig config)
      : bench(std::make_unique<VirtioConsole>(config)),
        device(*static_cast<VirtioConsole*>(bench.mmio.device())) {
    VirtioBench::elaborate();
  }
};

Console& console(VirtioConsoleConfig c = {}) {
  c.name = "virtio";
  if (c.console == ConsoleKind::Null) c.capture = true;
  return vp::test::make<Console>(c);
}

TEST(VirtioConsole, Identity) {
  auto& b = console().bench;
  EXPECT_EQ(b.reg(VirtioMmio::kDeviceId), 3u);
  EXPECT_TRUE(b.device_features() & VirtioConsole::kFEmergWrite);
  for (unsigned q : {0u, 1u}) {
    b.set(VirtioMmio::kQueueSel, q);
    EXPECT_GT(b.reg(VirtioMmio::kQueueNumMax), 0u) << "receiveq0 and transmitq0";
  }
  b.set(VirtioMmio::kQueueSel, 2);
  EXPECT_EQ(b.reg(VirtioMmio::kQueueNumMax), 0u) << "one port, no control queues";
  EXPECT_EQ(b.reg(VirtioMmio::kConfig + 4), 1u) << "max_nr_ports";
}

TEST(VirtioConsole, OutputThroughTransmitQueue) {
  auto& c = console();
  auto& b = c.bench;
  ASSERT_TRUE(b.init() & virtio::kStatusDriverOk);
  b.fill(kOut, "hello, world\n");
  const uint16_t head = b.add(kTx, {{kOut, 5, false}, {kOut + 5, 8, false}});
  b.notify(kTx);
  b.run();
  EXPECT_EQ(c.device.take_output(), "hello, world\n");
  ASSERT_EQ(b.used_idx(kTx), 1);
  EXPECT_EQ(b.used_id(kTx, 0), head);
  EXPECT_EQ(b.used_len(kTx, 0), 0u) << "nothing written into a transmit buffer";
  EXPECT_TRUE(b.mmio.irq.level());
  // Emergency write through the configuration space.
  b.cpu.write<uint32_t>(VirtioMmio::kConfig + VirtioConsole::kEmergWrOffset, '!');
  EXPECT_EQ(c.device.take_output(), "!");
}

TEST(VirtioConsole, InputWaitsForReceiveBuffers) {
  auto& c = console();
  auto& b = c.bench;
  ASSERT_TRUE(b.init() & virtio::kStatusDriverOk);
  c.device.inject_input("abcde");
  b.run(sc_time(1, SC_MS));  // ten poll periods with no receive buffer
  EXPECT_EQ(b.used_idx(kRx), 0);
  EXPECT_FALSE(b.mmio.irq.level());
  b.add(kRx, {{kIn, 2, true}});
  b.add(kRx, {{kIn + 0x100, 64, true}});
  b.notify(kRx);
  b.run();
  ASSERT_EQ(b.used_idx(kRx), 2);
  EXPECT_EQ(b.used_len(kRx, 0), 2u);
  EXPECT_EQ(b.bytes(kIn, 2), "ab");
  EXPECT_EQ(b.used_len(kRx, 1), 3u);
  EXPECT_EQ(b.bytes(kIn + 0x100, 3), "cde");
  EXPECT_TRUE(b.mmio.irq.level());
  b.ack();
  // Input typed later is delivered by the poll, into a buffer already waiting.
  b.add(kRx, {{kIn + 0x200, 64, true}});
  b.notify(kRx);
  b.run();
  EXPECT_EQ(b.used_idx(kRx), 2);
  c.device.inject_input("xyz");
  b.run(sc_time(200, SC_US));
  ASSERT_EQ(b.used_idx(kRx), 3);
  EXPECT_EQ(b.bytes(kIn + 0x200, 3), "xyz");
  EXPECT_TRUE(b.mmio.irq.level());
}

TEST(VirtioConsole, FileBackend) {
  const char* base = std::getenv("TMPDIR");
  std::string dir = std::string(base && *base ? base : "/tmp") + "/vp-virtio-console-XXXXXX";
  ASSERT_TRUE(mkdtemp(dir.data()));
  VirtioConsoleConfig cfg;
  cfg.console = ConsoleKind::File;
  cfg.console_file = dir + "/out.txt";
  auto& c = console(cfg);
  auto& b = c.bench;
  ASSERT_TRUE(b.init() & virtio::kStatusDriverOk);
  b.fill(kOut, "to the file");
  b.add(kTx, {{kOut, 11, false}});
  b.notify(kTx);
  b.run();
  std::ifstream in(cfg.console_file);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "to the file");
}

// The tcp backend end to end: bytes a client sends reach a receive buffer,
// transmitted bytes reach the client. Bounded by a fixed number of attempts.
TEST(VirtioConsole, TcpBackendInAndOut) {
  VirtioConsoleConfig cfg;
  cfg.console = ConsoleKind::Tcp;
  auto& c = console(cfg);
  auto& b = c.bench;
  ASSERT_GT(c.device.tcp_port(), 0);
  ASSERT_TRUE(b.init() & virtio::kStatusDriverOk);
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(c.device.tcp_port());
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  b.add(kRx, {{kIn, 64, true}});
  b.notify(kRx);
  ASSERT_EQ(send(fd, "ping", 4, 0), 4);
  for (int i = 0; i < 200 && b.used_idx(kRx) == 0; ++i) {
    b.run(sc_time(100, SC_US));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(b.used_idx(kRx), 1);
  EXPECT_EQ(b.bytes(kIn, b.used_len(kRx, 0)), "ping");
  // The reader thread accepts the client asynchronously; transmit once it has.
  std::string got;
  for (int i = 0; i < 200 && got.empty(); ++i) {
    b.fill(kOut, "pong");
    b.add(kTx, {{kOut, 4, false}});
    b.notify(kTx);
    b.run();
    timeval tv{0, 20000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[64];
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n > 0) got.assign(buf, size_t(n));
  }
  EXPECT_EQ(got.substr(0, 4), "pong");
  close(fd);
}

}  // namespace

VP_SC_TEST_MAIN
