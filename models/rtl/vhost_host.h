#pragma once
// The verification host (vhost's mailbox_init / mb_server_run): a mailbox
// server for firmware running on RTL, when the testbench (or any C/C++
// program) is the top level and no SystemC kernel runs. Guest memory is the
// memories of one space of a vhost memory definition (MEM_CFG_FILE), reached
// through a backend chosen at run time (models/mem/vhost_backend.h). The
// mailbox configuration (MAILBOX_CFG_FILE, or YAML text) names the space, the
// backend and the channels: 8-byte slots in guest memory where the guest
// writes the address of a request block; poll() serves every non-zero slot
// and clears it. The C API over one process-wide host: models/rtl/vp_mailbox.h.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/mem/memory_definition.h"
#include "models/mem/vhost_backend.h"
#include "models/rtl/mailbox_engine.h"
#include "platform/source_location.h"

namespace vp::rtl {

struct VhostChannel {
  std::string name;
  uint64_t address = 0;  // of the 8-byte slot (u64 request block address, 0 = idle)
  platform::SourceLocation where;
};

struct VhostHostConfig {
  mem::MemoryDefinition definition;
  std::string definition_dir = ".";  // hex init files are relative to it
  std::string space;                 // whose direct/banked memories the guest addresses (with the black boxes)
  mem::VhostBackendKind backend = mem::VhostBackendKind::Logging;
  FILE* log = stderr;                // logging backend
  std::vector<VhostChannel> channels;
  MailboxEngineConfig engine;
};

// The mailbox configuration (YAML `text`, named `file` in errors) over a
// parsed memory definition. Keys: space, backend (logging, hdl, api, static),
// log (stderr, stdout, none), output (PRINT: stdout, stderr, none),
// max_length, max_call_args, max_files, channels: [{name, address}].
// `backend_override` (VP_MAILBOX_BACKEND) replaces the file's backend.
// Throws platform::ConfigError with file:line:column.
VhostHostConfig parse_vhost_host_config(const std::string& text, const std::string& file,
                                        mem::MemoryDefinition definition, const std::string& definition_dir,
                                        const std::string& backend_override = "");

class VhostHost : public GuestMemory {
 public:
  // Builds the backend and applies the memories' init methods through it.
  // Throws platform::ConfigError (static backend with black boxes, init files)
  // or std::runtime_error (an init write the backend refused).
  explicit VhostHost(VhostHostConfig config);

  const VhostHostConfig& config() const { return config_; }
  mem::VhostBackend& backend() { return *backend_; }

  // Guest memory: addresses of the configured space (and the black boxes);
  // a range may span adjacent memories. False: unmapped, or the backend failed
  // (error() says which).
  bool read(uint64_t addr, void* data, uint64_t len) override;
  bool write(uint64_t addr, const void* data, uint64_t len) override;
  const std::string& error() const { return error_; }

  // Serves every channel whose slot is not 0 (then clears it). Returns the
  // requests served, or -1 when a slot could not be read or cleared (error()).
  int poll();
  // Serves the request block at `block` (a testbench with its own doorbell).
  uint32_t serve(uint64_t block, uint64_t& result);
  uint64_t served() const { return served_; }
  // The code of the guest's EXIT request, once there was one.
  std::optional<int> exit_code() const { return exit_code_; }

  // Writes an ELF file's loadable segments into guest memory through the
  // backend (every byte must land in a memory). Throws mem::LoadError.
  void load_elf(const std::string& path);

 private:
  VhostHostConfig config_;
  std::unique_ptr<mem::VhostBackend> backend_;
  std::unique_ptr<MailboxEngine> engine_;
  std::string error_;
  uint64_t served_ = 0;
  std::optional<int> exit_code_;
};

}  // namespace vp::rtl
