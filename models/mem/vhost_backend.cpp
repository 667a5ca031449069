#include "models/mem/vhost_backend.h"

#include <algorithm>
#include <cstring>
#include <mutex>

#include "models/mem/vhost_memory.h"
#include "platform/source_location.h"

namespace vp::mem {

namespace {

std::mutex g_backdoor_mutex;
HdlBackdoor g_backdoor;

uint64_t words_of(const MemoryDef& m, unsigned word_bytes) { return m.size / word_bytes; }

}  // namespace

std::optional<VhostBackendKind> vhost_backend_kind(const std::string& name) {
  if (name == "logging") return VhostBackendKind::Logging;
  if (name == "hdl") return VhostBackendKind::Hdl;
  if (name == "api") return VhostBackendKind::Api;
  if (name == "static") return VhostBackendKind::Static;
  return std::nullopt;
}

const char* vhost_backend_name(VhostBackendKind kind) {
  switch (kind) {
    case VhostBackendKind::Logging: return "logging";
    case VhostBackendKind::Hdl: return "hdl";
    case VhostBackendKind::Api: return "api";
    case VhostBackendKind::Static: return "static";
  }
  return "?";
}

void set_hdl_backdoor(const HdlBackdoor& backdoor) {
  std::lock_guard<std::mutex> lock(g_backdoor_mutex);
  g_backdoor = backdoor;
}

HdlBackdoor hdl_backdoor() {
  std::lock_guard<std::mutex> lock(g_backdoor_mutex);
  return g_backdoor;
}

std::string hdl_element_path(const MemoryDef& m, unsigned bank, uint64_t row) {
  std::string p = m.path;
  if (m.kind == MemoryDef::Kind::Banked) return p + "[" + std::to_string(bank) + "][" + std::to_string(row) + "]";
  if (m.array_dims.empty()) return p + "[" + std::to_string(row) + "]";
  // Row-major: the last dimension varies fastest.
  std::vector<uint64_t> index(m.array_dims.size());
  for (size_t i = m.array_dims.size(); i-- > 0;) {
    index[i] = row % m.array_dims[i];
    row /= m.array_dims[i];
  }
  for (uint64_t i : index) p += "[" + std::to_string(i) + "]";
  return p;
}

// ---- local storage: logging and static ----

StorageBackend::StorageBackend(VhostBackendKind kind, const MemoryDefinition& def, const std::string& dir, FILE* log)
    : kind_(kind), log_(kind == VhostBackendKind::Logging ? log : nullptr) {
  uint64_t total = 0;
  for (const auto& m : def.memories) {
    total += m.size;
    if (total > kMaxStorage)
      throw platform::ConfigError(m.where, "memory " + m.path + ": the " + vhost_backend_name(kind) +
                                               " backend keeps local copies, and the memories exceed its 4GiB "
                                               "(use the hdl or api backend)");
  }
  for (const auto& m : def.memories) instances_.push_back(std::make_unique<MemoryInstance>(m, dir));
}

MemoryInstance* StorageBackend::instance(const MemoryDef& m) const {
  for (const auto& i : instances_)
    if (i->def().path == m.path) return i.get();
  return nullptr;
}

bool StorageBackend::read(const MemoryDef& m, uint64_t offset, void* data, uint64_t len) {
  MemoryInstance* i = instance(m);
  if (!i || !i->read(offset, data, len)) {
    error_ = m.path + ": no storage for +" + std::to_string(offset) + ", " + std::to_string(len) + " bytes";
    return false;
  }
  ++syncs_;
  if (log_) std::fprintf(log_, "vhost: sync %s +0x%llx %llu bytes\n", m.path.c_str(), (unsigned long long)offset,
                         (unsigned long long)len);
  return true;
}

bool StorageBackend::write(const MemoryDef& m, uint64_t offset, const void* data, uint64_t len) {
  MemoryInstance* i = instance(m);
  if (!i || !i->write(offset, data, len)) {
    error_ = m.path + ": no storage for +" + std::to_string(offset) + ", " + std::to_string(len) + " bytes";
    return false;
  }
  ++flushes_;
  if (log_) std::fprintf(log_, "vhost: flush %s +0x%llx %llu bytes\n", m.path.c_str(), (unsigned long long)offset,
                         (unsigned long long)len);
  return true;
}

void StorageBackend::flush(const Sink& sink) const {
  for (const auto& i : instances_) {
    const MemoryDef& d = i->def();
    const unsigned banks = i->bank_count();
    for (unsigned b = 0; b < banks; ++b) {
      StaticMem s;
      s.path = banks > 1 ? d.path + ".bank" + std::to_string(b) : d.path;
      s.width = i->word_bytes() * 8;
      s.depth = i->bank_data(b).size() / i->word_bytes();
      sink(s, i->bank_data(b), i->bank_valid_ranges(b));
    }
  }
}

// ---- the HDL backdoor ----

// One element (word) of `m`: read into `bytes`, or deposit `bytes`.
bool HdlBackend::element(const MemoryDef& m, uint64_t word, bool deposit, uint8_t* bytes) {
  const HdlBackdoor b = hdl_backdoor();
  if (deposit ? !b.deposit : !b.read) {
    error_ = std::string("no HDL backdoor ") + (deposit ? "deposit" : "read") +
             " function registered (vp_mailbox_bind_sv() from the testbench, or vp_hdl_set_backdoor())";
    return false;
  }
  const bool banked = m.kind == MemoryDef::Kind::Banked;
  const unsigned wb = (banked ? m.bank_width : m.width) / 8;
  const unsigned bank = banked ? unsigned(word % m.banks) : 0;
  const uint64_t row = banked ? word / m.banks : word;
  const std::string path = hdl_element_path(m, bank, row);
  uint32_t value[kHdlMaxBits / 32] = {};
  if (deposit) {
    for (unsigned k = 0; k < wb; ++k) value[k / 4] |= uint32_t(bytes[k]) << (8 * (k % 4));
    if (b.deposit(b.user, path.c_str(), value) != 0) {
      error_ = "HDL deposit of " + path + " failed";
      return false;
    }
    return true;
  }
  if (b.read(b.user, path.c_str(), value) != 0) {
    error_ = "HDL read of " + path + " failed";
    return false;
  }
  for (unsigned k = 0; k < wb; ++k) bytes[k] = uint8_t(value[k / 4] >> (8 * (k % 4)));
  return true;
}

bool HdlBackend::read(const MemoryDef& m, uint64_t offset, void* data, uint64_t len) {
  if (m.kind == MemoryDef::Kind::BlackBox) {
    ApiBackend api;
    if (api.read(m, offset, data, len)) return true;
    error_ = api.error();
    return false;
  }
  const unsigned wb = (m.kind == MemoryDef::Kind::Banked ? m.bank_width : m.width) / 8;
  auto* out = static_cast<uint8_t*>(data);
  uint8_t word[kHdlMaxBits / 8];
  for (uint64_t done = 0; done < len;) {
    const uint64_t w = (offset + done) / wb, first = (offset + done) % wb;
    const uint64_t n = std::min<uint64_t>(wb - first, len - done);
    if (w >= words_of(m, wb) || !element(m, w, false, word)) return false;
    std::memcpy(out + done, word + first, n);
    done += n;
  }
  return true;
}

bool HdlBackend::write(const MemoryDef& m, uint64_t offset, const void* data, uint64_t len) {
  if (m.kind == MemoryDef::Kind::BlackBox) {
    ApiBackend api;
    if (api.write(m, offset, data, len)) return true;
    error_ = api.error();
    return false;
  }
  const unsigned wb = (m.kind == MemoryDef::Kind::Banked ? m.bank_width : m.width) / 8;
  const auto* in = static_cast<const uint8_t*>(data);
  uint8_t word[kHdlMaxBits / 8];
  for (uint64_t done = 0; done < len;) {
    const uint64_t w = (offset + done) / wb, first = (offset + done) % wb;
    const uint64_t n = std::min<uint64_t>(wb - first, len - done);
    if (w >= words_of(m, wb)) return false;
    // A part of a word: read, merge, deposit.
    if (n != wb && !element(m, w, false, word)) return false;
    std::memcpy(word + first, in + done, n);
    if (!element(m, w, true, word)) return false;
    done += n;
  }
  return true;
}

// ---- the black-box C API ----

bool ApiBackend::read(const MemoryDef& m, uint64_t offset, void* data, uint64_t len) {
  if (__vhost_bb_mem_read(m.base, offset, data, len) == 0) return true;
  error_ = "__vhost_bb_mem_read(" + m.path + " +" + std::to_string(offset) + ", " + std::to_string(len) +
           " bytes) failed";
  return false;
}

bool ApiBackend::write(const MemoryDef& m, uint64_t offset, const void* data, uint64_t len) {
  if (__vhost_bb_mem_write(m.base, offset, data, len) == 0) return true;
  error_ = "__vhost_bb_mem_write(" + m.path + " +" + std::to_string(offset) + ", " + std::to_string(len) +
           " bytes) failed";
  return false;
}

std::unique_ptr<VhostBackend> make_vhost_backend(VhostBackendKind kind, const MemoryDefinition& def,
                                                 const std::string& dir, FILE* log) {
  switch (kind) {
    case VhostBackendKind::Static:
      for (const auto& m : def.memories)
        if (m.kind == MemoryDef::Kind::BlackBox)
          throw platform::ConfigError(m.where, "black box " + m.path +
                                                   ": the static backend exports RTL arrays only (black boxes "
                                                   "have no HDL instance to export)");
      [[fallthrough]];
    case VhostBackendKind::Logging:
      return std::make_unique<StorageBackend>(kind, def, dir, log);
    case VhostBackendKind::Hdl:
      return std::make_unique<HdlBackend>();
    case VhostBackendKind::Api:
      return std::make_unique<ApiBackend>();
  }
  return nullptr;
}

}  // namespace vp::mem
