#include "platform/loader.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <cstring>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "platform/component_arrays.h"
#include "platform/units.h"

namespace vp::platform {
namespace fs = std::filesystem;

namespace {

SourceLocation at(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};
}

// A platform description has hundreds of nodes; anything near this bound is
// an alias bomb ("billion laughs"): yaml-cpp shares aliased nodes, but the
// conversion below copies them, so the expansion is bounded here.
constexpr size_t kMaxConfigNodes = 100'000;

struct ConvertBudget {
  size_t nodes = 0;
};

ConfigNode convert(const YAML::Node& node, const std::string& file, ConvertBudget& budget) {
  SourceLocation where = at(file, node.Mark());
  if (++budget.nodes > kMaxConfigNodes)
    throw ConfigError(where, "the document expands to more than " + std::to_string(kMaxConfigNodes) +
                                 " nodes (aliases that expand recursively?)");
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: {
      ConfigNode n;
      n.where = where;
      return n;
    }
    case YAML::NodeType::Scalar:
      return ConfigNode::make_scalar(node.Scalar(), where);
    case YAML::NodeType::Sequence: {
      ConfigNode n = ConfigNode::make_sequence(where);
      for (const auto& item : node) n.sequence.push_back(convert(item, file, budget));
      return n;
    }
    case YAML::NodeType::Map: {
      ConfigNode n = ConfigNode::make_map(where);
      for (const auto& kv : node) {
        SourceLocation key_where = at(file, kv.first.Mark());
        if (!kv.first.IsScalar()) throw ConfigError(key_where, "mapping keys must be plain words");
        const std::string key = kv.first.Scalar();
        if (n.find(key)) throw ConfigError(key_where, "duplicate key '" + key + "'");
        n.map.push_back({key, key_where, convert(kv.second, file, budget)});
      }
      return n;
    }
  }
  return {};
}

const std::vector<std::string> kTopLevelKeys = {"platform", "description", "timing", "components", "bind",
                                                "irq",      "include",     "boot",   "plugins"};

// `key: file` or `key: [file, ...]` (include:, plugins:): the file-name nodes.
std::vector<const ConfigNode*> file_names(const ConfigNode& node, const char* key) {
  std::vector<const ConfigNode*> items;
  if (node.is_scalar()) items.push_back(&node);
  else if (node.is_sequence())
    for (const auto& i : node.sequence) items.push_back(&i);
  else
    throw ConfigError(node.where, std::string(key) + ": expected a file name or a list of file names");
  for (const ConfigNode* item : items)
    if (!item->is_scalar() || item->scalar.empty())
      throw ConfigError(item->where, std::string(key) + ": expected a file name");
  return items;
}

ConfigNode load_with_includes(const fs::path& path, std::vector<std::string>& files,
                              std::vector<std::string>& stack, const SourceLocation& included_from) {
  std::string shown = path.lexically_normal().string();
  std::ifstream in(path);
  if (!in) {
    if (included_from.file.empty())
      throw ConfigError({shown, 0, 0}, "cannot open platform file: " + std::string(std::strerror(errno)));
    throw ConfigError(included_from, "cannot open included file '" + shown + "'");
  }
  for (const auto& s : stack)
    if (s == shown) throw ConfigError(included_from, "include cycle: '" + shown + "' includes itself");
  std::stringstream text;
  text << in.rdbuf();
  files.push_back(shown);
  ConfigNode tree = parse_yaml(text.str(), shown);
  if (tree.is_null()) tree = ConfigNode::make_map({shown, 1, 1});
  if (!tree.is_map())
    throw ConfigError(tree.where, std::string("a platform description is a mapping, found ") + tree.kind_name());

  const ConfigNode* include = tree.find("include");
  if (!include || include->is_null()) return tree;

  const auto items = file_names(*include, "include");
  stack.push_back(shown);
  ConfigNode merged = ConfigNode::make_map(tree.where);
  for (const ConfigNode* item : items) {
    fs::path p = item->scalar;
    if (p.is_relative()) p = path.parent_path() / p;
    merge_config(merged, load_with_includes(p, files, stack, item->where));
  }
  stack.pop_back();
  // The including file overrides what it includes.
  for (auto& e : tree.map)
    if (e.key == "include") e.value = ConfigNode();
  merge_config(merged, tree);
  return merged;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) out.push_back(cur), cur.clear();
    else cur += c;
  }
  out.push_back(cur);
  return out;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

