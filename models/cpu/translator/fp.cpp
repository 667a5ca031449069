// Floating point in translated code.
#include "models/cpu/translator/translator_internal.h"

namespace vp::cpu {

bool BlockEmitter::emit_fp(const Insn&) { return false; }

}  // namespace vp::cpu
