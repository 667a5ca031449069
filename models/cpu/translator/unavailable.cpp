// Hosts without the x86-64 translator: the interpreter runs everything.
#include "models/cpu/translator.h"

namespace vp::cpu {

std::unique_ptr<Translator> Translator::create(Core&) { return nullptr; }

}  // namespace vp::cpu
