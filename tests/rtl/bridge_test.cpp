// The example RTL (rtl/crc32_*.v, rtl/dma_apb.v) verilated behind the
// in-process bridge: register access through APB and AXI4-Lite, error
// responses, catch-up timing, waveforms, an interrupt reaching the PLIC of a
// platform built from YAML, and the RTL DMA copying memory through DPI-C.
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "models/devices/plic.h"
#include "models/rtl/rtl_bridge.h"
#include "platform/builder.h"
#include "platform/loader.h"
#include "tests/devices/sc_test_main.h"
#include "tests/rtl/rtl_registry.h"
#include "tests/support/store_probe.h"
#include "tests/support/test_initiator.h"

std::unique_ptr<vp::rtl::RtlModel> vp_rtl_make_crc32();
std::unique_ptr<vp::rtl::RtlModel> vp_rtl_make_crc32_axil();

using namespace vp::platform;
using vp::rtl::RtlBridge;
using vp::rtl::RtlBridgeConfig;
using vp::test::make;
using vp::test::TestInitiator;

namespace {

constexpr uint32_t kCtrl = 0x00, kData = 0x04, kResult = 0x08, kStatus = 0x0c, kId = 0x10, kCount = 0x14;

uint32_t crc32_ref(const uint8_t* p, size_t n) {
  uint32_t c = 0xffffffff;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = c & 1 ? (c >> 1) ^ 0xedb88320 : c >> 1;
  }
  return ~c;
}

struct Bench {
  RtlBridge* bridge;
  TestInitiator* init;
};

Bench make_bench(std::unique_ptr<vp::rtl::RtlModel> model, RtlBridgeConfig config = {}) {
  auto& bridge = make<RtlBridge>("crc", std::move(model), config);
  auto& init = make<TestInitiator>("init");
  init.socket.bind(bridge.socket);
  return {&bridge, &init};
}

