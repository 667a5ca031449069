#pragma once
// GDB target description XML (GDB manual, "Target Descriptions"): the
// processor's architecture and every register with its number, grouped in the
// features GDB knows (org.gnu.gdb.riscv.cpu, .fpu, .csr, .virtual).
#include <string>

#include "platform/processor.h"

namespace vp::debug {

std::string target_description(const platform::Processor& processor);

}  // namespace vp::debug
