#include "platform/config_node.h"

namespace vp::platform {

ConfigNode ConfigNode::make_scalar(std::string value, SourceLocation where) {
  ConfigNode n;
  n.kind = Kind::Scalar;
  n.scalar = std::move(value);
  n.where = std::move(where);
  return n;
}

ConfigNode ConfigNode::make_map(SourceLocation where) {
  ConfigNode n;
  n.kind = Kind::Map;
  n.where = std::move(where);
  return n;
}

ConfigNode ConfigNode::make_sequence(SourceLocation where) {
  ConfigNode n;
  n.kind = Kind::Sequence;
  n.where = std::move(where);
  return n;
}

const char* ConfigNode::kind_name() const {
  switch (kind) {
    case Kind::Null: return "nothing";
    case Kind::Scalar: return "a value";
    case Kind::Map: return "a mapping";
    case Kind::Sequence: return "a list";
  }
  return "?";
}

const ConfigNode* ConfigNode::find(const std::string& key) const {
  for (const auto& e : map)
    if (e.key == key) return &e.value;
  return nullptr;
}

ConfigNode* ConfigNode::find(const std::string& key) {
  for (auto& e : map)
    if (e.key == key) return &e.value;
  return nullptr;
}

ConfigNode& ConfigNode::set(const std::string& key, ConfigNode value, SourceLocation key_where) {
  if (kind != Kind::Map) {
    *this = make_map(where);
  }
  for (auto& e : map) {
    if (e.key == key) {
      e.value = std::move(value);
      e.key_where = std::move(key_where);
      return e.value;
    }
  }
  map.push_back({key, std::move(key_where), std::move(value)});
  return map.back().value;
}

std::vector<std::string> ConfigNode::keys() const {
  std::vector<std::string> out;
  for (const auto& e : map) out.push_back(e.key);
  return out;
}

void merge_config(ConfigNode& base, const ConfigNode& overlay) {
  if (base.is_map() && overlay.is_map()) {
    for (const auto& e : overlay.map) {
      if (ConfigNode* existing = base.find(e.key)) merge_config(*existing, e.value);
      else base.map.push_back(e);
    }
    return;
  }
  if (base.is_sequence() && overlay.is_sequence()) {
    base.sequence.insert(base.sequence.end(), overlay.sequence.begin(), overlay.sequence.end());
    return;
  }
  base = overlay;
}

}  // namespace vp::platform
