#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "platform/config_node.h"

namespace vp::platform {

// Typed, located access to one component's properties. A registration's parse
// function reads every property it knows through this class; finish() then
// rejects whatever was not read as an unknown property, with a suggestion.
// Models never see this: they receive the typed config struct built from it.
class Properties {
 public:
  Properties(std::string component, std::string type, const ConfigNode& map);

  // What an accessor read in describe mode (for `vp types TYPE` and the docs).
  struct Read {
    std::string key, kind, fallback;
    bool required = false;
    std::vector<std::string> choices;
  };
  // Describe mode: `map` is empty; every accessor records what it was asked for
  // and returns its default, or a placeholder for a required property.
  static Properties describing(std::string type, const ConfigNode& empty_map);
  const std::vector<Read>& reads() const { return reads_; }

  const std::string& component() const { return component_; }
  const std::string& type() const { return type_; }
  bool has(const std::string& key);

  uint64_t integer(const std::string& key, std::optional<uint64_t> fallback = std::nullopt);
  uint64_t size(const std::string& key, std::optional<uint64_t> fallback = std::nullopt);
  uint64_t frequency(const std::string& key, std::optional<uint64_t> fallback = std::nullopt);
  uint64_t time_ps(const std::string& key, std::optional<uint64_t> fallback = std::nullopt);
  bool boolean(const std::string& key, std::optional<bool> fallback = std::nullopt);
  std::string string(const std::string& key, std::optional<std::string> fallback = std::nullopt);
  // One of the given words; the error lists them.
  std::string choice(const std::string& key, const std::vector<std::string>& options,
                     std::optional<std::string> fallback = std::nullopt);
  // A list of words; a single word is a list of one.
  std::vector<std::string> string_list(const std::string& key,
                                       std::optional<std::vector<std::string>> fallback = std::nullopt);
  // The raw node, for nested structures (caches, predictors). Marks key as known.
  const ConfigNode* node(const std::string& key);

  SourceLocation where(const std::string& key) const;
  const SourceLocation& where() const { return map_.where; }
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

  // Throws ConfigError for the first property that no accessor asked for.
  void finish() const;

 private:
  const ConfigNode* scalar(const std::string& key, const char* expected);
  template <typename T, typename Parse, typename Show>
  T typed(const std::string& key, const char* kind, std::optional<T> fallback, const char* expected, T placeholder,
          Parse parse, Show show);
  void record(const std::string& key, const std::string& kind, const std::string& fallback, bool required,
              std::vector<std::string> choices = {});

  std::string component_;
  std::string type_;
  const ConfigNode& map_;
  std::set<std::string> known_;
  bool describing_ = false;
  std::vector<Read> reads_;
};

}  // namespace vp::platform
