#include "models/mem/memory_definition.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "platform/config_checks.h"
#include "platform/config_node.h"
#include "platform/loader.h"
#include "platform/units.h"

namespace vp::mem {

using platform::ConfigError;
using platform::ConfigNode;
using platform::check_keys;
using platform::config_number;
using platform::expect_kind;
using platform::SourceLocation;

namespace {

MemoryInit parse_init(const ConfigNode& n) {
  expect_kind(n, ConfigNode::Kind::Map, "a map {method: ...}");
  check_keys(n, {"method", "seed", "file"});
  MemoryInit init;
  init.where = n.where;
  const ConfigNode* m = n.find("method");
  if (!m) throw ConfigError(n.where, "init: missing 'method' (no_init, all_zero, random, hex)");
  expect_kind(*m, ConfigNode::Kind::Scalar, "an init method");
  const std::vector<std::string> methods = {"no_init", "all_zero", "random", "hex"};
  if (m->scalar == "no_init") init.method = InitMethod::NoInit;
  else if (m->scalar == "all_zero") init.method = InitMethod::AllZero;
  else if (m->scalar == "random") init.method = InitMethod::Random;
  else if (m->scalar == "hex") init.method = InitMethod::Hex;
  else
    throw ConfigError(m->where, "unknown init method '" + m->scalar + "' (expected no_init, all_zero, random or hex)" +
                                    platform::did_you_mean_hint(m->scalar, methods));
  if (const ConfigNode* s = n.find("seed")) init.seed = config_number(*s, "seed", false);
  if (const ConfigNode* f = n.find("file")) init.file = expect_kind(*f, ConfigNode::Kind::Scalar, "a file name").scalar;
  if (init.method == InitMethod::Hex && init.file.empty())
    throw ConfigError(n.where, "init method hex needs 'file'");
  return init;
}

MemoryDef parse_memory(const ConfigNode& n, MemoryDef::Kind kind, const std::string& space) {
  expect_kind(n, ConfigNode::Kind::Map, "a memory {path: ..., base: ..., ...}");
  std::vector<std::string> keys = {"path", "base", "width", "size", "array_dims", "init"};
  if (kind == MemoryDef::Kind::Banked) keys.insert(keys.end(), {"bank_width", "bank_depth", "banks"});
  check_keys(n, keys);
  MemoryDef d;
  d.kind = kind;
  d.space = space;
  d.where = n.where;
  auto required = [&](const char* key) -> const ConfigNode& {
    const ConfigNode* v = n.find(key);
    if (!v) throw ConfigError(n.where, std::string("memory: missing '") + key + "'");
    return *v;
  };
  d.path = expect_kind(required("path"), ConfigNode::Kind::Scalar, "an RTL path").scalar;
  d.base = config_number(required("base"), "base", false);
  if (const ConfigNode* w = n.find("width")) {
    const uint64_t v = config_number(*w, "width", false);
    if (v == 0 || v % 8 || v > 1024) throw ConfigError(w->where, "width: expected a multiple of 8 bits up to 1024");
    d.width = unsigned(v);
  }
  if (const ConfigNode* a = n.find("array_dims")) {
    expect_kind(*a, ConfigNode::Kind::Sequence, "a list of dimensions");
    for (const auto& x : a->sequence) {
      const uint64_t v = config_number(x, "array_dims", false);
      if (v == 0) throw ConfigError(x.where, "array_dims: a dimension must not be 0");
      d.array_dims.push_back(v);
    }
  }
  if (kind == MemoryDef::Kind::Banked) {
    const ConfigNode& bw = required("bank_width");
    const uint64_t w = config_number(bw, "bank_width", false);
    if (w == 0 || w % 8 || w > 1024) throw ConfigError(bw.where, "bank_width: expected a multiple of 8 bits up to 1024");
    d.bank_width = unsigned(w);
    const ConfigNode& bd = required("bank_depth");
    d.bank_depth = config_number(bd, "bank_depth", false);
    if (d.bank_depth == 0) throw ConfigError(bd.where, "bank_depth: must not be 0");
    const ConfigNode& nb = required("banks");
    const uint64_t b = config_number(nb, "banks", false);
    if (b == 0 || b > 4096) throw ConfigError(nb.where, "banks: expected 1 to 4096");
    d.banks = unsigned(b);
    const uint64_t total = d.banks * d.bank_depth * (d.bank_width / 8);
    if (const ConfigNode* s = n.find("size")) {
      d.size = config_number(*s, "size", true);
      if (d.size != total)
        throw ConfigError(s->where, "size " + std::to_string(d.size) + " does not match banks * bank_depth * bank_width/8 = " +
                                        std::to_string(total));
    }
    d.size = total;
  } else {
    const ConfigNode& s = required("size");
    d.size = config_number(s, "size", true);
    if (d.size == 0) throw ConfigError(s.where, "size: must not be 0");
    if (d.size % (d.width / 8)) throw ConfigError(s.where, "size: not a whole number of " + std::to_string(d.width) + "-bit words");
    if (!d.array_dims.empty()) {
      uint64_t words = 1;
      for (uint64_t x : d.array_dims) words *= x;
      if (words * (d.width / 8) != d.size)
        throw ConfigError(n.find("array_dims")->where, "array_dims describe " + std::to_string(words) + " words of " +
                                                          std::to_string(d.width) + " bits, but size is " +
                                                          std::to_string(d.size) + " bytes");
    }
  }
  if (const ConfigNode* i = n.find("init")) d.init = parse_init(*i);
  return d;
}

void parse_list(const ConfigNode& list, MemoryDef::Kind kind, const std::string& space, MemoryDefinition& out) {
  expect_kind(list, ConfigNode::Kind::Sequence, "a list of memories");
  for (const auto& m : list.sequence) out.memories.push_back(parse_memory(m, kind, space));
}

}  // namespace

const MemoryDef* MemoryDefinition::find(const std::string& space, uint64_t addr) const {
  for (const auto& m : memories)
    if ((m.space == space || m.kind == MemoryDef::Kind::BlackBox) && addr >= m.base && addr - m.base < m.size)
      return &m;
  return nullptr;
}

MemoryDefinition parse_memory_definition(const std::string& yaml, const std::string& file) {
  const ConfigNode root = platform::parse_yaml(yaml, file);
  MemoryDefinition def;
  def.file = file;
  if (root.is_null()) return def;
  expect_kind(root, ConfigNode::Kind::Map, "a memory definition {black_box: [...], spaces: {...}}");
  check_keys(root, {"black_box", "spaces"});
  if (const ConfigNode* bb = root.find("black_box")) parse_list(*bb, MemoryDef::Kind::BlackBox, "", def);
  if (const ConfigNode* spaces = root.find("spaces")) {
    expect_kind(*spaces, ConfigNode::Kind::Map, "a map of address spaces");
    for (const auto& s : spaces->map) {
      expect_kind(s.value, ConfigNode::Kind::Map, "a space {direct: [...], banked: [...]}");
      check_keys(s.value, {"direct", "banked"});
      if (const ConfigNode* d = s.value.find("direct")) parse_list(*d, MemoryDef::Kind::Direct, s.key, def);
      if (const ConfigNode* b = s.value.find("banked")) parse_list(*b, MemoryDef::Kind::Banked, s.key, def);
    }
  }
  // Overlaps within a space (black boxes are visible from every space).
  for (size_t i = 0; i < def.memories.size(); ++i)
    for (size_t j = 0; j < i; ++j) {
      const auto& a = def.memories[i];
      const auto& b = def.memories[j];
      const bool same = a.space == b.space || a.kind == MemoryDef::Kind::BlackBox || b.kind == MemoryDef::Kind::BlackBox;
      if (same && a.base < b.base + b.size && b.base < a.base + a.size)
        throw ConfigError(a.where, "memory " + a.path + " overlaps " + b.path + " (" + b.where.str() + ")");
      if (a.path == b.path) throw ConfigError(a.where, "memory path " + a.path + " is defined twice");
    }
  return def;
}

MemoryDefinition load_memory_definition(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(SourceLocation{path, 0, 0}, "cannot read memory definition file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_memory_definition(ss.str(), path);
}

// ---- storage ----

unsigned MemoryInstance::word_bytes() const {
  return (def_.kind == MemoryDef::Kind::Banked ? def_.bank_width : def_.width) / 8;
}

MemoryInstance::Location MemoryInstance::locate(uint64_t offset) const {
  if (def_.kind != MemoryDef::Kind::Banked) return {0, offset / word_bytes(), unsigned(offset % word_bytes())};
  const uint64_t wb = word_bytes();
  const uint64_t word = offset / wb;
  return {unsigned(word % def_.banks), word / def_.banks, unsigned(offset % wb)};
}

uint8_t* MemoryInstance::at(uint64_t offset) {
  const Location l = locate(offset);
  return &banks_[l.bank][l.row * word_bytes() + l.byte];
}

MemoryInstance::MemoryInstance(const MemoryDef& def, const std::string& dir) : def_(def) {
  const uint64_t per_bank = def_.size / bank_count();
  banks_.assign(bank_count(), std::vector<uint8_t>(per_bank, 0));
  valid_.assign(bank_count(), std::vector<bool>(per_bank, false));
  switch (def_.init.method) {
    case InitMethod::NoInit:
      break;
    case InitMethod::AllZero:
      for (auto& v : valid_) v.assign(v.size(), true);
      break;
    case InitMethod::Random: {
      std::mt19937_64 rng(def_.init.seed);
      for (uint64_t off = 0; off < def_.size; ++off) {
        const uint8_t b = uint8_t(rng());
        write(off, &b, 1);
      }
      break;
    }
    case InitMethod::Hex: {
      const std::string path = def_.init.file.empty() || def_.init.file[0] == '/' ? def_.init.file
                                                                                  : dir + "/" + def_.init.file;
      std::ifstream in(path);
      if (!in) throw ConfigError(def_.init.where, "cannot read hex file '" + path + "'");
      // $readmemh: whitespace-separated hex words, @address (in words), // and /* */ comments.
      const unsigned wb = def_.width / 8;
      uint64_t word = 0;
      std::string line;
      int lineno = 0;
      bool in_comment = false;
      while (std::getline(in, line)) {
        ++lineno;
        size_t i = 0;
        while (i < line.size()) {
          if (in_comment) {
            const size_t e = line.find("*/", i);
            if (e == std::string::npos) { i = line.size(); break; }
            in_comment = false;
            i = e + 2;
            continue;
          }
          if (isspace(uint8_t(line[i]))) { ++i; continue; }
          if (line.compare(i, 2, "//") == 0) break;
          if (line.compare(i, 2, "/*") == 0) { in_comment = true; i += 2; continue; }
          const size_t start = i;
          while (i < line.size() && !isspace(uint8_t(line[i]))) ++i;
          std::string tok = line.substr(start, i - start);
          const SourceLocation where{path, lineno, int(start) + 1};
          const bool addr = tok[0] == '@';
          if (addr) tok.erase(0, 1);
          tok.erase(std::remove(tok.begin(), tok.end(), '_'), tok.end());
          if (tok.empty() || tok.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
            throw ConfigError(where, "expected a hex " + std::string(addr ? "address" : "word") + ", found '" +
                                         line.substr(start, i - start) + "'");
          if (addr) {
            word = std::stoull(tok, nullptr, 16);
            continue;
          }
          if (tok.size() > wb * 2) throw ConfigError(where, "word '" + tok + "' is wider than " + std::to_string(def_.width) + " bits");
          if ((word + 1) * wb > def_.size) throw ConfigError(where, "word " + std::to_string(word) + " is beyond the memory (" + std::to_string(def_.size / wb) + " words)");
          std::vector<uint8_t> bytes(wb, 0);
          for (unsigned k = 0; k < wb && k * 2 < tok.size(); ++k) {
            const size_t end = tok.size() - 2 * k;
            const size_t begin = end >= 2 ? end - 2 : 0;
            bytes[k] = uint8_t(std::stoul(tok.substr(begin, end - begin), nullptr, 16));
          }
          write(word * wb, bytes.data(), wb);
          ++word;
        }
      }
      break;
    }
  }
}

bool MemoryInstance::write(uint64_t offset, const void* data, uint64_t len) {
  if (offset > def_.size || len > def_.size - offset) return false;
  const auto* p = static_cast<const uint8_t*>(data);
  for (uint64_t i = 0; i < len; ++i) {
    const Location l = locate(offset + i);
    const uint64_t idx = l.row * word_bytes() + l.byte;
    banks_[l.bank][idx] = p[i];
    valid_[l.bank][idx] = true;
  }
  return true;
}

bool MemoryInstance::read(uint64_t offset, void* data, uint64_t len) const {
  if (offset > def_.size || len > def_.size - offset) return false;
  auto* p = static_cast<uint8_t*>(data);
  for (uint64_t i = 0; i < len; ++i) {
    const Location l = locate(offset + i);
    p[i] = banks_[l.bank][l.row * word_bytes() + l.byte];
  }
  return true;
}

std::vector<std::pair<uint64_t, uint64_t>> MemoryInstance::valid_ranges() const {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (uint64_t off = 0; off < def_.size; ++off) {
    const Location l = locate(off);
    if (!valid_[l.bank][l.row * word_bytes() + l.byte]) continue;
    if (!out.empty() && out.back().second == off)
      out.back().second = off + 1;
    else
      out.emplace_back(off, off + 1);
  }
  return out;
}

std::vector<std::pair<uint64_t, uint64_t>> MemoryInstance::bank_valid_ranges(unsigned bank) const {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  const auto& valid = valid_.at(bank);
  for (uint64_t i = 0; i < valid.size(); ++i) {
    if (!valid[i]) continue;
    if (!out.empty() && out.back().second == i)
      out.back().second = i + 1;
    else
      out.emplace_back(i, i + 1);
  }
  return out;
}

std::string MemoryInstance::hex(unsigned bank) const {
  std::string out = "// " + def_.path + (bank_count() > 1 ? " bank " + std::to_string(bank) : "") +
                    ": " + std::to_string(def_.size / bank_count()) + " bytes, " +
                    std::to_string(word_bytes() * 8) + "-bit words\n";
  if (bank >= bank_count()) return out;
  const unsigned wb = word_bytes();
  const auto& data = banks_[bank];
  const auto& valid = valid_[bank];
  const uint64_t words = data.size() / wb;
  bool in_run = false;
  char buf[8];
  for (uint64_t w = 0; w < words; ++w) {
    bool any = false;
    for (unsigned k = 0; k < wb; ++k) any = any || valid[w * wb + k];
    if (!any) {
      in_run = false;
      continue;
    }
    if (!in_run) {
      std::snprintf(buf, sizeof buf, "%s", "");
      std::ostringstream a;
      a << "@" << std::hex << w << "\n";
      out += a.str();
      in_run = true;
    }
    for (unsigned k = wb; k-- > 0;) {
      std::snprintf(buf, sizeof buf, "%02x", data[w * wb + k]);
      out += buf;
    }
    out += "\n";
  }
  return out;
}

std::vector<std::string> MemoryInstance::export_hex(const std::string& dir) const {
  std::vector<std::string> files;
  for (unsigned b = 0; b < bank_count(); ++b) {
    const std::string f = dir + "/" + def_.path + (bank_count() > 1 ? ".bank" + std::to_string(b) : "") + ".hex";
    std::ofstream out(f);
    out << hex(b);
    files.push_back(f);
  }
  return files;
}

}  // namespace vp::mem
