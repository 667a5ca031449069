#include "platform/symbols.h"

#include <algorithm>
#include <cstdio>

namespace vp::platform {
namespace {
// Assembler-local labels (.L...) and mapping symbols ($x, $d) say nothing to a person.
bool useful(const std::string& name) { return !name.empty() && name[0] != '$' && name.rfind(".L", 0) != 0; }
// A label without a size covers at most this much before the next symbol.
constexpr uint64_t kMaxUnsized = 1 << 20;
}  // namespace

void SymbolTable::add(const std::vector<Symbol>& symbols, const std::string& file) {
  files_.push_back(file);
  for (const Symbol& s : symbols)
    if (useful(s.name) && by_name_.emplace(s.name, s.addr).second) by_addr_.push_back(s);
  // At one address prefer functions, then sized symbols, then global-looking names.
  std::stable_sort(by_addr_.begin(), by_addr_.end(), [](const Symbol& a, const Symbol& b) {
    if (a.addr != b.addr) return a.addr < b.addr;
    if (a.function != b.function) return a.function;
    return (a.size != 0) > (b.size != 0);
  });
}

std::optional<uint64_t> SymbolTable::find(const std::string& name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

const SymbolTable::Symbol* SymbolTable::containing(uint64_t addr, uint64_t* start, uint64_t* end) const {
  auto it = std::upper_bound(by_addr_.begin(), by_addr_.end(), addr,
                             [](uint64_t a, const Symbol& s) { return a < s.addr; });
  if (it == by_addr_.begin()) return nullptr;
  // The last symbol at or below addr; step back to the preferred one at that address.
  auto best = std::prev(it);
  while (best != by_addr_.begin() && std::prev(best)->addr == best->addr) --best;
  // A sized symbol that ends before addr may still be inside a larger one further down.
  unsigned looked = 0;
  for (auto s = best;; --s) {
    if (s->size && addr < s->addr + s->size) {
      if (start) *start = s->addr;
      if (end) *end = s->addr + s->size;
      return &*s;
    }
    if (s == by_addr_.begin() || best->addr - s->addr > kMaxUnsized || ++looked == 64) break;
  }
  if (best->size) return nullptr;
  const uint64_t next = it == by_addr_.end() ? best->addr + kMaxUnsized : it->addr;
  if (addr - best->addr >= kMaxUnsized || addr >= next) return nullptr;
  if (start) *start = best->addr;
  if (end) *end = next;
  return &*best;
}

std::string SymbolTable::describe(uint64_t addr) const {
  const Symbol* s = containing(addr);
  if (!s) return "";
  if (addr == s->addr) return s->name;
  char buf[32];
  std::snprintf(buf, sizeof buf, "+0x%llx", static_cast<unsigned long long>(addr - s->addr));
  return s->name + buf;
}

}  // namespace vp::platform