// Feeds "123456789" (check value 0xCBF43926) with word and byte writes.
void check_crc(TestInitiator& t) {
  const char* msg = "123456789";
  EXPECT_EQ(t.write32(kCtrl, 1), tlm::TLM_OK_RESPONSE);
  uint32_t w0, w1;
  std::memcpy(&w0, msg, 4);
  std::memcpy(&w1, msg + 4, 4);
  EXPECT_EQ(t.write32(kData, w0), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(t.write32(kData, w1), tlm::TLM_OK_RESPONSE);  // waits for the engine: wait states
  EXPECT_EQ(t.write8(kData + 2, uint8_t(msg[8])), tlm::TLM_OK_RESPONSE);  // one byte lane
  // A read of RESULT right away: the last byte is still being processed.
  EXPECT_EQ(t.read32(kStatus) & 1, 1u);
  EXPECT_EQ(t.read32(kStatus) & 2, 2u);  // done after the catch-up
  EXPECT_EQ(t.read32(kResult), 0xCBF43926u);
  EXPECT_EQ(t.read32(kCount), 9u);
}

void check_errors(TestInitiator& t) {
  tlm::tlm_response_status s;
  t.read<uint32_t>(0x40, &s);
  EXPECT_EQ(s, tlm::TLM_GENERIC_ERROR_RESPONSE);          // no such register
  EXPECT_EQ(t.write32(kId, 1), tlm::TLM_GENERIC_ERROR_RESPONSE);   // read-only
  t.read<uint32_t>(kData, &s);
  EXPECT_EQ(s, tlm::TLM_GENERIC_ERROR_RESPONSE);          // write-only
  EXPECT_EQ(t.write32(0x1000, 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // outside the window
  uint8_t be = 0xff;
  tlm::tlm_generic_payload gp;
  uint32_t v = 0;
  gp.set_command(tlm::TLM_READ_COMMAND);
  gp.set_address(kId);
  gp.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
  gp.set_data_length(4);
  gp.set_streaming_width(4);
  gp.set_byte_enable_ptr(&be);
  gp.set_byte_enable_length(1);
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  t.socket->b_transport(gp, d);
  EXPECT_EQ(gp.get_response_status(), tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
  // The bridge still works after errors.
  EXPECT_EQ(t.read32(kId), 0x43524332u);
}

TEST(RtlBridge, ApbRegisterAccess) {
  auto b = make_bench(vp_rtl_make_crc32());
  EXPECT_EQ(b.init->read32(kId), 0x43524332u);
  // An APB access is a setup and an access phase: 2 cycles of 10 ns.
  EXPECT_EQ(b.init->delay, sc_core::sc_time(20, sc_core::SC_NS));
  check_crc(*b.init);
  // 64-bit access: two beats.
  uint64_t both = b.init->read<uint64_t>(kResult);
  EXPECT_EQ(uint32_t(both), 0xCBF43926u);
  EXPECT_EQ(uint32_t(both >> 32), 2u);  // STATUS: done
}

TEST(RtlBridge, ApbErrorResponses) {
  auto b = make_bench(vp_rtl_make_crc32());
  check_errors(*b.init);
}

TEST(RtlBridge, CatchUpClock) {
  auto b = make_bench(vp_rtl_make_crc32());
  const uint64_t c0 = b.bridge->cycles();
  b.init->delay = sc_core::sc_time(1, sc_core::SC_US);  // the initiator is 1 us ahead
  b.init->read32(kId);
  // 100 idle cycles to reach the initiator's local time, then the access.
  EXPECT_EQ(b.bridge->cycles() - c0, 102u);
  EXPECT_EQ(b.init->delay, sc_core::sc_time(1020, sc_core::SC_NS));
  // An initiator behind the RTL's time waits for it (the target is busy).
  b.init->delay = sc_core::SC_ZERO_TIME;
  b.init->read32(kId);
  EXPECT_EQ(b.init->delay, sc_core::sc_time(1040, sc_core::SC_NS));
}

TEST(RtlBridge, AxiLiteRegisterAccess) {
  auto b = make_bench(vp_rtl_make_crc32_axil());
  EXPECT_EQ(b.init->read32(kId), 0x43524332u);
  check_crc(*b.init);
}

TEST(RtlBridge, AxiLiteErrorResponses) {
  auto b = make_bench(vp_rtl_make_crc32_axil());
  check_errors(*b.init);
}

TEST(RtlBridge, Waveforms) {
  const std::string vcd = std::string(VP_RTL_TEST_DIR) + "/crc32_apb.vcd";
  const std::string fst = std::string(VP_RTL_TEST_DIR) + "/crc32_axil.fst";
  std::remove(vcd.c_str());
  std::remove(fst.c_str());
  {
    RtlBridgeConfig c;
    c.trace = vcd;
    auto b = make_bench(vp_rtl_make_crc32(), c);
    check_crc(*b.init);
    b.bridge->model().flush_trace();
    RtlBridgeConfig c2;
    c2.trace = fst;
    auto& axi = make<RtlBridge>("crc_axi", vp_rtl_make_crc32_axil(), c2);
    auto& init2 = make<TestInitiator>("init2");
    init2.socket.bind(axi.socket);
    check_crc(init2);
    axi.model().flush_trace();
    // A model verilated with VCD only cannot write FST.
    RtlBridgeConfig c3;
    c3.trace = std::string(VP_RTL_TEST_DIR) + "/x.fst";
    EXPECT_THROW(make<RtlBridge>("crc_bad", vp_rtl_make_crc32(), c3), std::runtime_error);
  }
  std::ifstream in(vcd);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("$var"), std::string::npos);
  EXPECT_NE(text.find("pready"), std::string::npos);
  struct stat st {};
  ASSERT_EQ(stat(fst.c_str(), &st), 0);
  EXPECT_GT(st.st_size, 100);
}

vp::platform::Registry& registry() { return vp::test::rtl_registry(); }

const char* kPlatform = R"(
platform: rtl
components:
  bus:  { type: router }
  ram:  { type: mem.ram, size: 64KiB }
  plic: { type: dev.plic, sources: 32, contexts: 2 }
  crc0: { type: rtl.crc32, clock: 100MHz, debug_access: true }
  dma0: { type: rtl.dma, clock: 200MHz, debug_access: true }
bind:
  - dma0.mem -> bus
  - bus:
      plic: 0xc000000
      crc0: 0x10010000
      dma0: 0x10011000
      ram:  0x80000000
irq:
  - crc0.irq -> plic.5
  - dma0.irq -> plic.6
)";

void poke(Platform& p, uint64_t addr, uint32_t v) { ASSERT_EQ(p.write_physical(addr, &v, 4), 4u); }
uint32_t peek(Platform& p, uint64_t addr) {
  uint32_t v = 0;
  EXPECT_EQ(p.read_physical(addr, &v, 4), 4u);
  return v;
}

TEST(RtlPlatform, InterruptReachesPlic) {
  auto p = build_platform(load_platform_string(kPlatform), registry());
  auto* plic = dynamic_cast<vp::dev::Plic*>(p->find("plic"));
  ASSERT_TRUE(plic);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  poke(*p, 0xc000000 + 4 * 5, 1);     // priority of source 5
  poke(*p, 0xc002000, 1u << 5);       // context 0 enables source 5
  poke(*p, 0xc200000, 0);             // threshold 0
  const uint64_t crc = 0x10010000;
  poke(*p, crc + kCtrl, 3);           // reset, irq enable
  poke(*p, crc + kData, 0x34333231);  // "1234"
  EXPECT_FALSE(plic->ctx[0].level());
  sc_core::sc_start(1, sc_core::SC_US);  // the engine runs in the background while busy
  EXPECT_TRUE(p->find("crc0")->irq_out("irq", -1)->level());
  EXPECT_TRUE(plic->pending(5));
  EXPECT_TRUE(plic->ctx[0].level());
  EXPECT_EQ(peek(*p, 0xc200004), 5u);  // claimable (a debug read does not claim)
  const uint8_t msg[] = {'1', '2', '3', '4'};
  EXPECT_EQ(peek(*p, crc + kResult), crc32_ref(msg, 4));
  poke(*p, crc + kStatus, 2);          // W1C done: the interrupt goes away
  EXPECT_EQ(peek(*p, crc + kStatus), 0u);
  EXPECT_FALSE(p->find("crc0")->irq_out("irq", -1)->level());
  p.release();
}

TEST(RtlPlatform, DmaCopiesMemoryThroughDpi) {
  auto p = build_platform(load_platform_string(kPlatform), registry());
  auto* plic = dynamic_cast<vp::dev::Plic*>(p->find("plic"));
  auto* dma = dynamic_cast<RtlBridge*>(p->find("dma0"));
  ASSERT_TRUE(plic && dma);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  std::vector<uint8_t> src(256);
  for (size_t i = 0; i < src.size(); ++i) src[i] = uint8_t(i * 7 + 3);
  ASSERT_EQ(p->write_physical(0x80001000, src.data(), src.size()), src.size());
  const uint64_t d = 0x10011000;
  poke(*p, d + 0x00, 0x80001000);
  poke(*p, d + 0x04, 0);
  poke(*p, d + 0x08, 0x80002000);
  poke(*p, d + 0x0c, 0);
  poke(*p, d + 0x10, uint32_t(src.size()));
  poke(*p, d + 0x14, 3);  // start, irq enable
  EXPECT_EQ(peek(*p, d + 0x18) & 1, 1u);
  sc_core::sc_start(10, sc_core::SC_US);
  EXPECT_EQ(peek(*p, d + 0x18), 2u);  // done, no error
  EXPECT_EQ(peek(*p, d + 0x1c), 64u);
  EXPECT_TRUE(plic->pending(6));
  std::vector<uint8_t> dst(src.size());
  ASSERT_EQ(p->read_physical(0x80002000, dst.data(), dst.size()), dst.size());
  EXPECT_EQ(dst, src);
  EXPECT_EQ(dma->dpi().direct_accesses(), 128u);  // RAM through DMI
  EXPECT_EQ(dma->dpi().queued_accesses(), 0u);

  // From the CRC block's registers: not DMI, so queued and served by the thread.
  poke(*p, 0x10010000 + kCtrl, 1);
  poke(*p, d + 0x18, 6);
  poke(*p, d + 0x00, 0x10010000 + kResult);
  poke(*p, d + 0x08, 0x80003000);
  poke(*p, d + 0x10, 8);
  poke(*p, d + 0x14, 1);
  sc_core::sc_start(10, sc_core::SC_US);
  EXPECT_EQ(peek(*p, d + 0x18), 2u);
  EXPECT_EQ(dma->dpi().queued_accesses(), 2u);
  EXPECT_EQ(peek(*p, 0x80003000), 0u);        // RESULT of the empty message: ~0xffffffff
  EXPECT_EQ(peek(*p, 0x80003004), 0u);        // STATUS: idle
  // An unmapped source: the DMA reports an error.
  poke(*p, d + 0x00, 0x40000000);
  poke(*p, d + 0x10, 4);
  poke(*p, d + 0x14, 1);
  sc_core::sc_start(10, sc_core::SC_US);
  EXPECT_EQ(peek(*p, d + 0x18), 4u);
  p.release();
}

// The RTL's DPI-C stores are no processor's: reported to the platform's reservation
// monitor, through DMI (RAM) and through b_transport (a register), so an LR reservation
// on the bytes breaks (one elsewhere stays) and an observer (lock-step) gets the bytes.
TEST(RtlPlatform, DmaStoresReachTheReservationMonitor) {
  auto p = build_platform(load_platform_string(kPlatform), registry());
  auto* dma = dynamic_cast<RtlBridge*>(p->find("dma0"));
  ASSERT_TRUE(dma);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  std::vector<uint8_t> src(128);
  for (size_t i = 0; i < src.size(); ++i) src[i] = uint8_t(i * 13 + 1);
  ASSERT_EQ(p->write_physical(0x80001000, src.data(), src.size()), src.size());
  vp::test::StoreProbe hit(p->reservations()), miss(p->reservations(), false);
  hit.reserve(0x80002040);
  miss.reserve(0x80002080);  // just past the copy
  const uint64_t d = 0x10011000;
  poke(*p, d + 0x00, 0x80001000);
  poke(*p, d + 0x08, 0x80002000);
  poke(*p, d + 0x10, uint32_t(src.size()));
  poke(*p, d + 0x14, 1);
  sc_core::sc_start(10, sc_core::SC_US);
  EXPECT_EQ(peek(*p, d + 0x18), 2u);
  EXPECT_EQ(dma->dpi().queued_accesses(), 0u);  // through DMI
  EXPECT_FALSE(hit.holds());
  EXPECT_TRUE(miss.holds());
  EXPECT_TRUE(hit.saw(0x80002000, src.data(), src.size()));

  // Into the CRC block's DATA register: no DMI, a b_transport write served by the thread.
  poke(*p, 0x10010000 + kCtrl, 1);
  poke(*p, d + 0x18, 6);
  poke(*p, d + 0x00, 0x80001000);  // SRC and DST move on as the DMA copies
  poke(*p, d + 0x08, 0x10010000 + kData);
  poke(*p, d + 0x10, 4);
  poke(*p, d + 0x14, 1);
  sc_core::sc_start(10, sc_core::SC_US);
  EXPECT_EQ(peek(*p, d + 0x18), 2u);
  EXPECT_EQ(dma->dpi().queued_accesses(), 1u);
  EXPECT_TRUE(hit.saw(0x10010000 + kData, src.data(), 4));
  p.release();
}

}  // namespace

VP_SC_TEST_MAIN
