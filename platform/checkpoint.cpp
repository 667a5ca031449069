#include "platform/checkpoint.h"

#include <yaml-cpp/yaml.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "platform/builder.h"
#include "platform/state.h"

namespace vp::platform {
namespace {

// state.bin: magic, u32 version, u32 record count, records
// (u32 name length, name, u32 type length, type, u64 length, u32 CRC-32, payload),
// trailer. All integers little-endian.
constexpr char kMagic[8] = {'V', 'P', 'C', 'K', 'P', 'T', '\r', '\n'};
constexpr char kTrailer[8] = {'V', 'P', 'C', 'K', 'E', 'N', 'D', '\n'};
constexpr uint32_t kMaxName = 1024;

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + quoted(v[i]);
  return out + "]";
}

uint32_t crc(const std::vector<uint8_t>& d) {
  uLong c = crc32(0L, Z_NULL, 0);
  size_t at = 0;
  while (at < d.size()) {  // crc32 takes a uInt length
    const size_t n = std::min<size_t>(d.size() - at, 1u << 30);
    c = crc32(c, d.data() + at, static_cast<uInt>(n));
    at += n;
  }
  return static_cast<uint32_t>(c);
}

}  // namespace

void save_checkpoint(const Platform& platform, const std::string& dir, const CheckpointManifest& m) {
  namespace fs = std::filesystem;
  StateWriter file;
  file.bytes(kMagic, sizeof kMagic);
  file.u32(kCheckpointVersion);
  file.u32(static_cast<uint32_t>(platform.instances().size()));
  for (const auto& i : platform.instances()) {
    StateWriter rec;
    bool supported = false;
    try {
      supported = i.component->save_state(rec);
    } catch (const StateError& e) {  // the model refuses, saying why
      throw CheckpointError("cannot checkpoint: component '" + i.name + "' (" + i.type + "): " + e.what());
    }
    if (!supported)
      throw CheckpointError("cannot checkpoint: component '" + i.name + "' (" + i.type +
                            ") does not support checkpoints");
    file.u32(static_cast<uint32_t>(i.name.size()));
    file.bytes(i.name.data(), i.name.size());
    file.u32(static_cast<uint32_t>(i.type.size()));
    file.bytes(i.type.data(), i.type.size());
    file.u64(rec.data().size());
    file.u32(crc(rec.data()));
    file.bytes(rec.data().data(), rec.data().size());
  }
  file.bytes(kTrailer, sizeof kTrailer);

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw CheckpointError("cannot create checkpoint directory " + dir + ": " + ec.message());
  const std::string state = (fs::path(dir) / "state.bin").string();
  std::ofstream out(state, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(file.data().data()), static_cast<std::streamsize>(file.data().size()));
  out.close();
  if (!out) throw CheckpointError("cannot write " + state + ": " + std::strerror(errno));

  std::ostringstream y;
  y << "# vp checkpoint (docs/checkpoints.md); restore with: vp run --restore " << dir << "\n"
    << "format: vp-checkpoint\n"
    << "version: " << m.version << "\n"
    << "platform: " << quoted(m.platform) << "\n"
    << "set: " << list(m.overrides) << "\n"
    << "disks: " << list(m.disks) << "\n"
    << "kernel: " << quoted(m.kernel) << "\n"
    << "bios: " << quoted(m.bios) << "\n"
    << "time_ps: " << m.time_ps << "\n"
    << "instructions: " << m.instructions << "\n";
  const std::string manifest = (fs::path(dir) / "manifest.yaml").string();
  std::ofstream mo(manifest, std::ios::trunc);
  mo << y.str();
  mo.close();
  if (!mo) throw CheckpointError("cannot write " + manifest + ": " + std::strerror(errno));
}

