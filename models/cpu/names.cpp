#include "models/cpu/names.h"

#include <algorithm>
#include <unordered_map>

namespace vp::cpu {
namespace {

std::vector<CsrName> build() {
  std::vector<CsrName> v = {
      {0x001, "fflags"}, {0x002, "frm"}, {0x003, "fcsr"},
      {0x100, "sstatus"}, {0x104, "sie"}, {0x105, "stvec"}, {0x106, "scounteren"}, {0x10a, "senvcfg"},
      {0x140, "sscratch"}, {0x141, "sepc"}, {0x142, "scause"}, {0x143, "stval"}, {0x144, "sip"},
      {0x180, "satp"},
      {0x300, "mstatus"}, {0x301, "misa"}, {0x302, "medeleg"}, {0x303, "mideleg"}, {0x304, "mie"},
      {0x305, "mtvec"}, {0x306, "mcounteren"}, {0x30a, "menvcfg"}, {0x320, "mcountinhibit"},
      {0x340, "mscratch"}, {0x341, "mepc"}, {0x342, "mcause"}, {0x343, "mtval"}, {0x344, "mip"},
      {0x7a0, "tselect"}, {0x7a1, "tdata1"}, {0x7a2, "tdata2"}, {0x7a3, "tdata3"}, {0x7a4, "tinfo"},
      {0x7a5, "tcontrol"},
      {0xb00, "mcycle"}, {0xb02, "minstret"},
      {0xc00, "cycle"}, {0xc01, "time"}, {0xc02, "instret"},
      {0xf11, "mvendorid"}, {0xf12, "marchid"}, {0xf13, "mimpid"}, {0xf14, "mhartid"}, {0xf15, "mconfigptr"},
  };
  for (unsigned i = 3; i <= 31; ++i) {
    v.push_back({0x320 + i, "mhpmevent" + std::to_string(i)});
    v.push_back({0xb00 + i, "mhpmcounter" + std::to_string(i)});
    v.push_back({0xc00 + i, "hpmcounter" + std::to_string(i)});
  }
  for (unsigned i = 0; i < 16; i += 2) v.push_back({0x3a0 + i, "pmpcfg" + std::to_string(i)});  // RV64: even only
  for (unsigned i = 0; i < 64; ++i) v.push_back({0x3b0 + i, "pmpaddr" + std::to_string(i)});
  std::sort(v.begin(), v.end(), [](const CsrName& a, const CsrName& b) { return a.number < b.number; });
  return v;
}

}  // namespace

const std::vector<CsrName>& csr_names() {
  static const std::vector<CsrName> names = build();
  return names;
}

const char* csr_name(unsigned number) {
  const auto& v = csr_names();
  auto it = std::lower_bound(v.begin(), v.end(), number, [](const CsrName& c, unsigned n) { return c.number < n; });
  return it != v.end() && it->number == number ? it->name.c_str() : nullptr;
}

int csr_number(const std::string& name) {
  static const auto index = [] {
    std::unordered_map<std::string, unsigned> m;
    for (const auto& c : csr_names()) m[c.name] = c.number;
    return m;
  }();
  auto it = index.find(name);
  return it == index.end() ? -1 : static_cast<int>(it->second);
}

std::string cause_name(uint64_t cause, bool interrupt) {
  static const char* const exceptions[] = {
      "instruction address misaligned", "instruction access fault", "illegal instruction", "breakpoint",
      "load address misaligned", "load access fault", "store address misaligned", "store access fault",
      "environment call from U-mode", "environment call from S-mode", nullptr, "environment call from M-mode",
      "instruction page fault", "load page fault", nullptr, "store page fault"};
  static const char* const interrupts[] = {nullptr, "supervisor software interrupt", nullptr,
                                           "machine software interrupt", nullptr, "supervisor timer interrupt",
                                           nullptr, "machine timer interrupt", nullptr,
                                           "supervisor external interrupt", nullptr, "machine external interrupt"};
  const char* n = nullptr;
  if (interrupt && cause < 12) n = interrupts[cause];
  if (!interrupt && cause < 16) n = exceptions[cause];
  return n ? n : (interrupt ? "interrupt " : "exception ") + std::to_string(cause);
}

}  // namespace vp::cpu
