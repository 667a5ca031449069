#pragma once
// Names of the hart's architectural things for people and debuggers: CSRs
// (priv. spec tables 2.2-2.6, Debug spec 5.7) and trap causes (table 3.6).
#include <cstdint>
#include <string>
#include <vector>

namespace vp::cpu {

struct CsrName {
  unsigned number;
  std::string name;
};

// Every CSR the hart implements, in number order ("fflags", ..., "tcontrol").
const std::vector<CsrName>& csr_names();
// nullptr when the number names no implemented CSR.
const char* csr_name(unsigned number);
// -1 when unknown.
int csr_number(const std::string& name);

// "illegal instruction", "machine timer interrupt", ...
std::string cause_name(uint64_t cause, bool interrupt);

}  // namespace vp::cpu