void apply_override(ConfigNode& tree, const Override& o) {
  std::vector<std::string> parts = split(o.path, '.');
  for (const auto& p : parts)
    if (p.empty()) throw ConfigError(o.where, "malformed override key '" + o.path + "'");
  ConfigNode* components = tree.find("components");
  if (parts[0] != "components") {
    bool top_level = false;
    for (const auto& k : kTopLevelKeys) top_level |= (k == parts[0]);
    if (!top_level) {
      if (!components || !components->find(parts[0])) {
        std::vector<std::string> candidates = kTopLevelKeys;
        if (components)
          for (const auto& k : components->keys()) candidates.push_back(k);
        throw ConfigError(o.where, "unknown override key '" + o.path + "': no component or section named '" +
                                       parts[0] + "'" + did_you_mean_hint(parts[0], candidates));
      }
      parts.insert(parts.begin(), "components");
    }
  }
  if (parts.size() >= 3 && parts[0] == "components" && (!components || !components->find(parts[1]))) {
    std::vector<std::string> names = components ? components->keys() : std::vector<std::string>{};
    throw ConfigError(o.where, "unknown override key '" + o.path + "': no component named '" + parts[1] +
                                   "'" + did_you_mean_hint(parts[1], names));
  }
  ConfigNode value;
  try {
    ConvertBudget budget;
    value = convert(YAML::Load(o.value), o.where.file, budget);
  } catch (const YAML::Exception& e) {
    throw ConfigError(o.where, "override value '" + o.value + "' is not valid YAML: " + e.msg);
  }
  auto relocate = [&](ConfigNode& n, auto& self) -> void {
    n.where = o.where;
    for (auto& e : n.map) e.key_where = o.where, self(e.value, self);
    for (auto& s : n.sequence) self(s, self);
  };
  relocate(value, relocate);

  ConfigNode* node = &tree;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    ConfigNode* next = node->is_map() ? node->find(parts[i]) : nullptr;
    if (!next) next = &node->set(parts[i], ConfigNode::make_map(o.where), o.where);
    if (!next->is_map()) {
      if (!next->is_null())
        throw ConfigError(o.where, "override key '" + o.path + "': '" + parts[i] + "' is " + next->kind_name() +
                                       ", not a mapping");
      *next = ConfigNode::make_map(o.where);
    }
    node = next;
  }
  node->set(parts.back(), std::move(value), o.where);
}

const std::regex kEndpoint(R"(^([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z0-9_]+))?(?:\[(\d+)\])?$)");
const std::regex kName(R"(^[A-Za-z_][A-Za-z0-9_]*$)");

Endpoint parse_endpoint(const std::string& text, const SourceLocation& where, const char* what) {
  std::smatch m;
  std::string t = trim(text);
  if (!std::regex_match(t, m, kEndpoint))
    throw ConfigError(where, std::string("malformed ") + what + " '" + t +
                                 "': expected component, component.port or component.port[index]");
  Endpoint e;
  e.component = m[1];
  e.port = m[2];
  e.index = m[3].matched ? std::stoi(m[3]) : -1;
  e.where = where;
  return e;
}

std::pair<std::string, std::string> split_arrow(const std::string& text, const SourceLocation& where,
                                                const char* section) {
  size_t arrow = text.find("->");
  if (arrow == std::string::npos || text.find("->", arrow + 2) != std::string::npos)
    throw ConfigError(where, std::string(section) + ": expected 'from -> to', found '" + text + "'");
  return {trim(text.substr(0, arrow)), trim(text.substr(arrow + 2))};
}

void check_component(const PlatformSpec& spec, const Endpoint& e) {
  if (spec.find(e.component)) return;
  std::vector<std::string> names;
  for (const auto& c : spec.components) names.push_back(c.name);
  throw ConfigError(e.where, "no component named '" + e.component + "'" + did_you_mean_hint(e.component, names));
}

uint64_t address_value(const ConfigNode& n, const char* what) {
  if (!n.is_scalar()) throw ConfigError(n.where, std::string(what) + ": expected an address");
  auto v = parse_size(n.scalar);
  if (!v) throw ConfigError(n.where, std::string(what) + ": expected an address, found '" + n.scalar + "'");
  return *v;
}

