#include "models/rtl/vhost_host.h"

#include <algorithm>
#include <stdexcept>

#include "models/mem/elf_file.h"
#include "platform/config_checks.h"
#include "platform/config_node.h"
#include "platform/loader.h"
#include "platform/units.h"

namespace vp::rtl {

using platform::ConfigError;
using platform::ConfigNode;
using platform::check_keys;
using platform::config_choice;
using platform::config_number;
using platform::expect_kind;

namespace {

FILE* stream(const std::string& name) { return name == "stdout" ? stdout : name == "stderr" ? stderr : nullptr; }

const std::vector<std::string> kBackends = {"logging", "hdl", "api", "static"};

}  // namespace

VhostHostConfig parse_vhost_host_config(const std::string& text, const std::string& file,
                                        mem::MemoryDefinition definition, const std::string& definition_dir,
                                        const std::string& backend_override) {
  VhostHostConfig c;
  c.definition = std::move(definition);
  c.definition_dir = definition_dir;
  const ConfigNode root = platform::parse_yaml(text, file);
  static const ConfigNode empty;
  const ConfigNode& r = root.is_null() ? empty : expect_kind(root, ConfigNode::Kind::Map, "a mailbox configuration map");
  check_keys(r, {"space", "backend", "log", "output", "max_length", "max_call_args", "max_files", "channels"});

  std::vector<std::string> spaces;
  for (const auto& m : c.definition.memories)
    if (m.kind != mem::MemoryDef::Kind::BlackBox && std::find(spaces.begin(), spaces.end(), m.space) == spaces.end())
      spaces.push_back(m.space);
  if (const ConfigNode* s = r.find("space")) {
    c.space = expect_kind(*s, ConfigNode::Kind::Scalar, "a space name").scalar;
    if (std::find(spaces.begin(), spaces.end(), c.space) == spaces.end())
      throw ConfigError(s->where, "no space '" + c.space + "' in " + c.definition.file +
                                      platform::did_you_mean_hint(c.space, spaces));
  } else if (spaces.size() == 1) {
    c.space = spaces.front();
  } else if (spaces.size() > 1) {
    std::string list;
    for (const auto& s : spaces) list += (list.empty() ? "" : ", ") + s;
    throw ConfigError(r.where.file.empty() ? platform::SourceLocation{file, 1, 1} : r.where,
                      "the memory definition has several spaces (" + list + "): choose one with 'space:'");
  }

  if (const ConfigNode* b = r.find("backend")) c.backend = *mem::vhost_backend_kind(config_choice(*b, "backend", kBackends));
  if (!backend_override.empty()) {
    auto k = mem::vhost_backend_kind(backend_override);
    if (!k)
      throw ConfigError({"VP_MAILBOX_BACKEND", 0, 0}, "unknown backend '" + backend_override +
                                                          "' (expected logging, hdl, api or static)" +
                                                          platform::did_you_mean_hint(backend_override, kBackends));
    c.backend = *k;
  }
  if (const ConfigNode* l = r.find("log")) c.log = stream(config_choice(*l, "log", {"stderr", "stdout", "none"}));
  if (const ConfigNode* o = r.find("output")) c.engine.output = stream(config_choice(*o, "output", {"stdout", "stderr", "none"}));
  if (const ConfigNode* n = r.find("max_length")) c.engine.max_length = config_number(*n, "max_length", true);
  if (const ConfigNode* n = r.find("max_call_args")) {
    const uint64_t v = config_number(*n, "max_call_args", false);
    if (v > 256) throw ConfigError(n->where, "max_call_args: must be at most 256");
    c.engine.max_call_args = unsigned(v);
  }
  if (const ConfigNode* n = r.find("max_files")) {
    const uint64_t v = config_number(*n, "max_files", false);
    if (v > 1024) throw ConfigError(n->where, "max_files: must be at most 1024");
    c.engine.max_files = unsigned(v);
  }
  if (const ConfigNode* ch = r.find("channels")) {
    expect_kind(*ch, ConfigNode::Kind::Sequence, "a list of channels [{name, address}]");
    for (const auto& e : ch->sequence) {
      expect_kind(e, ConfigNode::Kind::Map, "a channel {name: ..., address: ...}");
      check_keys(e, {"name", "address"});
      VhostChannel v;
      v.where = e.where;
      const ConfigNode* name = e.find("name");
      const ConfigNode* addr = e.find("address");
      if (!name) throw ConfigError(e.where, "channel: missing 'name'");
      if (!addr) throw ConfigError(e.where, "channel: missing 'address'");
      v.name = expect_kind(*name, ConfigNode::Kind::Scalar, "a channel name").scalar;
      v.address = config_number(*addr, "address", false);
      if (v.address % 8) throw ConfigError(addr->where, "channel address must be 8-byte aligned");
      const mem::MemoryDef* m = c.definition.find(c.space, v.address);
      if (!m || v.address + 8 > m->base + m->size)
        throw ConfigError(addr->where, "channel address " + addr->scalar + " (8 bytes) is not inside a memory of space '" +
                                           c.space + "'");
      for (const auto& other : c.channels)
        if (other.name == v.name) throw ConfigError(name->where, "channel '" + v.name + "' is defined twice");
      c.channels.push_back(v);
    }
  }
  return c;
}

VhostHost::VhostHost(VhostHostConfig config) : config_(std::move(config)) {
  backend_ = mem::make_vhost_backend(config_.backend, config_.definition, config_.definition_dir, config_.log);
  engine_ = std::make_unique<MailboxEngine>(config_.engine, [this](int code) { exit_code_ = code; });
  // Storage backends applied the init methods; the others get them written through.
  if (config_.backend == mem::VhostBackendKind::Hdl || config_.backend == mem::VhostBackendKind::Api) {
    for (const auto& m : config_.definition.memories) {
      if (m.init.method == mem::InitMethod::NoInit) continue;
      if (m.kind != mem::MemoryDef::Kind::BlackBox && m.space != config_.space) continue;
      const mem::MemoryInstance init(m, config_.definition_dir);
      std::vector<uint8_t> buf;
      for (const auto& [start, end] : init.valid_ranges()) {
        buf.resize(end - start);
        init.read(start, buf.data(), buf.size());
        if (!backend_->write(m, start, buf.data(), buf.size()))
          throw std::runtime_error(m.where.str() + ": init of " + m.path + ": " + backend_->error());
      }
    }
  }
}

namespace {

template <typename F>
bool each_memory(const VhostHostConfig& c, uint64_t addr, uint64_t len, std::string& error, F&& f) {
  if (len && addr + (len - 1) < addr) {
    error = "range wraps around the address space";
    return false;
  }
  uint64_t done = 0;
  while (done < len) {
    const uint64_t a = addr + done;
    const mem::MemoryDef* m = c.definition.find(c.space, a);
    if (!m) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)a);
      error = std::string(buf) + " is not in a memory of space '" + c.space + "'";
      return false;
    }
    const uint64_t off = a - m->base;
    const uint64_t n = std::min(len - done, m->size - off);
    if (!f(*m, off, done, n)) return false;
    done += n;
  }
  return true;
}

}  // namespace

