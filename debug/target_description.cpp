#include "debug/target_description.h"

#include <vector>

namespace vp::debug {
namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

// Types a processor may name that are not GDB built-ins.
std::string type_definition(const std::string& type) {
  if (type == "riscv_double")  // an FP register holds a single (NaN-boxed) or a double
    return "    <union id=\"riscv_double\">\n      <field name=\"float\" type=\"ieee_single\"/>\n"
           "      <field name=\"double\" type=\"ieee_double\"/>\n    </union>\n";
  return "";
}

}  // namespace

std::string target_description(const platform::Processor& p) {
  const auto regs = p.debug_registers();
  std::vector<std::string> features;
  for (const auto& r : regs) {
    bool known = false;
    for (const auto& f : features) known = known || f == r.feature;
    if (!known) features.push_back(r.feature);
  }
  std::string out = "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n";
  out += "  <architecture>" + xml_escape(p.debug_architecture()) + "</architecture>\n";
  for (const auto& f : features) {
    out += "  <feature name=\"" + xml_escape(f) + "\">\n";
    std::vector<std::string> defined;
    for (const auto& r : regs) {
      if (r.feature != f) continue;
      const std::string def = type_definition(r.type);
      bool seen = false;
      for (const auto& d : defined) seen = seen || d == r.type;
      if (!def.empty() && !seen) {
        out += def;
        defined.push_back(r.type);
      }
    }
    for (const auto& r : regs) {
      if (r.feature != f) continue;
      out += "    <reg name=\"" + xml_escape(r.name) + "\" bitsize=\"" + std::to_string(r.bits) + "\" regnum=\"" +
             std::to_string(r.number) + "\" type=\"" + xml_escape(r.type) + "\"";
      if (!r.group.empty()) out += " group=\"" + xml_escape(r.group) + "\"";
      out += "/>\n";
    }
    out += "  </feature>\n";
  }
  return out + "</target>\n";
}

}  // namespace vp::debug
