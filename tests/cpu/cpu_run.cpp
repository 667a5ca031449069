// Standalone runner for the core (no SystemC):
//   cpu_run [--trace] [--zb] [--misaligned-trap] [--translate] [--translate-all] [--lockstep] ELF [limit]
// --translate-all: every block is translated when it first runs (not on its 64th run).
// --lockstep: translated code checked against the interpreter after every block
// (exit code 3 and a report on stderr at the first difference).
#include <cstdlib>
#include <iostream>

#include "flat_machine.h"

int main(int argc, char** argv) {
  vp::cpu::CoreConfig cfg;
  std::string path;
  uint64_t limit = 100'000'000;
  bool trace = false, lockstep = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--trace") trace = true;
    else if (a == "--misaligned-trap") cfg.misaligned_emulate = false;
    else if (a == "--translate") cfg.translate = true;
    else if (a == "--translate-all") cfg.translate = true, cfg.translate_after = 1;
    else if (a == "--lockstep") lockstep = true;
    else if (a == "--zb") cfg.ext |= vp::cpu::kExtZba | vp::cpu::kExtZbb | vp::cpu::kExtZbs;
    else if (path.empty()) path = a;
    else limit = std::strtoull(a.c_str(), nullptr, 0);
  }
  vp::cpu::test::FlatMachine m(64u << 20, cfg, lockstep);
  uint64_t entry = m.load_elf(path);
  if (!entry) {
    std::cerr << "cannot load " << path << "\n";
    return 2;
  }
  m.core().set_pc(entry);
  if (trace) m.core().set_trace(&std::cerr);
  int rc = m.run(limit);
  std::cout << m.output;
  if (auto* l = m.lockstep()) std::cerr << "lockstep: " << l->blocks_checked() << " blocks checked\n";
  std::cerr << "exit " << rc << " after " << m.executed << " instructions, pc 0x" << std::hex
            << m.core().pc() << std::dec << "\n";
  return rc;
}