bool VhostHost::read(uint64_t addr, void* data, uint64_t len) {
  auto* p = static_cast<uint8_t*>(data);
  return each_memory(config_, addr, len, error_, [&](const mem::MemoryDef& m, uint64_t off, uint64_t at, uint64_t n) {
    if (backend_->read(m, off, p + at, n)) return true;
    error_ = backend_->error();
    return false;
  });
}

bool VhostHost::write(uint64_t addr, const void* data, uint64_t len) {
  auto* p = static_cast<const uint8_t*>(data);
  return each_memory(config_, addr, len, error_, [&](const mem::MemoryDef& m, uint64_t off, uint64_t at, uint64_t n) {
    if (backend_->write(m, off, p + at, n)) return true;
    error_ = backend_->error();
    return false;
  });
}

uint32_t VhostHost::serve(uint64_t block, uint64_t& result) {
  ++served_;
  return engine_->serve(*this, block, result);
}

int VhostHost::poll() {
  int served = 0;
  for (const auto& ch : config_.channels) {
    uint64_t block = 0;
    if (!read(ch.address, &block, 8)) {
      error_ = "channel " + ch.name + ": " + error_;
      return -1;
    }
    if (!block) continue;
    uint64_t result;
    serve(block, result);
    const uint64_t idle = 0;
    if (!write(ch.address, &idle, 8)) {
      error_ = "channel " + ch.name + ": " + error_;
      return -1;
    }
    ++served;
  }
  return served;
}

void VhostHost::load_elf(const std::string& path) {
  const mem::ElfFile elf = mem::ElfFile::load(path);
  for (const auto& s : elf.segments()) {
    std::vector<uint8_t> bytes(s.data);
    if (s.mem_size > bytes.size()) {
      if (s.mem_size - bytes.size() > (1ull << 32)) throw mem::LoadError(path + ": segment too large");
      bytes.resize(s.mem_size, 0);
    }
    if (!write(s.paddr, bytes.data(), bytes.size())) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "segment at 0x%llx (%llu bytes)", (unsigned long long)s.paddr,
                    (unsigned long long)bytes.size());
      throw mem::LoadError(path + ": " + buf + " is not in guest memory: " + error_);
    }
  }
}

}  // namespace vp::rtl
