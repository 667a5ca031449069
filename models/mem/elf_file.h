#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace vp::mem {

class LoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A validated ELF executable (32- or 64-bit, little-endian): loadable
// segments at their physical addresses, the entry point and the symbols.
class ElfFile {
 public:
  struct Segment {
    unsigned index;             // program header number, for messages
    uint64_t paddr;
    uint64_t vaddr;
    std::vector<uint8_t> data;  // file bytes
    uint64_t mem_size;          // >= data.size(); the rest is zero-filled
  };
  // A symbol table entry that names an address (not a file or section symbol).
  struct Symbol {
    std::string name;
    uint64_t value, size;
    bool function;  // STT_FUNC
    bool absolute;  // SHN_ABS: a number (a size, a constant), not necessarily an address
    bool undefined; // SHN_UNDEF: no address in this file (symbol() still finds it, as before)
  };
  // An allocated section (SHF_ALLOC): what a loadable segment really carries.
  struct Section {
    std::string name;
    uint64_t vaddr, size;
  };

  // Throws LoadError naming the file and what is wrong with it.
  static ElfFile load(const std::string& path);
  static ElfFile parse(const std::vector<uint8_t>& bytes, const std::string& name);
  // True when the bytes start with the ELF magic.
  static bool is_elf(const std::string& path);

  uint64_t entry() const { return entry_; }
  unsigned machine() const { return machine_; }
  bool is_64bit() const { return is_64bit_; }
  const std::vector<Segment>& segments() const { return segments_; }
  const std::vector<Section>& sections() const { return sections_; }
  // Name of the first allocated section overlapping [vaddr, vaddr + size), if any.
  std::optional<std::string> section_in(uint64_t vaddr, uint64_t size) const;
  std::optional<uint64_t> symbol(const std::string& name) const;
  const std::vector<Symbol>& symbols() const { return symbols_; }

 private:
  uint64_t entry_ = 0;
  unsigned machine_ = 0;
  bool is_64bit_ = true;
  std::vector<Segment> segments_;
  std::vector<Section> sections_;
  std::vector<Symbol> symbols_;
};

// Name of an ELF e_machine value ("RISC-V", "x86-64", ...), or "machine N".
std::string elf_machine_name(unsigned machine);

// Reads a whole file; throws LoadError.
std::vector<uint8_t> read_file(const std::string& path);

}  // namespace vp::mem
