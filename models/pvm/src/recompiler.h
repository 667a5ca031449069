// The x86-64 recompiler backend (see recompiler.cpp). On other hosts it is not available and
// make_recompiler() returns nullptr.
#pragma once

#include <memory>

#include "vm.h"

namespace pvm {

bool recompiler_available();
std::unique_ptr<Executor> make_recompiler();

}  // namespace pvm