void parse_bind_item(PlatformSpec& spec, const ConfigNode& item) {
  if (item.is_scalar()) {
    // "cpu0.mem -> bus" or "bus -> uart0 @ 0x10000000"
    auto [from, to] = split_arrow(item.scalar, item.where, "bind");
    BindSpec b;
    b.where = item.where;
    size_t at = to.find('@');
    if (at != std::string::npos) {
      auto base = parse_size(trim(to.substr(at + 1)));
      if (!base) throw ConfigError(item.where, "bind: malformed address in '" + item.scalar + "'");
      b.base = base;
      to = trim(to.substr(0, at));
    }
    b.initiator = parse_endpoint(from, item.where, "initiator");
    b.target = parse_endpoint(to, item.where, "target");
    spec.binds.push_back(b);
    return;
  }
  if (item.is_map() && item.map.size() == 1) {
    // "bus: { rom: 0x1000, ram: { base: 0x80000000, size: 128MiB } }"
    const ConfigMapEntry& e = item.map.front();
    std::string from = trim(e.key);
    if (from.size() > 2 && from.compare(from.size() - 2, 2, "->") == 0) from = trim(from.substr(0, from.size() - 2));
    Endpoint initiator = parse_endpoint(from, e.key_where, "initiator");
    if (!e.value.is_map())
      throw ConfigError(e.value.where, "bind: expected a mapping of target: address under '" + from + "'");
    for (const auto& t : e.value.map) {
      BindSpec b;
      b.where = t.key_where;
      b.initiator = initiator;
      b.target = parse_endpoint(t.key, t.key_where, "target");
      if (t.value.is_map()) {
        for (const auto& k : t.value.map)
          if (k.key != "base" && k.key != "size")
            throw ConfigError(k.key_where, "bind: unknown key '" + k.key + "' (expected base or size)" +
                                               did_you_mean_hint(k.key, {"base", "size"}));
        const ConfigNode* base = t.value.find("base");
        if (!base) throw ConfigError(t.value.where, "bind: '" + t.key + "' needs a base address");
        b.base = address_value(*base, "base");
        if (const ConfigNode* size = t.value.find("size")) b.size = address_value(*size, "size");
      } else {
        b.base = address_value(t.value, "bind");
      }
      spec.binds.push_back(b);
    }
    return;
  }
  throw ConfigError(item.where, "bind: expected 'initiator -> target' or 'router: { target: address, ... }'");
}

PlatformSpec to_spec(const ConfigNode& tree) {
  PlatformSpec spec;
  if (!tree.is_map()) throw ConfigError(tree.where, "a platform description is a mapping");
  for (const auto& e : tree.map) {
    bool known = false;
    for (const auto& k : kTopLevelKeys) known |= (k == e.key);
    if (!known)
      throw ConfigError(e.key_where, "unknown top-level key '" + e.key + "'" + did_you_mean_hint(e.key, kTopLevelKeys));
  }
  auto scalar_of = [](const ConfigNode* n, const char* what) -> std::string {
    if (!n || n->is_null()) return "";
    if (!n->is_scalar()) throw ConfigError(n->where, std::string(what) + ": expected a value");
    return n->scalar;
  };
  spec.name = scalar_of(tree.find("platform"), "platform");
  spec.description = scalar_of(tree.find("description"), "description");

  if (const ConfigNode* timing = tree.find("timing"); timing && !timing->is_null()) {
    if (!timing->is_map()) throw ConfigError(timing->where, "timing: expected a mapping");
    for (const auto& e : timing->map) {
      if (e.key != "quantum")
        throw ConfigError(e.key_where, "timing: unknown key '" + e.key + "'" + did_you_mean_hint(e.key, {"quantum"}));
      auto q = e.value.is_scalar() ? parse_time_ps(e.value.scalar) : std::nullopt;
      if (!q || *q == 0) throw ConfigError(e.value.where, "timing.quantum: expected a time with a unit such as 10us");
      spec.quantum_ps = *q;
    }
  }

  if (const ConfigNode* plugins = tree.find("plugins"); plugins && !plugins->is_null()) {
    for (const ConfigNode* item : file_names(*plugins, "plugins"))
      spec.plugins.push_back({item->scalar, item->where});
  }

  const ConfigNode* components = tree.find("components");
  if (!components || components->is_null() || (components->is_map() && components->map.empty()))
    throw ConfigError(tree.where, "the platform has no components");
  if (!components->is_map()) throw ConfigError(components->where, "components: expected a mapping of name: {type: ...}");
  for (const auto& e : components->map) {
    if (!std::regex_match(e.key, kName))
      throw ConfigError(e.key_where, "component name '" + e.key + "' must be a word (letters, digits, _)");
    if (!e.value.is_map()) throw ConfigError(e.value.where, "component '" + e.key + "': expected a mapping with a type");
    const ConfigNode* type = e.value.find("type");
    if (!type) throw ConfigError(e.value.where, "component '" + e.key + "' has no type");
    if (!type->is_scalar()) throw ConfigError(type->where, "component '" + e.key + "': type must be a word");
    spec.components.push_back({e.key, type->scalar, e.key_where, type->where, e.value});
  }

  if (const ConfigNode* bind = tree.find("bind"); bind && !bind->is_null()) {
    if (!bind->is_sequence()) throw ConfigError(bind->where, "bind: expected a list");
    for (const auto& item : bind->sequence) parse_bind_item(spec, item);
  }
  if (const ConfigNode* irq = tree.find("irq"); irq && !irq->is_null()) {
    if (!irq->is_sequence()) throw ConfigError(irq->where, "irq: expected a list of 'source.port -> sink.port'");
    for (const auto& item : irq->sequence) {
      if (!item.is_scalar()) throw ConfigError(item.where, "irq: expected 'source.port -> sink.port'");
      auto [from, to] = split_arrow(item.scalar, item.where, "irq");
      spec.irqs.push_back({parse_endpoint(from, item.where, "interrupt source"),
                           parse_endpoint(to, item.where, "interrupt sink"), item.where});
    }
  }
  if (const ConfigNode* boot = tree.find("boot"); boot && !boot->is_null()) {
    if (!boot->is_map()) throw ConfigError(boot->where, "boot: expected a mapping");
    spec.boot.where = boot->where;
    for (const auto& e : boot->map) {
      if (e.key == "stdout") spec.boot.stdout_component = scalar_of(&e.value, "boot.stdout");
      else if (e.key == "bootargs") spec.boot.bootargs = scalar_of(&e.value, "boot.bootargs");
      else
        throw ConfigError(e.key_where, "boot: unknown key '" + e.key + "'" +
                                           did_you_mean_hint(e.key, {"stdout", "bootargs"}));
    }
  }

  for (const auto& b : spec.binds) check_component(spec, b.initiator), check_component(spec, b.target);
  for (const auto& i : spec.irqs) check_component(spec, i.from), check_component(spec, i.to);
  if (!spec.boot.stdout_component.empty())
    check_component(spec, {spec.boot.stdout_component, "", -1, spec.boot.where});
  return spec;
}

}  // namespace

