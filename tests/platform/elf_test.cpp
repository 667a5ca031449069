#include <gtest/gtest.h>

#include <elf.h>

#include <cstring>

#include "models/mem/elf_file.h"

using vp::mem::ElfFile;
using vp::mem::LoadError;

namespace {

// A minimal RV64 executable: one PT_LOAD segment (8 file bytes, 16 in memory)
// and a symbol table with `tohost`.
std::vector<uint8_t> make_elf() {
  const char strtab[] = "\0tohost\0";
  const uint8_t code[8] = {0x13, 0, 0, 0, 0x6f, 0, 0, 0};
  size_t off_ph = sizeof(Elf64_Ehdr), off_code = off_ph + sizeof(Elf64_Phdr);
  size_t off_sym = off_code + sizeof code, off_str = off_sym + 2 * sizeof(Elf64_Sym);
  size_t off_sh = off_str + sizeof strtab;
  std::vector<uint8_t> out(off_sh + 3 * sizeof(Elf64_Shdr));

  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_RISCV;
  eh.e_entry = 0x80000000;
  eh.e_phoff = off_ph;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 1;
  eh.e_shoff = off_sh;
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = 3;
  std::memcpy(out.data(), &eh, sizeof eh);

  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_offset = off_code;
  ph.p_vaddr = 0xffffffff80000000;
  ph.p_paddr = 0x80000000;
  ph.p_filesz = sizeof code;
  ph.p_memsz = 16;
  std::memcpy(out.data() + off_ph, &ph, sizeof ph);
  std::memcpy(out.data() + off_code, code, sizeof code);

  Elf64_Sym sym[2]{};
  sym[1].st_name = 1;
  sym[1].st_value = 0x80001000;
  std::memcpy(out.data() + off_sym, sym, sizeof sym);
  std::memcpy(out.data() + off_str, strtab, sizeof strtab);

  Elf64_Shdr sh[3]{};
  sh[1].sh_type = SHT_SYMTAB;
  sh[1].sh_offset = off_sym;
  sh[1].sh_size = sizeof sym;
  sh[1].sh_link = 2;
  sh[2].sh_type = SHT_STRTAB;
  sh[2].sh_offset = off_str;
  sh[2].sh_size = sizeof strtab;
  std::memcpy(out.data() + off_sh, sh, sizeof sh);
  return out;
}

}  // namespace

TEST(Elf, ParsesSegmentsEntryAndSymbols) {
  auto elf = ElfFile::parse(make_elf(), "t.elf");
  EXPECT_EQ(elf.entry(), 0x80000000u);
  EXPECT_EQ(elf.machine(), unsigned{EM_RISCV});
  ASSERT_EQ(elf.segments().size(), 1u);
  EXPECT_EQ(elf.segments()[0].paddr, 0x80000000u) << "physical, not virtual, address";
  EXPECT_EQ(elf.segments()[0].data.size(), 8u);
  EXPECT_EQ(elf.segments()[0].mem_size, 16u);
  EXPECT_EQ(elf.symbol("tohost"), 0x80001000u);
  EXPECT_FALSE(elf.symbol("fromhost"));
}

TEST(Elf, RejectsGarbageWithClearErrors) {
  auto expect_error = [](std::vector<uint8_t> bytes, const std::string& text) {
    try {
      ElfFile::parse(bytes, "bad.elf");
      ADD_FAILURE() << "accepted: expected " << text;
    } catch (const LoadError& e) {
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  };
  expect_error({}, "bad.elf: not an ELF file");
  expect_error({'h', 'e', 'l', 'l', 'o'}, "not an ELF file");
  auto elf = make_elf();
  auto big_endian = elf;
  big_endian[EI_DATA] = ELFDATA2MSB;
  expect_error(big_endian, "only little-endian");
  auto bad_segment = elf;
  reinterpret_cast<Elf64_Phdr*>(bad_segment.data() + sizeof(Elf64_Ehdr))->p_offset = 1u << 30;
  expect_error(bad_segment, "segment data lies outside the file");
}

TEST(Elf, EveryTruncationIsAnErrorNotACrash) {
  auto elf = make_elf();
  for (size_t len = 0; len < elf.size(); ++len) {
    std::vector<uint8_t> cut(elf.begin(), elf.begin() + static_cast<std::ptrdiff_t>(len));
    try {
      ElfFile::parse(cut, "cut.elf");
    } catch (const LoadError&) {
    }
  }
  // Random byte flips: every outcome is a parsed file or a LoadError.
  uint32_t seed = 12345;
  for (int i = 0; i < 2000; ++i) {
    auto copy = elf;
    for (int k = 0; k < 4; ++k) {
      seed = seed * 1103515245 + 12345;
      copy[(seed >> 8) % copy.size()] ^= static_cast<uint8_t>(seed >> 24);
    }
    try {
      ElfFile::parse(copy, "flipped.elf");
    } catch (const LoadError&) {
    }
  }
  SUCCEED();
}
