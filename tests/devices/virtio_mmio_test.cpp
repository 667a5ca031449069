// virtio-mmio transport with no device: what a driver probing the slot sees.
#include "models/devices/virtio_mmio.h"

#include <gtest/gtest.h>

#include "tests/devices/sc_test_main.h"
#include "tests/support/test_initiator.h"

using namespace sc_core;
using vp::dev::VirtioMmio;
using vp::test::make;
using vp::test::TestInitiator;

namespace {

TestInitiator& bench(vp::dev::VirtioMmioConfig config = {}) {
  auto& dev = make<VirtioMmio>("virtio", config);
  auto& cpu = make<TestInitiator>("cpu");
  cpu.socket.bind(dev.socket);
  return cpu;
}

TEST(VirtioMmio, EmptySlotIdentifiesItself) {
  auto& cpu = bench({0x1234, sc_time(10, SC_NS)});
  EXPECT_EQ(cpu.read32(VirtioMmio::kMagicValue), 0x74726976u);
  EXPECT_EQ(cpu.read32(VirtioMmio::kVersion), 2u);
  EXPECT_EQ(cpu.read32(VirtioMmio::kDeviceId), 0u) << "0 = no device: drivers skip the slot";
  EXPECT_EQ(cpu.read32(VirtioMmio::kVendorId), 0x1234u);
  EXPECT_EQ(cpu.read32(0x010), 0u) << "no device features";
}

TEST(VirtioMmio, StatusIsWritableAndResets) {
  auto& cpu = bench();
  EXPECT_EQ(cpu.write32(VirtioMmio::kStatus, 0x1), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(cpu.read32(VirtioMmio::kStatus), 0x1u);
  cpu.write32(VirtioMmio::kStatus, 0);
  EXPECT_EQ(cpu.read32(VirtioMmio::kStatus), 0u);
}

TEST(VirtioMmio, OnlyAlignedWordAccesses) {
  auto& cpu = bench();
  tlm::tlm_response_status s;
  cpu.read<uint8_t>(0, &s);
  EXPECT_EQ(s, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  cpu.read<uint32_t>(2, &s);
  EXPECT_EQ(s, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  cpu.read<uint32_t>(0x1000, &s);
  EXPECT_EQ(s, tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

}  // namespace

VP_SC_TEST_MAIN
