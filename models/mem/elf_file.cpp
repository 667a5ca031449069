#include "models/mem/elf_file.h"

#include <elf.h>
#include <sys/stat.h>

#include <cstring>
#include <fstream>
#include <iterator>

namespace vp::mem {
namespace {

// Bounds-checked reads from the file image: a malformed header never reads past the end.
class Image {
 public:
  Image(const std::vector<uint8_t>& bytes, const std::string& name) : bytes_(bytes), name_(name) {}

  template <typename T>
  T at(uint64_t offset, const char* what) const {
    if (offset > bytes_.size() || sizeof(T) > bytes_.size() - offset)
      fail(std::string(what) + " lies outside the file");
    T v;
    std::memcpy(&v, bytes_.data() + offset, sizeof v);
    return v;
  }
  void check_range(uint64_t offset, uint64_t size, const char* what) const {
    if (offset > bytes_.size() || size > bytes_.size() - offset) fail(std::string(what) + " lies outside the file");
  }
  [[noreturn]] void fail(const std::string& msg) const { throw LoadError(name_ + ": malformed ELF: " + msg); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  const std::vector<uint8_t>& bytes_;
  const std::string& name_;
};

template <typename Ehdr, typename Phdr, typename Shdr, typename Sym>
void parse_elf(const Image& img, uint64_t& entry, unsigned& machine, std::vector<ElfFile::Segment>& segments,
               std::vector<ElfFile::Section>& sections, std::vector<ElfFile::Symbol>& symbols) {
  const auto eh = img.at<Ehdr>(0, "ELF header");
  if (eh.e_type == ET_REL) img.fail("a relocatable object file (ET_REL), not an executable: link it first");
  if (eh.e_type == ET_CORE) img.fail("a core dump (ET_CORE), not an executable");
  if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) img.fail("not an executable (e_type " + std::to_string(eh.e_type) + ")");
  entry = eh.e_entry;
  machine = eh.e_machine;
  if (eh.e_phnum > 0 && eh.e_phentsize != sizeof(Phdr)) img.fail("unexpected program header size");
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    const auto ph = img.at<Phdr>(eh.e_phoff + uint64_t{i} * sizeof(Phdr), "program header");
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    if (ph.p_filesz > ph.p_memsz) img.fail("segment " + std::to_string(i) + " has p_filesz > p_memsz");
    if (ph.p_memsz > (uint64_t{1} << 40)) img.fail("segment " + std::to_string(i) + " is implausibly large");
    img.check_range(ph.p_offset, ph.p_filesz, "segment data");
    ElfFile::Segment seg;
    seg.index = i;
    seg.paddr = ph.p_paddr;
    seg.vaddr = ph.p_vaddr;
    seg.mem_size = ph.p_memsz;
    seg.data.assign(img.bytes().begin() + static_cast<std::ptrdiff_t>(ph.p_offset),
                    img.bytes().begin() + static_cast<std::ptrdiff_t>(ph.p_offset + ph.p_filesz));
    segments.push_back(std::move(seg));
  }
  if (eh.e_shnum == 0 || eh.e_shoff == 0) return;
  if (eh.e_shentsize != sizeof(Shdr)) img.fail("unexpected section header size");
  // Section names, when the string table is sane (names are only for messages).
  std::optional<Shdr> shstr;
  if (eh.e_shstrndx < eh.e_shnum) {
    shstr = img.at<Shdr>(eh.e_shoff + uint64_t{eh.e_shstrndx} * sizeof(Shdr), "section name table header");
    if (shstr->sh_offset > img.bytes().size() || shstr->sh_size > img.bytes().size() - shstr->sh_offset) shstr.reset();
  }
  for (unsigned i = 0; i < eh.e_shnum; ++i) {
    const auto sh = img.at<Shdr>(eh.e_shoff + uint64_t{i} * sizeof(Shdr), "section header");
    if ((sh.sh_flags & SHF_ALLOC) && sh.sh_size) {
      std::string name;
      if (shstr && sh.sh_name < shstr->sh_size) {
        const char* base = reinterpret_cast<const char*>(img.bytes().data() + shstr->sh_offset);
        name.assign(base + sh.sh_name, strnlen(base + sh.sh_name, shstr->sh_size - sh.sh_name));
      }
      sections.push_back({name.empty() ? "section " + std::to_string(i) : name, sh.sh_addr, sh.sh_size});
    }
    if (sh.sh_type != SHT_SYMTAB) continue;
    if (sh.sh_link >= eh.e_shnum) img.fail("symbol table names a missing string table");
    const auto strtab = img.at<Shdr>(eh.e_shoff + uint64_t{sh.sh_link} * sizeof(Shdr), "string table header");
    img.check_range(sh.sh_offset, sh.sh_size, "symbol table");
    img.check_range(strtab.sh_offset, strtab.sh_size, "string table");
    for (uint64_t off = 0; off + sizeof(Sym) <= sh.sh_size; off += sizeof(Sym)) {
      const auto sym = img.at<Sym>(sh.sh_offset + off, "symbol");
      if (sym.st_name == 0 || sym.st_name >= strtab.sh_size) continue;
      const char* base = reinterpret_cast<const char*>(img.bytes().data() + strtab.sh_offset);
      size_t max = strtab.sh_size - sym.st_name;
      std::string name(base + sym.st_name, strnlen(base + sym.st_name, max));
      const unsigned type = sym.st_info & 0xf;  // ELF64_ST_TYPE == ELF32_ST_TYPE
      if (type == STT_SECTION || type == STT_FILE || type == STT_TLS) continue;
      symbols.push_back({std::move(name), sym.st_value, sym.st_size, type == STT_FUNC, sym.st_shndx == SHN_ABS,
                         sym.st_shndx == SHN_UNDEF});
    }
  }
}

}  // namespace

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LoadError(path + ": cannot open: " + std::strerror(errno));
  // One read of the whole file when its size is known (a regular file); byte by byte
  // through the stream buffer otherwise (a pipe).
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    std::vector<uint8_t> bytes(static_cast<size_t>(st.st_size));
    in.read(reinterpret_cast<char*>(bytes.data()), st.st_size);
    if (in.gcount() == st.st_size) return bytes;
    throw LoadError(path + ": read " + std::to_string(in.gcount()) + " of its " + std::to_string(st.st_size) +
                    " bytes (did it change while being read?)");
  }
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

