#pragma once
// Test bench for virtio devices: a transport with a device behind it, a test
// initiator on its registers (the CPU), a test memory on its DMA socket (guest
// RAM, DMI switchable) and a small split-virtqueue driver that lays out
// queues and requests in that memory as a guest driver would.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <systemc>
#include <tlm>

#include "models/devices/virtio_mmio.h"
#include "tests/devices/sc_test_main.h"
#include "tests/support/test_initiator.h"

namespace vp::test {

// Guest RAM at address 0 for the transport's DMA socket.
class TestMemory : public sc_core::sc_module, public tlm::tlm_fw_transport_if<> {
 public:
  tlm::tlm_target_socket<32> socket{"socket"};
  std::vector<uint8_t> bytes;
  bool dmi = true;            // grant DMI
  unsigned transactions = 0;  // b_transport calls seen
  unsigned dmi_grants = 0;

  TestMemory(const sc_core::sc_module_name& name, size_t size) : sc_core::sc_module(name), bytes(size, 0) {
    socket.bind(*this);
  }

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time&) override {
    ++transactions;
    const uint64_t a = gp.get_address();
    const unsigned n = gp.get_data_length();
    if (a >= bytes.size() || n > bytes.size() - a) {
      gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    if (gp.is_write())
      std::memcpy(&bytes[a], gp.get_data_ptr(), n);
    else
      std::memcpy(gp.get_data_ptr(), &bytes[a], n);
    gp.set_dmi_allowed(dmi);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& d) override {
    if (!dmi || gp.get_address() >= bytes.size()) return false;
    ++dmi_grants;
    d.set_dmi_ptr(bytes.data());
    d.set_start_address(0);
    d.set_end_address(bytes.size() - 1);
    d.allow_read_write();
    return true;
  }
  unsigned transport_dbg(tlm::tlm_generic_payload& gp) override {
    sc_core::sc_time t;
    b_transport(gp, t);
    return gp.is_response_ok() ? gp.get_data_length() : 0;
  }
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase&, sc_core::sc_time& t) override {
    b_transport(gp, t);
    return tlm::TLM_COMPLETED;
  }

  template <typename T>
  T get(uint64_t a) const {
    T v{};
    std::memcpy(&v, &bytes.at(a), sizeof v);
    return v;
  }
  template <typename T>
  void put(uint64_t a, T v) {
    std::memcpy(&bytes.at(a), &v, sizeof v);
  }
};

// One buffer of a chain as the driver describes it.
struct Buf {
  uint64_t addr;
  uint32_t len;
  bool device_writes;
};

class VirtioBench {
 public:
  using Mmio = dev::VirtioMmio;
  static constexpr size_t kMemorySize = 1 << 20;
  static constexpr uint64_t kData = 0x40000;  // request buffers from here on

  dev::VirtioMmio& mmio;
  TestInitiator& cpu;
  TestMemory& mem;

  VirtioBench(std::unique_ptr<dev::VirtioDevice> device, const std::string& name = "virtio")
      : mmio(make<dev::VirtioMmio>(name.c_str(), dev::VirtioMmioConfig{}, std::move(device))),
        cpu(make<TestInitiator>((name + "_cpu").c_str())),
        mem(make<TestMemory>((name + "_ram").c_str(), kMemorySize)) {
    cpu.socket.bind(mmio.socket);
    mmio.initiator_socket("dma")->bind(mem.socket);
  }

  // Ends elaboration: call once every module of the test exists.
  static void elaborate() { sc_core::sc_start(sc_core::SC_ZERO_TIME); }

  uint32_t reg(uint64_t offset) { return cpu.read32(offset); }
  void set(uint64_t offset, uint32_t value) { ASSERT_EQ(cpu.write32(offset, value), tlm::TLM_OK_RESPONSE); }
  uint64_t device_features() {
    set(Mmio::kDeviceFeaturesSel, 0);
    uint64_t f = reg(Mmio::kDeviceFeatures);
    set(Mmio::kDeviceFeaturesSel, 1);
    return f | uint64_t(reg(Mmio::kDeviceFeatures)) << 32;
  }

  // Queue q's parts: descriptor table, available ring, used ring.
  static uint64_t desc(unsigned q) { return 0x1000 + 0x8000 * uint64_t(q); }
  static uint64_t avail(unsigned q) { return desc(q) + 0x2000; }
  static uint64_t used(unsigned q) { return desc(q) + 0x4000; }

