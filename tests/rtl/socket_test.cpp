// The out-of-process bridge: the Verilated CRC-32 runs in a second process
// (rtl_peer) behind rtl.socket; posted writes; time sync carrying the
// interrupt to the PLIC; malformed and oversized messages rejected.
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "models/devices/plic.h"
#include "models/rtl/socket_bridge.h"
#include "models/rtl/vp_rtl_peer.h"
#include "models/rtl/vp_rtl_shm.h"
#include "platform/builder.h"
#include "platform/loader.h"
#include "tests/devices/sc_test_main.h"
#include "tests/rtl/rtl_registry.h"
#include "tests/support/test_initiator.h"

using namespace vp::platform;
using vp::rtl::SocketBridge;
using vp::rtl::SocketBridgeConfig;
using vp::test::make;
using vp::test::TestInitiator;

namespace {

pid_t spawn_peer(const std::string& address) {
  const pid_t pid = fork();
  if (pid == 0) {
    execl(VP_RTL_PEER, VP_RTL_PEER, address.c_str(), (char*)nullptr);
    _exit(127);
  }
  return pid;
}

int reap(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string sock_path(const char* tag) {
  return "/tmp/vp-rtl-test-" + std::to_string(getpid()) + "-" + tag + ".sock";
}

vp::platform::Registry& registry() { return vp::test::rtl_registry(); }

void poke(Platform& p, uint64_t addr, uint32_t v) { ASSERT_EQ(p.write_physical(addr, &v, 4), 4u); }
uint32_t peek(Platform& p, uint64_t addr, bool ok = true) {
  uint32_t v = 0;
  EXPECT_EQ(p.read_physical(addr, &v, 4), ok ? 4u : 0u);
  return v;
}

void crc_in_second_process(const std::string& address) {
  const std::string yaml = R"(
platform: rtl-socket
components:
  bus:  { type: router }
  plic: { type: dev.plic, sources: 32, contexts: 2 }
  crc0: { type: rtl.socket, address: ")" + address + R"(", sync_period: 1us }
bind:
  - bus: { plic: 0xc000000, crc0: 0x10010000 }
irq:
  - crc0.irq[0] -> plic.5
)";
  auto p = build_platform(load_platform_string(yaml), registry());
  auto* plic = dynamic_cast<vp::dev::Plic*>(p->find("plic"));
  const pid_t peer = spawn_peer(address);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  const uint64_t crc = 0x10010000;
  EXPECT_EQ(peek(*p, crc + 0x10), 0x43524332u);
  peek(*p, crc + 0x40, false);  // SLVERR from the RTL: the access fails
  poke(*p, crc + 0x00, 3);
  poke(*p, crc + 0x04, 0x34333231);
  EXPECT_FALSE(plic->pending(5));
  sc_core::sc_start(5, sc_core::SC_US);  // SYNC lets the peer run: the interrupt arrives
  EXPECT_TRUE(plic->pending(5));
  EXPECT_EQ(peek(*p, crc + 0x08), 0x9BE3E0A3u);  // CRC-32 of "1234"
  p.reset();  // destroying the bridge sends BYE
  EXPECT_EQ(reap(peer), 0);
}

TEST(RtlSocket, CrcInSecondProcessWithInterrupt) { crc_in_second_process("unix:" + sock_path("crc")); }

// The same over shared memory (the Unix socket only hands the segment over).
TEST(RtlSocket, ShmCrcInSecondProcessWithInterrupt) { crc_in_second_process("shm:" + sock_path("shm")); }

void posted_writes_and_timing(const std::string& address) {
  SocketBridgeConfig c;
  c.address = address;
  c.posted_writes = true;
  auto& bridge = make<SocketBridge>("sock", c);
  auto& init = make<TestInitiator>("init");
  init.socket.bind(bridge.socket);
  EXPECT_EQ(bridge.address().rfind(address.substr(0, 4) == "tcp:" ? "tcp:127.0.0.1:" : address, 0), 0u);
  const pid_t peer = spawn_peer(bridge.address());
  EXPECT_EQ(init.read32(0x10), 0x43524332u);
  EXPECT_EQ(init.delay, sc_core::sc_time(20, sc_core::SC_NS));  // 2 APB cycles in the peer
  init.delay = sc_core::SC_ZERO_TIME;
  EXPECT_EQ(init.write32(0x00, 1), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(init.write32(0x04, 0x34333231), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(init.delay, sc_core::SC_ZERO_TIME);  // posted: no round trip
  EXPECT_EQ(init.write32(0x10, 1), tlm::TLM_OK_RESPONSE);  // refused, reported later
  init.delay = sc_core::sc_time(1, sc_core::SC_US);  // let the engine finish
  EXPECT_EQ(init.read32(0x08), 0x9BE3E0A3u);
  EXPECT_EQ(bridge.posted_errors(), 1u);
  delete &bridge;  // not started: may be destroyed; sends BYE
  EXPECT_EQ(reap(peer), 0);
}

TEST(RtlSocket, PostedWritesAndTiming) { posted_writes_and_timing("tcp:127.0.0.1:0"); }
TEST(RtlSocket, ShmPostedWritesAndTiming) { posted_writes_and_timing("shm:" + sock_path("posted")); }

// Posted writes go out in batches: many writes, then one read sees them all.
TEST(RtlSocket, BatchedPostedWrites) {
  for (const std::string& address : {"unix:" + sock_path("b1"), "shm:" + sock_path("b2")}) {
    SocketBridgeConfig c;
    c.address = address;
    c.posted_writes = true;
    c.batch = 16;
    auto& bridge = make<SocketBridge>(("sock_" + address.substr(0, 3)).c_str(), c);
    auto& init = make<TestInitiator>(("init_" + address.substr(0, 3)).c_str());
    init.socket.bind(bridge.socket);
    const pid_t peer = spawn_peer(bridge.address());
    EXPECT_EQ(init.read32(0x10), 0x43524332u);
    EXPECT_EQ(init.write32(0x00, 1), tlm::TLM_OK_RESPONSE);  // reset the CRC
    const char text[] = "The quick brown fox jumps over the lazy dog.";  // 44 bytes: 11 words
    for (int i = 0; i < 44; i += 4) {
      uint32_t w;
      std::memcpy(&w, text + i, 4);
      EXPECT_EQ(init.write32(0x04, w), tlm::TLM_OK_RESPONSE);
    }
    init.delay = sc_core::sc_time(2, sc_core::SC_US);
    EXPECT_EQ(init.read32(0x08), 0x519025E9u) << address;  // CRC-32 of the sentence
    EXPECT_EQ(bridge.posted_errors(), 0u);
    delete &bridge;
    EXPECT_EQ(reap(peer), 0);
  }
}

// A fake peer that answers the first request with `bytes`.
void bad_peer(std::string address, std::string bytes) {
  int fd = -1;
  for (int i = 0; i < 200 && fd < 0; ++i) {
    fd = vp_rtl_connect(address.c_str());
    if (fd < 0) usleep(10000);
  }
  uint8_t hdr[VP_RTL_HEADER_SIZE];
  if (vp_rtl_recv_all(fd, hdr, sizeof hdr) == 0) vp_rtl_send_all(fd, bytes.data(), bytes.size());
  shutdown(fd, SHUT_WR);  // a truncated message ends with the stream
  uint8_t drain[64];
  while (recv(fd, drain, sizeof drain, 0) > 0) {
  }
  close(fd);
}

std::string encoded(vp_rtl_header h) {
  uint8_t b[VP_RTL_HEADER_SIZE];
  vp_rtl_encode(&h, b);
  return std::string(reinterpret_cast<char*>(b), sizeof b);
}

TEST(RtlSocket, MalformedMessagesAreRejected) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DO_NOTHING);
  vp_rtl_header ok{VP_RTL_MAGIC, VP_RTL_VERSION, VP_RTL_MSG_RESP, 0, 0, 1, 4, 0, 0};
  vp_rtl_header bad_magic = ok;
  bad_magic.magic = 0x12345678;
  vp_rtl_header oversized = ok;
  oversized.length = 1u << 30;
  vp_rtl_header bad_type = ok;
  bad_type.type = 99;
  vp_rtl_header wrong_length = ok;  // 2 bytes for a 4-byte read
  wrong_length.length = 2;
  const std::string cases[] = {encoded(bad_magic), encoded(oversized), encoded(bad_type),
                               encoded(wrong_length) + "xx", std::string("short")};
  SocketBridgeConfig c;
  c.address = "unix:" + sock_path("bad");
  c.accept_timeout_s = 5;
  auto& bridge = make<SocketBridge>("sock", c);
  auto& init = make<TestInitiator>("init");
  init.socket.bind(bridge.socket);
  uint64_t errors = 0;
  for (const auto& bytes : cases) {
    std::thread peer(bad_peer, bridge.address(), bytes);
    tlm::tlm_response_status s;
    init.read<uint32_t>(0x10, &s);
    EXPECT_EQ(s, tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_FALSE(bridge.connected());
    EXPECT_EQ(bridge.protocol_errors(), ++errors);
    peer.join();
  }
  // The header codec itself.
  vp_rtl_header h;
  uint8_t b[VP_RTL_HEADER_SIZE];
  vp_rtl_encode(&oversized, b);
  EXPECT_EQ(vp_rtl_decode(b, &h), VP_RTL_ELENGTH);
  vp_rtl_encode(&ok, b);
  EXPECT_EQ(vp_rtl_decode(b, &h), 0);
  EXPECT_EQ(b[0], 0x56);  // little-endian magic "VPRT"
  EXPECT_EQ(h.length, 4u);
}

// A fake shared-memory peer: attaches, takes vp's first request, then
// misbehaves (scenario) and waits until vp drops the connection.
void shm_bad_peer(std::string address, int scenario) {
  int fd = -1;
  for (int i = 0; i < 200 && fd < 0; ++i) {
    fd = vp_rtl_connect(("unix:" + address.substr(4)).c_str());
    if (fd < 0) usleep(10000);
  }
  vp_shm s;
  if (vp_shm_attach(&s, fd) != 0) return;
  vp_rtl_header req;
  if (vp_shm_recv(&s, &req, nullptr, 0, 5000) != 0) return vp_shm_close(&s);
  uint8_t* ring = s.tx_data;
  vp_rtl_header r{VP_RTL_MAGIC, VP_RTL_VERSION, VP_RTL_MSG_RESP, 0, 0, req.id, 4, 0, 0};
  const uint8_t word[4] = {1, 2, 3, 4};
  switch (scenario) {
    case 0:  // the head runs far ahead of anything the ring can hold
      __atomic_store_n(&s.tx->head, uint64_t(1) << 40, __ATOMIC_RELEASE);
      break;
    case 1:  // 32 bytes of garbage published as a message
      for (int i = 0; i < 32; ++i) ring[i] = uint8_t(0xa5 ^ i);
      __atomic_store_n(&s.tx->head, 32, __ATOMIC_RELEASE);
      break;
    case 2:  // a header announcing more data than was published
      r.length = 4000;
      vp_rtl_encode(&r, ring);
      __atomic_store_n(&s.tx->head, 40, __ATOMIC_RELEASE);
      break;
    case 3:  // an oversized length
      r.length = 1u << 30;
      vp_rtl_encode(&r, ring);
      __atomic_store_n(&s.tx->head, 64, __ATOMIC_RELEASE);
      break;
    case 4:  // a well-formed answer of the wrong size
      r.length = 2;
      vp_shm_send(&s, &r, word, 1);
      break;
    case 5:  // an answer to another request
      r.id = 999;
      vp_shm_send(&s, &r, word, 1);
      break;
    default:  // gone without an answer
      return vp_shm_close(&s);
  }
  for (int i = 0; i < 500 && !__atomic_load_n(&s.seg->closed, __ATOMIC_ACQUIRE); ++i) usleep(10000);
  vp_shm_close(&s);
}

TEST(RtlSocket, ShmGarbageFromPeerIsRejected) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DO_NOTHING);
  SocketBridgeConfig c;
  c.address = "shm:" + sock_path("garbage");
  c.accept_timeout_s = 5;
  auto& bridge = make<SocketBridge>("sock", c);
  auto& init = make<TestInitiator>("init");
  init.socket.bind(bridge.socket);
  const char* expected[] = {"corrupt shared-memory ring", "bad magic", "corrupt shared-memory ring",
                            "oversized message", "read response of 2 bytes for 4", "unexpected message type 3 id 999",
                            "connection closed"};
  uint64_t errors = 0;
  for (int scenario = 0; scenario < 7; ++scenario) {
    std::thread peer(shm_bad_peer, bridge.address(), scenario);
    tlm::tlm_response_status st;
    init.read<uint32_t>(0x10, &st);
    EXPECT_EQ(st, tlm::TLM_GENERIC_ERROR_RESPONSE) << scenario;
    EXPECT_FALSE(bridge.connected());
    EXPECT_EQ(bridge.protocol_errors(), ++errors);
    EXPECT_NE(bridge.last_error().find(expected[scenario]), std::string::npos)
        << scenario << ": " << bridge.last_error();
    peer.join();
  }
  // A good peer afterwards: the bridge still works.
  const pid_t good = spawn_peer(bridge.address());
  EXPECT_EQ(init.read32(0x10), 0x43524332u);
  delete &bridge;
  EXPECT_EQ(reap(good), 0);
}

}  // namespace

VP_SC_TEST_MAIN
