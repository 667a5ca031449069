// Checkpoint state of a RAM or ROM: only pages holding a nonzero byte, deflated
// with zlib. Pages the host never committed (mincore) are skipped unread, so a
// 4 GiB RAM of which the guest touched 10 MiB costs 10 MiB to scan.
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "models/mem/ram.h"

namespace vp::mem {
namespace {

constexpr uint64_t kPage = 4096;  // the format's page size, whatever the host's

bool all_zero(const uint8_t* p, uint64_t len) {
  uint64_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (w) return false;
  }
  for (; i < len; ++i)
    if (p[i]) return false;
  return true;
}

}  // namespace

bool Ram::save_state(platform::StateWriter& out) const {
  const uint64_t size = config_.size;
  // Host pages the guest (or a loader) touched; the rest read as zero.
  const uint64_t host_page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((size + host_page - 1) / host_page, 1);
  if (mincore(data_, size, resident.data()) != 0) std::fill(resident.begin(), resident.end(), 1);
  std::vector<uint64_t> pages;
  for (uint64_t off = 0; off < size; off += kPage) {
    const uint64_t len = std::min(kPage, size - off);
    bool touched = false;
    for (uint64_t h = off / host_page; h <= (off + len - 1) / host_page; ++h) touched |= (resident[h] & 1) != 0;
    if (touched && !all_zero(data_ + off, len)) pages.push_back(off);
  }
  z_stream z{};
  if (deflateInit(&z, Z_BEST_SPEED) != Z_OK) throw std::runtime_error(std::string(name()) + ": zlib deflateInit failed");
  std::vector<uint8_t> packed;
  uint8_t chunk[64 * 1024];
  auto pump = [&](int flush) {
    do {
      z.next_out = chunk;
      z.avail_out = sizeof chunk;
      deflate(&z, flush);
      packed.insert(packed.end(), chunk, chunk + (sizeof chunk - z.avail_out));
    } while (z.avail_out == 0);
  };
  for (const uint64_t off : pages) {
    z.next_in = data_ + off;
    z.avail_in = static_cast<uInt>(std::min(kPage, size - off));
    pump(Z_NO_FLUSH);
  }
  pump(Z_FINISH);
  deflateEnd(&z);

  out.tag("ram/1");
  out.u64(size);
  out.u64(pages.size());
  for (const uint64_t off : pages) out.u64(off);
  out.blob(packed.data(), packed.size());
  return true;
}

void Ram::restore_state(platform::StateReader& in) {
  const uint64_t size = config_.size;
  in.tag("ram/1");
  in.expect_u64(size, "the memory size");
  const uint64_t n = in.count((size + kPage - 1) / kPage);
  std::vector<uint64_t> pages(n);
  for (uint64_t i = 0; i < n; ++i) {
    pages[i] = in.u64();
    if (pages[i] % kPage || pages[i] >= size || (i && pages[i] <= pages[i - 1]))
      in.fail("page offset " + std::to_string(pages[i]) + " is out of order or outside the memory");
  }
  // At most the pages' bytes compressed by zlib's worst case (deflateBound).
  const std::vector<uint8_t> packed = in.blob(static_cast<size_t>(compressBound(static_cast<uLong>(n * kPage)) + 64));
  madvise(data_, size, MADV_DONTNEED);  // every other page reads as zero again
  z_stream z{};
  if (inflateInit(&z) != Z_OK) in.fail("zlib inflateInit failed");
  z.next_in = const_cast<Bytef*>(packed.data());
  z.avail_in = static_cast<uInt>(packed.size());
  int rc = Z_OK;
  bool filled = true;
  for (const uint64_t off : pages) {
    z.next_out = data_ + off;
    z.avail_out = static_cast<uInt>(std::min(kPage, size - off));
    while (z.avail_out && rc == Z_OK) rc = inflate(&z, Z_NO_FLUSH);
    if (z.avail_out) {
      filled = false;  // the stream ended (or failed) before the page list did
      break;
    }
  }
  if (filled && rc == Z_OK) {  // the stream must end exactly here
    uint8_t extra;
    z.next_out = &extra;
    z.avail_out = 1;
    rc = inflate(&z, Z_FINISH);
    if (z.avail_out == 0) filled = false;
  }
  const bool ok = filled && rc == Z_STREAM_END && z.avail_in == 0;
  inflateEnd(&z);
  if (!ok) in.fail("the compressed memory contents are corrupt or do not match the page list");
}

}  // namespace vp::mem
