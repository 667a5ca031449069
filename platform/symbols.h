#pragma once
// Symbols of the loaded software (ELF symbol tables of --kernel and --bios),
// for run summaries, stuck reports, traces, the debugger and Python.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace vp::platform {

class SymbolTable {
 public:
  struct Symbol {
    std::string name;
    uint64_t addr = 0;
    uint64_t size = 0;  // as the ELF file says; 0 for assembly labels
    bool function = false;
  };

  // Adds a file's symbols; later files do not replace names already known.
  void add(const std::vector<Symbol>& symbols, const std::string& file);
  bool empty() const { return by_addr_.empty(); }
  size_t size() const { return by_addr_.size(); }

  // Address of a symbol by name.
  std::optional<uint64_t> find(const std::string& name) const;
  // The symbol containing addr: within its size, or (size 0) before the next
  // symbol; start and end of the range it covers.
  const Symbol* containing(uint64_t addr, uint64_t* start = nullptr, uint64_t* end = nullptr) const;
  // "main+0x1c", "main", or "" when no symbol covers addr.
  std::string describe(uint64_t addr) const;
  const std::vector<std::string>& files() const { return files_; }

 private:
  std::vector<Symbol> by_addr_;  // sorted by address, then by preference
  std::unordered_map<std::string, uint64_t> by_name_;
  std::vector<std::string> files_;
};

}  // namespace vp::platform
