#pragma once
// vhost-compatible memory definitions: a YAML file naming the RTL memories
// (shared black boxes, and per address space direct and banked arrays),
// their storage here with the bytes actually written, the init methods, and
// the export of each instance as $readmemh hex files. See docs/rtl.md.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "platform/source_location.h"

namespace vp::mem {

enum class InitMethod { NoInit, AllZero, Random, Hex };

struct MemoryInit {
  InitMethod method = InitMethod::NoInit;
  uint64_t seed = 0;           // random
  std::string file;            // hex ($readmemh), relative to the definition file
  platform::SourceLocation where;
};

struct MemoryDef {
  enum class Kind { BlackBox, Direct, Banked };
  Kind kind = Kind::Direct;
  std::string space;           // "" for black boxes (shared)
  std::string path;            // RTL hierarchy path, e.g. top.u_sram
  uint64_t base = 0;           // address in the space
  uint64_t size = 0;           // bytes
  unsigned width = 32;         // bits per word
  std::vector<uint64_t> array_dims;
  unsigned bank_width = 0;     // banked: bits per bank word
  uint64_t bank_depth = 0;     // banked: words per bank
  unsigned banks = 0;
  MemoryInit init;
  platform::SourceLocation where;
};

struct MemoryDefinition {
  std::string file;
  std::vector<MemoryDef> memories;
  // The memory of `space` (or a black box) holding addr, or nullptr.
  const MemoryDef* find(const std::string& space, uint64_t addr) const;
};

// Throws platform::ConfigError naming file:line:column.
MemoryDefinition parse_memory_definition(const std::string& yaml, const std::string& file);
MemoryDefinition load_memory_definition(const std::string& path);

// Storage of one memory, with the bytes written (or initialised) so far.
class MemoryInstance {
 public:
  // Where a byte of a banked memory lives: low-order interleaving of bank words.
  struct Location {
    unsigned bank;
    uint64_t row;
    unsigned byte;
  };

  // Applies the init method (hex files are read relative to `dir`).
  MemoryInstance(const MemoryDef& def, const std::string& dir = ".");

  const MemoryDef& def() const { return def_; }
  Location locate(uint64_t offset) const;
  // Offsets within the memory; false when out of range.
  bool write(uint64_t offset, const void* data, uint64_t len);
  bool read(uint64_t offset, void* data, uint64_t len) const;
  // Byte ranges [start, end) written or initialised, merged, in offsets.
  std::vector<std::pair<uint64_t, uint64_t>> valid_ranges() const;
  // $readmemh text of one bank (0 for direct and black-box memories): one word
  // per line, @address before each run of valid words; gaps are skipped.
  std::string hex(unsigned bank = 0) const;
  // Writes <dir>/<path>.hex, or <path>.bank<N>.hex per bank; returns the files.
  std::vector<std::string> export_hex(const std::string& dir) const;

  // One buffer per bank (1 for direct and black-box memories): its bytes, word
  // after word, and the byte ranges [start, end) of it written or initialised.
  unsigned bank_count() const { return def_.kind == MemoryDef::Kind::Banked ? def_.banks : 1; }
  const std::vector<uint8_t>& bank_data(unsigned bank) const { return banks_.at(bank); }
  std::vector<std::pair<uint64_t, uint64_t>> bank_valid_ranges(unsigned bank) const;
  unsigned word_bytes() const;  // bytes per word of a bank (or of the memory)

 private:
  uint8_t* at(uint64_t offset);

  MemoryDef def_;
  std::vector<std::vector<uint8_t>> banks_;
  std::vector<std::vector<bool>> valid_;
};

}  // namespace vp::mem
