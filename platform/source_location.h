#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace vp::platform {

// Where a configuration value came from: a YAML file, the command line or Python.
struct SourceLocation {
  std::string file;  // "configs/virt.yaml", "--set", "<python>"
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown

  std::string str() const;
};

// Any error in a platform description. what() is "file:line:col: error: message".
class ConfigError : public std::runtime_error {
 public:
  ConfigError(const SourceLocation& where, const std::string& message);
  const SourceLocation& where() const { return where_; }
  const std::string& message() const { return message_; }

 private:
  SourceLocation where_;
  std::string message_;
};

// Closest candidate by edit distance, or "" when nothing is close enough to suggest.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);
// " (did you mean 'x'?)" or "".
std::string did_you_mean_hint(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace vp::platform
