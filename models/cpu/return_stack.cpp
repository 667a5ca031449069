// The return-address stack is header-only (return_stack.h); this file keeps
// one translation unit per predictor component.
#include "models/cpu/return_stack.h"
