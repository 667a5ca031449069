#pragma once
// Where a verification host's accesses to the memories of a vhost memory
// definition go, chosen at run time (vhost selects one at build time):
//   logging    local storage; every sync (read) and flush (write) is logged
//   hdl        the RTL's arrays through the testbench's backdoor, one element
//              at a time by hierarchical path (uvm_hdl_read/deposit analogue)
//   api        __vhost_bb_mem_read/write(base, offset, ...) for every memory
//   static     local storage with the bytes written, handed to a sink
//              (static export with valid ranges); black boxes are refused
// Offsets are within one memory of the definition; the caller (the host)
// checks them against its size. See docs/rtl.md.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/mem/memory_definition.h"

namespace vp::mem {

enum class VhostBackendKind { Logging, Hdl, Api, Static };
std::optional<VhostBackendKind> vhost_backend_kind(const std::string& name);
const char* vhost_backend_name(VhostBackendKind kind);

// The HDL backdoor: reads or deposits one element of an RTL array, by path.
// `value` holds the element's bits in 32-bit little-endian chunks (the DPI
// svBitVecVal layout), at most kHdlMaxBits. Returns 0 on success.
constexpr unsigned kHdlMaxBits = 1024;
struct HdlBackdoor {
  int (*read)(void* user, const char* path, uint32_t* value) = nullptr;
  int (*deposit)(void* user, const char* path, const uint32_t* value) = nullptr;
  void* user = nullptr;
};
// The process's backdoor (set by the SV glue or by a C host); read at every access.
void set_hdl_backdoor(const HdlBackdoor& backdoor);
HdlBackdoor hdl_backdoor();
// The element path of word `word` of memory `m` (bank `bank` for banked memories):
// path[word], path[i][j]... with array_dims (row-major), path[bank][row] when banked.
std::string hdl_element_path(const MemoryDef& m, unsigned bank, uint64_t row);

class VhostBackend {
 public:
  virtual ~VhostBackend() = default;
  virtual VhostBackendKind kind() const = 0;
  // False when the access failed; error() says why.
  virtual bool read(const MemoryDef& m, uint64_t offset, void* data, uint64_t len) = 0;
  virtual bool write(const MemoryDef& m, uint64_t offset, const void* data, uint64_t len) = 0;
  const std::string& error() const { return error_; }

 protected:
  std::string error_;
};

// Local storage (logging and static): one MemoryInstance per memory, with its init method.
class StorageBackend : public VhostBackend {
 public:
  static constexpr uint64_t kMaxStorage = 4ull << 30;  // bytes of local copies, all memories together
  // `log`: where the logging backend writes its lines (nullptr: nowhere).
  // Throws platform::ConfigError when the memories exceed kMaxStorage.
  StorageBackend(VhostBackendKind kind, const MemoryDefinition& def, const std::string& dir, FILE* log);
  VhostBackendKind kind() const override { return kind_; }
  bool read(const MemoryDef& m, uint64_t offset, void* data, uint64_t len) override;
  bool write(const MemoryDef& m, uint64_t offset, const void* data, uint64_t len) override;
  const std::vector<std::unique_ptr<MemoryInstance>>& instances() const { return instances_; }
  uint64_t syncs() const { return syncs_; }
  uint64_t flushes() const { return flushes_; }

  // Static export: one buffer per memory (per bank of a banked memory), named
  // by its RTL path (banks: path.bank<N>), with the byte ranges written.
  struct StaticMem {
    std::string path;
    unsigned width;   // bits per word
    uint64_t depth;   // words
  };
  using Sink = std::function<void(const StaticMem& mem, const std::vector<uint8_t>& data,
                                  const std::vector<std::pair<uint64_t, uint64_t>>& valid)>;
  void flush(const Sink& sink) const;

 private:
  MemoryInstance* instance(const MemoryDef& m) const;

  VhostBackendKind kind_;
  FILE* log_;
  std::vector<std::unique_ptr<MemoryInstance>> instances_;
  uint64_t syncs_ = 0, flushes_ = 0;
};

// The RTL's arrays through the HDL backdoor (black boxes through the api backend).
class HdlBackend : public VhostBackend {
 public:
  VhostBackendKind kind() const override { return VhostBackendKind::Hdl; }
  bool read(const MemoryDef& m, uint64_t offset, void* data, uint64_t len) override;
  bool write(const MemoryDef& m, uint64_t offset, const void* data, uint64_t len) override;

 private:
  bool element(const MemoryDef& m, uint64_t word, bool deposit, uint8_t* bytes);
};

// Every memory through __vhost_bb_mem_read/write(m.base, offset, ...).
class ApiBackend : public VhostBackend {
 public:
  VhostBackendKind kind() const override { return VhostBackendKind::Api; }
  bool read(const MemoryDef& m, uint64_t offset, void* data, uint64_t len) override;
  bool write(const MemoryDef& m, uint64_t offset, const void* data, uint64_t len) override;
};

// Throws platform::ConfigError (static: a black box, located in the definition).
std::unique_ptr<VhostBackend> make_vhost_backend(VhostBackendKind kind, const MemoryDefinition& def,
                                                 const std::string& dir, FILE* log);

}  // namespace vp::mem
