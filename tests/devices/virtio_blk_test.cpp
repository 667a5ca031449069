// virtio-blk behind the virtio-mmio transport, driven through the transport's
// registers with requests laid out in a test memory, on a real image file.
#include "models/devices/virtio_blk.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/devices/virtio_test_bench.h"

using namespace sc_core;
using vp::dev::VirtioBlk;
using vp::dev::VirtioBlkConfig;
using vp::dev::VirtioMmio;
using vp::test::Buf;
using vp::test::VirtioBench;
namespace virtio = vp::dev::virtio;

namespace {

constexpr uint64_t kSectors = 64;  // 32 KiB image
constexpr uint64_t kHdr = VirtioBench::kData;
constexpr uint64_t kStatus = kHdr + 0x100;
constexpr uint64_t kBuf = kHdr + 0x1000;
constexpr uint16_t kNext = vp::dev::Virtqueue::kDescNext;
constexpr uint16_t kWrite = vp::dev::Virtqueue::kDescWrite;
constexpr uint16_t kIndirect = vp::dev::Virtqueue::kDescIndirect;

std::string temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string t = std::string(base && *base ? base : "/tmp") + "/vp-virtio-blk-XXXXXX";
  return mkdtemp(t.data()) ? t : "";
}

// Sector i holds the byte 'A' + i % 26.
std::string make_image(uint64_t sectors = kSectors) {
  const std::string path = temp_dir() + "/disk.img";
  std::ofstream out(path, std::ios::binary);
  for (uint64_t i = 0; i < sectors; ++i) out << std::string(512, char('A' + i % 26));
  return path;
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Blk {
  VirtioBench bench;
  VirtioBlk* device;
  explicit Blk(VirtioBlkConfig config)
      : bench(std::make_unique<VirtioBlk>(config)), device(static_cast<VirtioBlk*>(bench.mmio.device())) {
    VirtioBench::elaborate();
  }
};

Blk& blk(const std::string& image, bool readonly = false, bool snapshot = false) {
  VirtioBlkConfig c;
  c.image = image;
  c.readonly = readonly;
  c.snapshot = snapshot;
  c.serial = "vp-disk-0";
  return vp::test::make<Blk>(c);
}

void header(VirtioBench& b, uint32_t type, uint64_t sector, uint64_t at = kHdr) {
  b.mem.put<uint32_t>(at, type);
  b.mem.put<uint32_t>(at + 4, 0);
  b.mem.put<uint64_t>(at + 8, sector);
  b.mem.put<uint8_t>(kStatus, 0xff);
}

// A request as Linux lays it out: header, data, status in three descriptors.
uint16_t request(VirtioBench& b, uint32_t type, uint64_t sector, uint32_t len, bool device_writes) {
  header(b, type, sector);
  std::vector<Buf> bufs{{kHdr, 16, false}};
  if (len) bufs.push_back({kBuf, len, device_writes});
  bufs.push_back({kStatus, 1, true});
  return b.add(0, bufs);
}

uint8_t status(VirtioBench& b) { return b.mem.get<uint8_t>(kStatus); }

TEST(VirtioBlk, IdentityFeaturesAndConfigSpace) {
  auto& t = blk(make_image());
  auto& b = t.bench;
  EXPECT_EQ(b.reg(VirtioMmio::kMagicValue), VirtioMmio::kMagic);
  EXPECT_EQ(b.reg(VirtioMmio::kVersion), 2u);
  EXPECT_EQ(b.reg(VirtioMmio::kDeviceId), 2u);
  const uint64_t f = b.device_features();
  for (uint64_t bit : {virtio::kFVersion1, virtio::kFEventIdx, virtio::kFIndirectDesc, VirtioBlk::kFFlush,
                       VirtioBlk::kFBlkSize, VirtioBlk::kFSegMax, VirtioBlk::kFDiscard, VirtioBlk::kFWriteZeroes})
    EXPECT_TRUE(f & bit) << std::hex << bit;
  EXPECT_FALSE(f & VirtioBlk::kFRo);
  // capacity (le64) as two 32-bit reads and as one 64-bit read; blk_size; seg_max.
  EXPECT_EQ(b.reg(VirtioMmio::kConfig), kSectors);
  EXPECT_EQ(b.reg(VirtioMmio::kConfig + 4), 0u);
  EXPECT_EQ(b.cpu.read<uint64_t>(VirtioMmio::kConfig), kSectors);
  EXPECT_EQ(b.reg(VirtioMmio::kConfig + VirtioBlk::kCfgBlkSize), 512u);
  EXPECT_EQ(b.reg(VirtioMmio::kConfig + VirtioBlk::kCfgSegMax), 254u);
  EXPECT_EQ(b.cpu.read<uint16_t>(VirtioMmio::kConfig + 2), 0u);
  EXPECT_EQ(b.cpu.read<uint8_t>(VirtioMmio::kConfig), uint8_t(kSectors));
  tlm::tlm_response_status s;
  b.cpu.read<uint32_t>(VirtioMmio::kConfig + 2, &s);
  EXPECT_EQ(s, tlm::TLM_ADDRESS_ERROR_RESPONSE) << "config accesses are naturally aligned";
  EXPECT_EQ(b.reg(VirtioMmio::kConfigGeneration), b.reg(VirtioMmio::kConfigGeneration));
  b.set(VirtioMmio::kQueueSel, 0);
  EXPECT_EQ(b.reg(VirtioMmio::kQueueNumMax), 256u);
  b.set(VirtioMmio::kQueueSel, 1);
  EXPECT_EQ(b.reg(VirtioMmio::kQueueNumMax), 0u) << "one request queue";
  EXPECT_EQ(b.reg(VirtioMmio::kShmLenLow), 0xffffffffu) << "no shared memory regions";
}

TEST(VirtioBlk, FeaturesOkNeedsVersion1) {
  auto& b = blk(make_image()).bench;
  EXPECT_FALSE(b.init(16, virtio::kFVersion1) & virtio::kStatusFeaturesOk) << "legacy drivers are refused";
  EXPECT_TRUE(b.init(16) & virtio::kStatusDriverOk);
  EXPECT_TRUE(b.init(16) & virtio::kStatusFeaturesOk);
}

TEST(VirtioBlk, WriteReadFlushChain) {
  const std::string image = make_image();
  auto& b = blk(image).bench;
  ASSERT_TRUE(b.init() & virtio::kStatusDriverOk);
  const std::string data = std::string(512, 'x') + std::string(512, 'y');
  b.fill(kBuf, data);
  const uint16_t w = request(b, VirtioBlk::kTypeOut, 3, 1024, false);
  b.notify(0);
  EXPECT_EQ(b.used_idx(0), 0) << "handled at the notify's time, not inside the register write";
  b.run();
  ASSERT_EQ(b.used_idx(0), 1);
  EXPECT_EQ(b.used_id(0, 0), w);
  EXPECT_EQ(b.used_len(0, 0), 1u) << "only the status byte was written";
  EXPECT_EQ(status(b), VirtioBlk::kStatusOk);
  EXPECT_TRUE(b.mmio.irq.level());
  EXPECT_EQ(b.ack(), VirtioMmio::kIntUsedBuffer);
  EXPECT_FALSE(b.mmio.irq.level()) << "InterruptACK lowers the level interrupt";
  EXPECT_EQ(file_bytes(image).substr(3 * 512, 1024), data) << "the write reached the image file";

  b.fill(kBuf, std::string(2048, 0));
  const uint16_t r = request(b, VirtioBlk::kTypeIn, 2, 2048, true);
  b.notify(0);
  b.run();
  ASSERT_EQ(b.used_idx(0), 2);
  EXPECT_EQ(b.used_id(0, 1), r);
  EXPECT_EQ(b.used_len(0, 1), 2049u) << "data and status";
  EXPECT_TRUE(b.mmio.irq.level());
  EXPECT_EQ(status(b), VirtioBlk::kStatusOk);
  EXPECT_EQ(b.bytes(kBuf, 2048), std::string(512, 'C') + data + std::string(512, 'F'));

  request(b, VirtioBlk::kTypeFlush, 0, 0, false);
  b.notify(0);
  b.run();
  EXPECT_EQ(b.used_idx(0), 3);
  EXPECT_EQ(status(b), VirtioBlk::kStatusOk);
  EXPECT_FALSE(b.needs_reset());
}

TEST(VirtioBlk, AnyFramingAndDmaWithoutDmi) {
  auto& b = blk(make_image()).bench;
  b.mem.dmi = false;  // every access through b_transport
  ASSERT_TRUE(b.init() & virtio::kStatusDriverOk);
  // Header split 5 + 11 bytes, then one buffer holding the data and the status.
  header(b, VirtioBlk::kTypeIn, 1);
  b.add(0, {{kHdr, 5, false}, {kHdr + 5, 11, false}, {kBuf, 513, true}});
  b.notify(0);
  b.run();
  ASSERT_EQ(b.used_idx(0), 1);
  EXPECT_EQ(b.bytes(kBuf, 512), std::string(512, 'B'));
  EXPECT_EQ(b.mem.get<uint8_t>(kBuf + 512), VirtioBlk::kStatusOk);
  EXPECT_GT(b.mem.transactions, 0u);
  EXPECT_EQ(b.mem.dmi_grants, 0u);
}

TEST(VirtioBlk, BadRequestsGetErrorStatus) {
  const std::string image = make_image();
  auto& b = blk(image).bench;
  ASSERT_TRUE(b.init() & virtio::kStatusDriverOk);
  struct Case {
    const char* what;
    uint32_t type;
    uint64_t sector;
    uint32_t len;
    bool device_writes;
    uint8_t expect;
  };
  const Case cases[] = {
      {"read past the end", VirtioBlk::kTypeIn, kSectors, 512, true, VirtioBlk::kStatusIoErr},
      {"read across the end", VirtioBlk::kTypeIn, kSectors - 1, 1024, true, VirtioBlk::kStatusIoErr},
      {"sector overflow", VirtioBlk::kTypeOut, ~0ull, 512, false, VirtioBlk::kStatusIoErr},
      {"not whole sectors", VirtioBlk::kTypeOut, 0, 100, false, VirtioBlk::kStatusIoErr},
      {"read into a device-readable buffer", VirtioBlk::kTypeIn, 0, 512, false, VirtioBlk::kStatusIoErr},
      {"write from a device-writable buffer", VirtioBlk::kTypeOut, 0, 512, true, VirtioBlk::kStatusIoErr},
      {"unknown type", 77, 0, 0, false, VirtioBlk::kStatusUnsupp},
  };
  uint16_t used = 0;
  for (const auto& c : cases) {
    request(b, c.type, c.sector, c.len, c.device_writes);
    b.notify(0);
    b.run();
    EXPECT_EQ(b.used_idx(0), ++used) << c.what;
    EXPECT_EQ(status(b), c.expect) << c.what;
  }
  // A data buffer past the end of guest memory.
  header(b, VirtioBlk::kTypeIn, 0);
  b.add(0, {{kHdr, 16, false}, {VirtioBench::kMemorySize - 256, 512, true}, {kStatus, 1, true}});
  b.notify(0);
  b.run();
  EXPECT_EQ(b.used_idx(0), ++used);
  EXPECT_EQ(status(b), VirtioBlk::kStatusIoErr);
  // A header shorter than 16 bytes.
  b.add(0, {{kHdr, 8, false}, {kStatus, 1, true}});
  b.mem.put<uint8_t>(kStatus, 0xff);
  b.notify(0);
  b.run();
  EXPECT_EQ(status(b), VirtioBlk::kStatusIoErr);
  EXPECT_FALSE(b.needs_reset()) << "request errors are reported per request";
  EXPECT_EQ(file_bytes(image), file_bytes(make_image())) << "no bad request wrote anything";
}

TEST(VirtioBlk, ReadonlyRefusesWrites) {
  const std::string image = make_image();
  auto& b = blk(image, /*readonly=*/true).bench;
  EXPECT_TRUE(b.device_features() & VirtioBlk::kFRo);
  EXPECT_FALSE(b.device_features() & VirtioBlk::kFDiscard);
  ASSERT_TRUE(b.init() & virtio::kStatusDriverOk);
  b.fill(kBuf, std::string(512, 'z'));
  request(b, VirtioBlk::kTypeOut, 0, 512, false);
  b.notify(0);
  b.run();
  EXPECT_EQ(status(b), VirtioBlk::kStatusIoErr);
  EXPECT_EQ(file_bytes(image), file_bytes(make_image()));
}

TEST(VirtioBlk, GetIdAndWriteZeroes) {
  const std::string image = make_image();
  auto& b = blk(image).bench;
  ASSERT_TRUE(b.init() & virtio::kStatusDriverOk);
  b.fill(kBuf, std::string(20, '#'));
  request(b, VirtioBlk::kTypeGetId, 0, 20, true);
  b.notify(0);
  b.run();
  EXPECT_EQ(status(b), VirtioBlk::kStatusOk);
  EXPECT_EQ(b.bytes(kBuf, 20), std::string("vp-disk-0") + std::string(11, '\0'));

  // WRITE_ZEROES of sectors 4..5 (one segment); DISCARD with unmap is refused.
  header(b, VirtioBlk::kTypeWriteZeroes, 0);
  b.mem.put<uint64_t>(kBuf, 4);
  b.mem.put<uint32_t>(kBuf + 8, 2);
  b.mem.put<uint32_t>(kBuf + 12, 0);
  b.add(0, {{kHdr, 16, false}, {kBuf, 16, false}, {kStatus, 1, true}});
  b.notify(0);
  b.run();
  EXPECT_EQ(status(b), VirtioBlk::kStatusOk);
  const std::string after = file_bytes(image);
  EXPECT_EQ(after.substr(4 * 512, 1024), std::string(1024, '\0'));
  EXPECT_EQ(after.substr(3 * 512, 512), std::string(512, 'D'));
  EXPECT_EQ(after.substr(6 * 512, 512), std::string(512, 'G'));
  header(b, VirtioBlk::kTypeDiscard, 0);
  b.mem.put<uint32_t>(kBuf + 12, 1);  // unmap
  b.add(0, {{kHdr, 16, false}, {kBuf, 16, false}, {kStatus, 1, true}});
  b.notify(0);
  b.run();
  EXPECT_EQ(status(b), VirtioBlk::kStatusUnsupp);
}

// Malformed chains and rings: the device stops with DEVICE_NEEDS_RESET and a
// configuration-change interrupt, returns nothing, and works again after a reset.
TEST(VirtioBlk, MalformedChainsNeedReset) {
  auto& b = blk(make_image()).bench;
  const uint64_t d = VirtioBench::desc(0);
  auto expect_needs_reset = [&](const char* what) {
    b.notify(0);
    b.run();
    EXPECT_TRUE(b.needs_reset()) << what;
    EXPECT_EQ(b.used_idx(0), 0) << what;
    EXPECT_TRUE(b.mmio.irq.level()) << what;
    EXPECT_EQ(b.reg(VirtioMmio::kInterruptStatus), VirtioMmio::kIntConfigChange) << what;
    EXPECT_FALSE(b.mmio.last_error().empty()) << what;
  };
  auto fresh = [&] { ASSERT_TRUE(b.init() & virtio::kStatusDriverOk); };

  fresh();
  header(b, VirtioBlk::kTypeIn, 0);
  b.put_desc(d, 0, kHdr, 16, kNext, 1);
  b.put_desc(d, 1, kBuf, 512, kNext | kWrite, 0);  // loops back to 0
  b.make_available(0, 0);
  expect_needs_reset("descriptor loop");

  fresh();
  b.put_desc(d, 0, kHdr, 16, kNext, 200);  // next past the 16-entry table
  b.make_available(0, 0);
  expect_needs_reset("next out of range");

  fresh();
  b.make_available(0, 16);
  expect_needs_reset("head out of range");

  fresh();
  b.mem.put<uint16_t>(VirtioBench::avail(0) + 2, 40);  // 40 new entries in a 16-entry ring
  expect_needs_reset("available index too far ahead");

  fresh();
  b.add(0, {{kHdr, 16, false}});
  expect_needs_reset("no status byte");

  fresh();
  b.add(0, {{kStatus, 1, true}, {kHdr, 16, false}});
  expect_needs_reset("readable after writable");

  fresh();
  b.put_desc(d, 0, VirtioBench::kMemorySize + 0x1000, 48, kIndirect, 0);
  b.make_available(0, 0);
  expect_needs_reset("indirect table outside memory");

  // The device works again after a reset.
  fresh();
  EXPECT_FALSE(b.needs_reset());
  request(b, VirtioBlk::kTypeIn, 0, 512, true);
  b.notify(0);
  b.run();
  EXPECT_EQ(b.used_idx(0), 1);
  EXPECT_EQ(status(b), VirtioBlk::kStatusOk);
}

TEST(VirtioBlk, BadQueueLayoutIsRefused) {
  auto& b = blk(make_image()).bench;
  b.set(VirtioMmio::kStatus, 0);
  b.set(VirtioMmio::kQueueSel, 0);
  b.set(VirtioMmio::kQueueNum, 12);  // not a power of two
  b.set(VirtioMmio::kQueueReady, 1);
  EXPECT_EQ(b.reg(VirtioMmio::kQueueReady), 0u);
  EXPECT_TRUE(b.needs_reset());
  b.set(VirtioMmio::kStatus, 0);
  EXPECT_FALSE(b.needs_reset());
  b.set(VirtioMmio::kQueueNum, 16);
  b.set(VirtioMmio::kQueueDescLow, 0x1008);  // descriptor table must be 16-byte aligned
  b.set(VirtioMmio::kQueueReady, 1);
  EXPECT_EQ(b.reg(VirtioMmio::kQueueReady), 0u);
  EXPECT_TRUE(b.needs_reset());
}

TEST(VirtioBlk, IndirectDescriptors) {
  auto& b = blk(make_image()).bench;
  ASSERT_TRUE(b.init() & virtio::kStatusDriverOk);
  const uint64_t table = kHdr + 0x800;
  header(b, VirtioBlk::kTypeIn, 5);
  const uint16_t head = b.add_indirect(0, {{kHdr, 16, false}, {kBuf, 512, true}, {kStatus, 1, true}}, table);
  b.notify(0);
  b.run();
  ASSERT_EQ(b.used_idx(0), 1);
  EXPECT_EQ(b.used_id(0, 0), head);
  EXPECT_EQ(status(b), VirtioBlk::kStatusOk);
  EXPECT_EQ(b.bytes(kBuf, 512), std::string(512, 'F'));

  // A normal descriptor followed by an indirect one (2.7.5.3.2 allows it).
  header(b, VirtioBlk::kTypeIn, 6);
  const uint64_t d = VirtioBench::desc(0);
  b.put_desc(table, 0, kBuf, 512, kWrite | kNext, 1);
  b.put_desc(table, 1, kStatus, 1, vp::dev::Virtqueue::kDescWrite, 0);
  b.put_desc(d, 8, kHdr, 16, kNext, 9);
  b.put_desc(d, 9, table, 32, kIndirect, 0);
  b.make_available(0, 8);
  b.notify(0);
  b.run();
  ASSERT_EQ(b.used_idx(0), 2);
  EXPECT_EQ(status(b), VirtioBlk::kStatusOk);
  EXPECT_EQ(b.bytes(kBuf, 512), std::string(512, 'G'));

  // An indirect descriptor inside an indirect table is refused.
  b.put_desc(table, 0, table, 32, kIndirect, 0);
  b.put_desc(d, 10, table, 32, kIndirect, 0);
  b.make_available(0, 10);
  b.notify(0);
  b.run();
  EXPECT_TRUE(b.needs_reset());
  EXPECT_EQ(b.used_idx(0), 2);

  // Without VIRTIO_F_INDIRECT_DESC negotiated an indirect descriptor is an error.
  ASSERT_TRUE(b.init(16, virtio::kFIndirectDesc) & virtio::kStatusDriverOk);
  header(b, VirtioBlk::kTypeIn, 5);
  b.add_indirect(0, {{kHdr, 16, false}, {kBuf, 512, true}, {kStatus, 1, true}}, table);
  b.notify(0);
  b.run();
  EXPECT_TRUE(b.needs_reset());
  EXPECT_EQ(b.used_idx(0), 0);
}

TEST(VirtioBlk, EventIndexSuppressesInterrupts) {
  auto& b = blk(make_image()).bench;
  b.auto_used_event = false;
  ASSERT_TRUE(b.init() & virtio::kStatusDriverOk);
  const uint64_t used_event = VirtioBench::avail(0) + 4 + 2 * 16;
  const uint64_t avail_event = VirtioBench::used(0) + 4 + 8 * 16;
  b.mem.put<uint16_t>(used_event, 1);  // interrupt once used.idx passes 1, i.e. reaches 2
  request(b, VirtioBlk::kTypeFlush, 0, 0, false);
  b.notify(0);
  b.run();
  EXPECT_EQ(b.used_idx(0), 1);
  EXPECT_FALSE(b.mmio.irq.level()) << "used_event 1 not reached yet";
  EXPECT_EQ(b.reg(VirtioMmio::kInterruptStatus), 0u);
  EXPECT_EQ(b.mem.get<uint16_t>(avail_event), 1) << "device asks to be notified of the next buffer";
  request(b, VirtioBlk::kTypeFlush, 0, 0, false);
  b.notify(0);
  b.run();
  EXPECT_EQ(b.used_idx(0), 2);
  EXPECT_TRUE(b.mmio.irq.level());
  EXPECT_EQ(b.mem.get<uint16_t>(avail_event), 2);
  b.ack();
  // Two requests in one notification with used_event 5: the batch ends at 4, no interrupt.
  b.mem.put<uint16_t>(used_event, 5);
  request(b, VirtioBlk::kTypeFlush, 0, 0, false);
  request(b, VirtioBlk::kTypeFlush, 0, 0, false);
  b.notify(0);
  b.run();
  EXPECT_EQ(b.used_idx(0), 4);
  EXPECT_FALSE(b.mmio.irq.level());

  // Without VIRTIO_F_EVENT_IDX the avail flag NO_INTERRUPT suppresses, and nothing is written after the used ring.
  ASSERT_TRUE(b.init(16, virtio::kFEventIdx) & virtio::kStatusDriverOk);
  b.mem.put<uint16_t>(VirtioBench::avail(0), vp::dev::Virtqueue::kAvailNoInterrupt);
  request(b, VirtioBlk::kTypeFlush, 0, 0, false);
  b.notify(0);
  b.run();
  EXPECT_EQ(b.used_idx(0), 1);
  EXPECT_FALSE(b.mmio.irq.level());
  EXPECT_EQ(b.mem.get<uint16_t>(avail_event), 0);
  b.mem.put<uint16_t>(VirtioBench::avail(0), 0);
  request(b, VirtioBlk::kTypeFlush, 0, 0, false);
  b.notify(0);
  b.run();
  EXPECT_TRUE(b.mmio.irq.level());
}

// The snapshot guarantee: the guest sees its writes, the image file keeps every byte.
TEST(VirtioBlk, SnapshotNeverChangesTheImage) {
  const std::string image = make_image();
  const std::string before = file_bytes(image);
  struct stat st_before {};
  ASSERT_EQ(stat(image.c_str(), &st_before), 0);
  auto& b = blk(image, false, /*snapshot=*/true).bench;
  EXPECT_FALSE(b.device_features() & VirtioBlk::kFRo) << "the guest may write";
  ASSERT_TRUE(b.init() & virtio::kStatusDriverOk);
  // Sector 9 alone (part of a 4 KiB overlay chunk), sectors 15..17 (across chunks), zeroes on 30..31.
  b.fill(kBuf, std::string(512, '1'));
  request(b, VirtioBlk::kTypeOut, 9, 512, false);
  b.notify(0);
  b.run();
  b.fill(kBuf, std::string(1536, '2'));
  request(b, VirtioBlk::kTypeOut, 15, 1536, false);
  b.notify(0);
  b.run();
  EXPECT_EQ(status(b), VirtioBlk::kStatusOk);
  header(b, VirtioBlk::kTypeWriteZeroes, 0);
  b.mem.put<uint64_t>(kBuf, 30);
  b.mem.put<uint32_t>(kBuf + 8, 2);
  b.mem.put<uint32_t>(kBuf + 12, 0);
  b.add(0, {{kHdr, 16, false}, {kBuf, 16, false}, {kStatus, 1, true}});
  b.notify(0);
  b.run();
  request(b, VirtioBlk::kTypeFlush, 0, 0, false);
  b.notify(0);
  b.run();
  EXPECT_EQ(b.used_idx(0), 4);
  EXPECT_EQ(status(b), VirtioBlk::kStatusOk);
  // The guest reads its own writes and the untouched neighbours from the image.
  request(b, VirtioBlk::kTypeIn, 8, 12 * 512, true);
  b.notify(0);
  b.run();
  EXPECT_EQ(status(b), VirtioBlk::kStatusOk);
  std::string expect;
  for (uint64_t s = 8; s < 20; ++s)
    expect += s == 9 ? std::string(512, '1') : s >= 15 && s <= 17 ? std::string(512, '2') : std::string(512, char('A' + s));
  EXPECT_EQ(b.bytes(kBuf, 12 * 512), expect);
  request(b, VirtioBlk::kTypeIn, 29, 3 * 512, true);
  b.notify(0);
  b.run();
  EXPECT_EQ(b.bytes(kBuf, 3 * 512), std::string(512, char('A' + 29 % 26)) + std::string(1024, '\0'));
  // The image: same bytes, never modified.
  EXPECT_EQ(file_bytes(image), before);
  struct stat st_after {};
  ASSERT_EQ(stat(image.c_str(), &st_after), 0);
  EXPECT_EQ(st_after.st_mtim.tv_sec, st_before.st_mtim.tv_sec);
  EXPECT_EQ(st_after.st_mtim.tv_nsec, st_before.st_mtim.tv_nsec);
}

// Status = 0 after QueueNotify but before the device handled it: the request
// is dropped, nothing reaches the image or the used ring, and after a new
// initialization the same request works.
TEST(VirtioBlk, ResetMidRequest) {
  const std::string image = make_image();
  auto& b = blk(image).bench;
  ASSERT_TRUE(b.init() & virtio::kStatusDriverOk);
  b.fill(kBuf, std::string(512, 'r'));
  request(b, VirtioBlk::kTypeOut, 0, 512, false);
  b.notify(0);
  b.set(VirtioMmio::kStatus, 0);
  EXPECT_EQ(b.reg(VirtioMmio::kStatus), 0u) << "reset completes at once";
  b.run();
  EXPECT_EQ(b.used_idx(0), 0);
  EXPECT_EQ(status(b), 0xff);
  EXPECT_FALSE(b.mmio.irq.level());
  EXPECT_EQ(file_bytes(image), file_bytes(make_image()));
  b.set(VirtioMmio::kQueueSel, 0);
  EXPECT_EQ(b.reg(VirtioMmio::kQueueReady), 0u) << "queues are reset too";

  ASSERT_TRUE(b.init() & virtio::kStatusDriverOk);
  b.fill(kBuf, std::string(512, 'r'));
  request(b, VirtioBlk::kTypeOut, 0, 512, false);
  b.notify(0);
  b.run();
  EXPECT_EQ(b.used_idx(0), 1);
  EXPECT_EQ(status(b), VirtioBlk::kStatusOk);
  EXPECT_EQ(file_bytes(image).substr(0, 512), std::string(512, 'r'));
}

TEST(VirtioBlk, NotificationsWaitForDriverOk) {
  auto& b = blk(make_image()).bench;
  b.init();
  b.set(VirtioMmio::kStatus, virtio::kStatusAcknowledge | virtio::kStatusDriver | virtio::kStatusFeaturesOk);
  request(b, VirtioBlk::kTypeFlush, 0, 0, false);
  b.notify(0);
  b.run();
  EXPECT_EQ(b.used_idx(0), 0) << "no buffers consumed before DRIVER_OK (2.1.2)";
  b.set(VirtioMmio::kStatus, virtio::kStatusAcknowledge | virtio::kStatusDriver | virtio::kStatusFeaturesOk |
                                 virtio::kStatusDriverOk);
  b.run();
  EXPECT_EQ(b.used_idx(0), 1);
}

TEST(VirtioBlk, MissingImageIsAClearError) {
  VirtioBlkConfig c;
  c.image = temp_dir() + "/none.img";
  try {
    VirtioBlk device(c);
    FAIL() << "opened a missing image";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("none.img"), std::string::npos) << e.what();
  }
  // A second writer of the same image is refused (the first holds the lock).
  c.image = make_image();
  VirtioBlk first(c);
  EXPECT_THROW(VirtioBlk second(c), std::runtime_error);
  c.snapshot = true;
  EXPECT_THROW(VirtioBlk reader(c), std::runtime_error) << "a snapshot reader would see torn writes";
}

}  // namespace

