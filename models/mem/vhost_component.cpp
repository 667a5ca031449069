#include "models/mem/vhost_component.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

#include "models/mem/vhost_memory.h"

namespace vp::mem {
namespace {

// The component whose socket currently backs __vhost_bb_mem_* (the last one built).
VhostMemories* g_map_owner = nullptr;

void make_dirs(const std::string& dir) {
  std::string partial;
  for (size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') {
      if (!partial.empty() && ::mkdir(partial.c_str(), 0777) != 0 && errno != EEXIST)
        throw std::runtime_error("cannot create directory " + partial + ": " + std::strerror(errno));
    }
    if (i < dir.size()) partial.push_back(dir[i]);
  }
}

}  // namespace

std::string vhost_port_name(const std::string& path) {
  std::string out = path;
  for (char& c : out)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) c = '_';
  return out;
}

VhostMemories::VhostMemories(const sc_core::sc_module_name& name, const VhostConfig& config)
    : Component(name), config_(config) {
  for (const auto& def : config_.definition.memories) {
    if (def.kind != MemoryDef::Kind::BlackBox && def.space != config_.space) continue;
    const int id = int(instances_.size());
    instances_.push_back(std::make_unique<MemoryInstance>(def, config_.dir));
    auto socket = std::make_unique<Socket>(("m" + std::to_string(id)).c_str());
    socket->register_b_transport(this, &VhostMemories::b_transport, id);
    socket->register_transport_dbg(this, &VhostMemories::transport_dbg, id);
    expose_target(vhost_port_name(def.path), *socket, def.size);
    sockets_.push_back(std::move(socket));
  }
  if (config_.memory_map) {
    mem.bind(*this);
    expose_initiator("mem", mem);
    g_map_owner = this;
    set_vhost_memory_map([this](uint64_t addr, void* data, size_t len, bool write) {
      return physical(addr, data, len, write);
    });
  }
}

VhostMemories::~VhostMemories() {
  // A run that ended without sc_stop (an instruction or time limit) still exports.
  if (sc_core::sc_start_of_simulation_invoked()) end_of_simulation();
  if (g_map_owner == this) {
    g_map_owner = nullptr;
    set_vhost_memory_map(nullptr);
  }
}

MemoryInstance* VhostMemories::instance(const std::string& path) const {
  for (const auto& i : instances_)
    if (i->def().path == path) return i.get();
  return nullptr;
}

std::vector<std::string> VhostMemories::export_all(const std::string& dir) const {
  make_dirs(dir);
  std::vector<std::string> files;
  for (const auto& i : instances_) {
    auto f = i->export_hex(dir);
    files.insert(files.end(), f.begin(), f.end());
  }
  return files;
}

void VhostMemories::end_of_simulation() {
  if (config_.export_dir.empty() || exported_) return;
  exported_ = true;
  try {
    export_all(config_.export_dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: export to %s failed: %s\n", name(), config_.export_dir.c_str(), e.what());
  }
}

size_t VhostMemories::physical(uint64_t addr, void* data, size_t len, bool write) {
  size_t done = 0;
  auto* p = static_cast<uint8_t*>(data);
  while (done < len) {
    const unsigned chunk = unsigned(std::min<size_t>(len - done, 1u << 16));
    tlm::tlm_generic_payload gp;
    gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(addr + done);
    gp.set_data_ptr(p + done);
    gp.set_data_length(chunk);
    gp.set_streaming_width(chunk);
    const unsigned n = mem->transport_dbg(gp);
    if (write) report_store(addr + done, p + done, n);
    done += n;
    if (n != chunk) break;
  }
  return done;
}

tlm::tlm_response_status VhostMemories::access(int id, tlm::tlm_generic_payload& gp) {
  if (gp.get_byte_enable_ptr()) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
  MemoryInstance& m = *instances_[size_t(id)];
  const uint64_t addr = gp.get_address();
  const unsigned len = gp.get_data_length();
  if (gp.is_read()) return m.read(addr, gp.get_data_ptr(), len) ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE;
  if (gp.is_write()) return m.write(addr, gp.get_data_ptr(), len) ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE;
  return tlm::TLM_OK_RESPONSE;
}

void VhostMemories::b_transport(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  gp.set_response_status(access(id, gp));
  delay += config_.latency;
}

unsigned VhostMemories::transport_dbg(int id, tlm::tlm_generic_payload& gp) {
  return access(id, gp) == tlm::TLM_OK_RESPONSE ? gp.get_data_length() : 0;
}

}  // namespace vp::mem