bool ElfFile::is_elf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && std::memcmp(magic, ELFMAG, SELFMAG) == 0;
}

ElfFile ElfFile::load(const std::string& path) { return parse(read_file(path), path); }

ElfFile ElfFile::parse(const std::vector<uint8_t>& bytes, const std::string& name) {
  Image img(bytes, name);
  if (bytes.size() < EI_NIDENT || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0)
    throw LoadError(name + ": not an ELF file");
  if (bytes[EI_DATA] != ELFDATA2LSB) img.fail("only little-endian ELF files are supported");
  ElfFile elf;
  if (bytes[EI_CLASS] == ELFCLASS64) {
    parse_elf<Elf64_Ehdr, Elf64_Phdr, Elf64_Shdr, Elf64_Sym>(img, elf.entry_, elf.machine_, elf.segments_, elf.sections_, elf.symbols_);
  } else if (bytes[EI_CLASS] == ELFCLASS32) {
    elf.is_64bit_ = false;
    parse_elf<Elf32_Ehdr, Elf32_Phdr, Elf32_Shdr, Elf32_Sym>(img, elf.entry_, elf.machine_, elf.segments_, elf.sections_, elf.symbols_);
  } else {
    img.fail("unknown ELF class " + std::to_string(bytes[EI_CLASS]));
  }
  if (elf.segments_.empty()) img.fail("no loadable segments");
  return elf;
}

std::optional<std::string> ElfFile::section_in(uint64_t vaddr, uint64_t size) const {
  for (const auto& s : sections_)
    if (s.vaddr < vaddr + size && vaddr < s.vaddr + s.size) return s.name;
  return std::nullopt;
}

std::string elf_machine_name(unsigned machine) {
  switch (machine) {
    case EM_RISCV: return "RISC-V";
    case EM_X86_64: return "x86-64";
    case EM_386: return "x86";
    case EM_AARCH64: return "AArch64";
    case EM_ARM: return "ARM";
    case EM_MIPS: return "MIPS";
    case EM_PPC64: return "PowerPC64";
    default: return "machine " + std::to_string(machine);
  }
}

std::optional<uint64_t> ElfFile::symbol(const std::string& name) const {
  for (const auto& s : symbols_)
    if (s.name == name) return s.value;
  return std::nullopt;
}

}  // namespace vp::mem