  // Device initialization (3.1.1) accepting `features` (default: everything
  // offered but `drop`), queues of `size` entries. Returns the status read back.
  uint32_t init(uint16_t size = 16, uint64_t drop = 0) {
    set(Mmio::kStatus, 0);
    set(Mmio::kStatus, dev::virtio::kStatusAcknowledge);
    set(Mmio::kStatus, dev::virtio::kStatusAcknowledge | dev::virtio::kStatusDriver);
    const uint64_t accept = device_features() & ~drop;
    set(Mmio::kDriverFeaturesSel, 0);
    set(Mmio::kDriverFeatures, uint32_t(accept));
    set(Mmio::kDriverFeaturesSel, 1);
    set(Mmio::kDriverFeatures, uint32_t(accept >> 32));
    const uint32_t features_ok = dev::virtio::kStatusAcknowledge | dev::virtio::kStatusDriver |
                                 dev::virtio::kStatusFeaturesOk;
    set(Mmio::kStatus, features_ok);
    if (!(reg(Mmio::kStatus) & dev::virtio::kStatusFeaturesOk)) return reg(Mmio::kStatus);
    std::fill(mem.bytes.begin(), mem.bytes.begin() + kData, 0);
    for (unsigned q = 0;; ++q) {
      set(Mmio::kQueueSel, q);
      if (reg(Mmio::kQueueNumMax) == 0) break;
      set(Mmio::kQueueNum, size);
      set(Mmio::kQueueDescLow, uint32_t(desc(q)));
      set(Mmio::kQueueDescHigh, 0);
      set(Mmio::kQueueDriverLow, uint32_t(avail(q)));
      set(Mmio::kQueueDriverHigh, 0);
      set(Mmio::kQueueDeviceLow, uint32_t(used(q)));
      set(Mmio::kQueueDeviceHigh, 0);
      set(Mmio::kQueueReady, 1);
      sizes_.resize(q + 1);
      sizes_[q] = size;
      next_desc_.resize(q + 1);
      next_desc_[q] = 0;
    }
    set(Mmio::kStatus, features_ok | dev::virtio::kStatusDriverOk);
    return reg(Mmio::kStatus);
  }

  // Writes descriptor `index` of a table.
  void put_desc(uint64_t table, uint32_t index, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
    const uint64_t d = table + 16 * uint64_t(index);
    mem.put<uint64_t>(d, addr);
    mem.put<uint32_t>(d + 8, len);
    mem.put<uint16_t>(d + 12, flags);
    mem.put<uint16_t>(d + 14, next);
  }
  uint16_t alloc_desc(unsigned q) { return uint16_t(next_desc_[q]++ % sizes_[q]); }

  // Makes a chain of buffers available on queue q; returns its head.
  uint16_t add(unsigned q, const std::vector<Buf>& bufs) {
    std::vector<uint16_t> ids;
    for (size_t i = 0; i < bufs.size(); ++i) ids.push_back(alloc_desc(q));
    for (size_t i = 0; i < bufs.size(); ++i) {
      uint16_t flags = bufs[i].device_writes ? dev::Virtqueue::kDescWrite : 0;
      if (i + 1 < bufs.size()) flags |= dev::Virtqueue::kDescNext;
      put_desc(desc(q), ids[i], bufs[i].addr, bufs[i].len, flags, i + 1 < bufs.size() ? ids[i + 1] : 0);
    }
    make_available(q, ids[0]);
    return ids[0];
  }
  // The same chain through an indirect table at `table`: one ring descriptor.
  uint16_t add_indirect(unsigned q, const std::vector<Buf>& bufs, uint64_t table) {
    for (size_t i = 0; i < bufs.size(); ++i) {
      uint16_t flags = bufs[i].device_writes ? dev::Virtqueue::kDescWrite : 0;
      if (i + 1 < bufs.size()) flags |= dev::Virtqueue::kDescNext;
      put_desc(table, uint32_t(i), bufs[i].addr, bufs[i].len, flags, uint16_t(i + 1 < bufs.size() ? i + 1 : 0));
    }
    const uint16_t head = alloc_desc(q);
    put_desc(desc(q), head, table, uint32_t(16 * bufs.size()), dev::Virtqueue::kDescIndirect, 0);
    make_available(q, head);
    return head;
  }
  // Like Linux with callbacks enabled, the driver asks (through used_event,
  // used only with VIRTIO_F_EVENT_IDX) to be interrupted by the next used
  // buffer, unless a test sets used_event itself.
  bool auto_used_event = true;
  void make_available(unsigned q, uint16_t head) {
    const uint16_t idx = mem.get<uint16_t>(avail(q) + 2);
    mem.put<uint16_t>(avail(q) + 4 + 2 * (idx % sizes_[q]), head);
    mem.put<uint16_t>(avail(q) + 2, uint16_t(idx + 1));
    if (auto_used_event) mem.put<uint16_t>(avail(q) + 4 + 2 * sizes_[q], used_idx(q));
  }

  void notify(unsigned q) { set(Mmio::kQueueNotify, q); }
  // Lets simulated time pass so that the transport handles what was notified.
  void run(sc_core::sc_time t = sc_core::sc_time(1, sc_core::SC_US)) {
    sc_core::sc_start(cpu.delay + t);
    cpu.delay = sc_core::SC_ZERO_TIME;
  }

  uint16_t used_idx(unsigned q) const { return mem.get<uint16_t>(used(q) + 2); }
  uint32_t used_id(unsigned q, unsigned i) const { return mem.get<uint32_t>(used(q) + 4 + 8 * (i % sizes_[q])); }
  uint32_t used_len(unsigned q, unsigned i) const { return mem.get<uint32_t>(used(q) + 8 + 8 * (i % sizes_[q])); }
  // Acknowledges every pending interrupt; returns InterruptStatus.
  uint32_t ack() {
    const uint32_t s = reg(Mmio::kInterruptStatus);
    set(Mmio::kInterruptAck, s);
    return s;
  }
  bool needs_reset() { return reg(Mmio::kStatus) & dev::virtio::kStatusNeedsReset; }

  void fill(uint64_t addr, const std::string& s) { std::memcpy(&mem.bytes.at(addr), s.data(), s.size()); }
  std::string bytes(uint64_t addr, size_t n) const {
    return std::string(reinterpret_cast<const char*>(&mem.bytes.at(addr)), n);
  }

 private:
  std::vector<uint16_t> sizes_;
  std::vector<unsigned> next_desc_;
};

}  // namespace vp::test
