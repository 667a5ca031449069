#pragma once
#include <string>
#include <vector>

#include "platform/source_location.h"

namespace vp::platform {

struct ConfigMapEntry;

// A YAML-like value tree that remembers where every value came from, so that
// includes, --set overrides and Python dicts all report errors with a location.
struct ConfigNode {
  enum class Kind { Null, Scalar, Map, Sequence };

  Kind kind = Kind::Null;
  std::string scalar;                 // Kind::Scalar
  std::vector<ConfigMapEntry> map;    // Kind::Map, in source order
  std::vector<ConfigNode> sequence;   // Kind::Sequence
  SourceLocation where;

  static ConfigNode make_scalar(std::string value, SourceLocation where);
  static ConfigNode make_map(SourceLocation where);
  static ConfigNode make_sequence(SourceLocation where);

  bool is_null() const { return kind == Kind::Null; }
  bool is_scalar() const { return kind == Kind::Scalar; }
  bool is_map() const { return kind == Kind::Map; }
  bool is_sequence() const { return kind == Kind::Sequence; }
  const char* kind_name() const;

  const ConfigNode* find(const std::string& key) const;
  ConfigNode* find(const std::string& key);
  // Inserts (at the end) or replaces the value under key.
  ConfigNode& set(const std::string& key, ConfigNode value, SourceLocation key_where);
  std::vector<std::string> keys() const;
};

struct ConfigMapEntry {
  std::string key;
  SourceLocation key_where;
  ConfigNode value;
};

// Deep merge for composition: maps merge key by key, sequences append,
// anything else is replaced by the overlay.
void merge_config(ConfigNode& base, const ConfigNode& overlay);

}  // namespace vp::platform