VP_SC_TEST_MAIN

// Checkpoint round trip (docs/checkpoints.md): the transport's registers, the
// queue's ring indexes and the snapshot overlay come back as saved; writes
// made after the save are gone; the next request continues the rings.
TEST(VirtioBlk, CheckpointRoundTrip) {
  const std::string image = make_image();
  const std::string original = file_bytes(image);
  auto& b = blk(image, false, true).bench;
  ASSERT_TRUE(b.init() & virtio::kStatusDriverOk);
  const std::string data = std::string(512, 'x') + std::string(512, 'y');
  b.fill(kBuf, data);
  request(b, VirtioBlk::kTypeOut, 3, 1024, false);
  b.notify(0);
  b.run();
  ASSERT_EQ(b.used_idx(0), 1);
  // Saved with the used-buffer interrupt still pending.
  vp::platform::StateWriter saved;
  ASSERT_TRUE(b.mmio.save_state(saved));
  const auto memory = b.mem.bytes;
  const uint32_t status_reg = b.reg(VirtioMmio::kStatus);

  // Change everything: another write, the interrupt acknowledged, a reset.
  b.fill(kBuf, std::string(512, 'z'));
  request(b, VirtioBlk::kTypeOut, 5, 512, false);
  b.notify(0);
  b.run();
  ASSERT_EQ(b.used_idx(0), 2);
  b.ack();
  b.set(VirtioMmio::kStatus, 0);
  EXPECT_EQ(b.reg(VirtioMmio::kQueueReady), 0u);

  b.mem.bytes = memory;  // guest RAM is the RAM model's state
  vp::platform::StateReader in(saved.data().data(), saved.data().size(), "virtio");
  b.mmio.restore_state(in);
  in.expect_end();
  EXPECT_EQ(b.reg(VirtioMmio::kStatus), status_reg);
  b.set(VirtioMmio::kQueueSel, 0);
  EXPECT_EQ(b.reg(VirtioMmio::kQueueReady), 1u);
  EXPECT_EQ(b.reg(VirtioMmio::kQueueNum), 16u);
  EXPECT_EQ(b.reg(VirtioMmio::kQueueDescLow), uint32_t(VirtioBench::desc(0)));
  EXPECT_TRUE(b.mmio.irq.level()) << "the pending interrupt is restored";
  EXPECT_EQ(b.ack(), VirtioMmio::kIntUsedBuffer);

  b.fill(kBuf, std::string(3 * 512, 0));
  request(b, VirtioBlk::kTypeIn, 3, 3 * 512, true);
  b.notify(0);
  b.run();
  ASSERT_EQ(b.used_idx(0), 2) << "the ring continues from the saved index";
  EXPECT_EQ(status(b), VirtioBlk::kStatusOk);
  EXPECT_EQ(b.bytes(kBuf, 3 * 512), data + std::string(512, 'F'))
      << "the overlay holds the saved write, not the later one";
  EXPECT_FALSE(b.needs_reset());
  EXPECT_EQ(file_bytes(image), original) << "snapshot: the image file never changes";

  // A truncated or foreign record is a clear StateError.
  vp::platform::StateReader cut(saved.data().data(), saved.data().size() - 100, "virtio0");
  try {
    b.mmio.restore_state(cut);
    ADD_FAILURE() << "a truncated record was accepted";
  } catch (const vp::platform::StateError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
  vp::platform::StateWriter foreign;
  foreign.tag("virtio_mmio/1");
  vp::platform::StateReader old(foreign.data().data(), foreign.data().size(), "virtio0");
  EXPECT_THROW(b.mmio.restore_state(old), vp::platform::StateError);
}

// A writable disk's file keeps changing after a checkpoint: refused with why.
TEST(VirtioBlk, WritableDiskRefusesCheckpoint) {
  auto& b = blk(make_image()).bench;
  vp::platform::StateWriter out;
  try {
    b.mmio.save_state(out);
    ADD_FAILURE() << "a writable disk was checkpointed";
  } catch (const vp::platform::StateError& e) {
    EXPECT_NE(std::string(e.what()).find("snapshot: true"), std::string::npos) << e.what();
  }
}
