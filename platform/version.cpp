#include "platform/version.h"

// For a program that wants to print the library it runs against.
extern "C" const char* vp_version() { return VP_VERSION; }