std::string Endpoint::str() const {
  std::string s = component;
  if (!port.empty()) s += "." + port;
  if (index >= 0) s += "[" + std::to_string(index) + "]";
  return s;
}

const ComponentSpec* PlatformSpec::find(const std::string& n) const {
  for (const auto& c : components)
    if (c.name == n) return &c;
  return nullptr;
}

Override parse_override(const std::string& text, const SourceLocation& where) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError(where, "malformed override '" + text + "': expected key=value, e.g. uart0.console=null");
  return {trim(text.substr(0, eq)), text.substr(eq + 1), where};
}

ConfigNode parse_yaml(const std::string& text, const std::string& file) {
  try {
    ConvertBudget budget;
    return convert(YAML::Load(text), file, budget);
  } catch (const YAML::DeepRecursion& e) {
    throw ConfigError(at(file, e.mark), "invalid YAML: nested more than " + std::to_string(e.depth()) + " levels deep");
  } catch (const YAML::Exception& e) {
    throw ConfigError(at(file, e.mark), "invalid YAML: " + e.msg);
  }
}

// An override of one instance of a component array ("cpu1.mode=pipeline")
// applies after the expansion; everything else (including "cpu.count=4") before.
static bool overrides_array_instance(const ConfigNode& tree, const Override& o, const std::vector<ArraySpec>& arrays) {
  std::vector<std::string> parts = split(o.path, '.');
  if (parts.size() > 1 && parts[0] == "components") parts.erase(parts.begin());
  const ConfigNode* components = tree.find("components");
  if (components && components->is_map() && components->find(parts[0])) return false;
  return is_array_instance_name(parts[0], arrays);
}

PlatformSpec load_platform_tree(ConfigNode tree, const std::vector<Override>& overrides) {
  std::vector<Override> deferred;
  const std::vector<ArraySpec> declared = find_component_arrays(tree);
  for (const auto& o : overrides) {
    if (overrides_array_instance(tree, o, declared)) deferred.push_back(o);
    else apply_override(tree, o);
  }
  const std::vector<ArraySpec> arrays = find_component_arrays(tree);
  expand_component_arrays(tree, arrays);
  for (const auto& o : deferred) apply_override(tree, o);
  PlatformSpec spec = to_spec(tree);
  spec.arrays = arrays;
  return spec;
}

PlatformSpec load_platform_file(const std::string& path, const std::vector<Override>& overrides) {
  std::vector<std::string> files, stack;
  ConfigNode tree = load_with_includes(path, files, stack, {});
  PlatformSpec spec = load_platform_tree(std::move(tree), overrides);
  spec.files = files;
  return spec;
}

PlatformSpec load_platform_string(const std::string& yaml, const std::string& name,
                                  const std::vector<Override>& overrides) {
  ConfigNode tree = parse_yaml(yaml, name);
  if (tree.find("include"))
    throw ConfigError(tree.find("include")->where, "include: is only supported in platform files");
  return load_platform_tree(std::move(tree), overrides);
}

}  // namespace vp::platform