CheckpointManifest read_checkpoint_manifest(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / "manifest.yaml").string();
  std::ifstream in(path);
  if (!in) throw CheckpointError(dir + " is not a vp checkpoint: cannot read " + path);
  CheckpointManifest m;
  try {
    const YAML::Node n = YAML::Load(in);
    if (!n.IsMap() || !n["format"] || n["format"].as<std::string>() != "vp-checkpoint")
      throw CheckpointError(path + ": not a vp checkpoint manifest (format: vp-checkpoint missing)");
    m.version = n["version"].as<uint32_t>();
    if (m.version != kCheckpointVersion)
      throw CheckpointError(path + ": checkpoint format version " + std::to_string(m.version) +
                            ", this vp reads version " + std::to_string(kCheckpointVersion));
    m.platform = n["platform"].as<std::string>();
    for (const auto& s : n["set"]) m.overrides.push_back(s.as<std::string>());
    for (const auto& s : n["disks"]) m.disks.push_back(s.as<std::string>());
    if (n["kernel"]) m.kernel = n["kernel"].as<std::string>();
    if (n["bios"]) m.bios = n["bios"].as<std::string>();
    m.time_ps = n["time_ps"].as<uint64_t>();
    m.instructions = n["instructions"].as<uint64_t>();
  } catch (const YAML::Exception& e) {
    throw CheckpointError(path + ": invalid manifest: " + e.what());
  }
  return m;
}

void restore_checkpoint(Platform& platform, const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / "state.bin").string();
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw CheckpointError("cannot read " + path);
  const std::streamoff size = in.tellg();
  std::vector<uint8_t> data(static_cast<size_t>(std::max<std::streamoff>(size, 0)));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (!in) throw CheckpointError("cannot read " + path);
  try {
    StateReader r(data.data(), data.size(), path);
    char magic[8];
    r.bytes(magic, sizeof magic);
    if (std::memcmp(magic, kMagic, sizeof magic) != 0) r.fail("not a vp checkpoint state file (bad magic)");
    const uint32_t version = r.u32();
    if (version != kCheckpointVersion)
      r.fail("format version " + std::to_string(version) + ", this vp reads version " +
             std::to_string(kCheckpointVersion));
    const uint32_t count = r.u32();
    std::map<std::string, Component*> todo;
    for (const auto& i : platform.instances()) todo[i.name] = i.component.get();
    if (count != todo.size())
      r.fail("the checkpoint has " + std::to_string(count) + " components, this platform " +
             std::to_string(todo.size()));
    for (uint32_t k = 0; k < count; ++k) {
      const uint32_t nlen = r.u32();
      if (nlen > kMaxName) r.fail("a component name is " + std::to_string(nlen) + " bytes long");
      std::string name(nlen, '\0');
      r.bytes(name.data(), nlen);
      const uint32_t tlen = r.u32();
      if (tlen > kMaxName) r.fail("a component type is " + std::to_string(tlen) + " bytes long");
      std::string type(tlen, '\0');
      r.bytes(type.data(), tlen);
      const uint64_t len = r.u64();
      const uint32_t sum = r.u32();
      if (len > r.remaining()) r.fail("the record of '" + name + "' is truncated");
      std::vector<uint8_t> rec(len);
      r.bytes(rec.data(), rec.size());
      if (crc(rec) != sum) r.fail("the record of '" + name + "' is corrupt (CRC mismatch)");
      auto it = todo.find(name);
      if (it == todo.end()) r.fail("component '" + name + "' is not part of this platform");
      const Platform::Instance* inst = platform.instance(name);
      if (inst->type != type)
        r.fail("component '" + name + "' is a " + type + " in the checkpoint but a " + inst->type + " here");
      StateReader cr(rec.data(), rec.size(), name);
      it->second->restore_state(cr);
      cr.expect_end();
      todo.erase(it);
    }
    char trailer[8];
    r.bytes(trailer, sizeof trailer);
    if (std::memcmp(trailer, kTrailer, sizeof trailer) != 0) r.fail("bad trailer (file damaged)");
    r.expect_end();
  } catch (const StateError& e) {
    throw CheckpointError(std::string("cannot restore checkpoint: ") + e.what());
  }
}

}  // namespace vp::platform
