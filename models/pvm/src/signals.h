// SIGSEGV handling for the guard-page memory model: one process-wide handler, installed once,
// that recognises faults raised by recompiled guest code on the calling thread and hands them
// to the VM being run there; every other fault goes to the handler installed before (or to the
// default action).
#pragma once

#include <ucontext.h>

namespace pvm {

// One recompiled run on this thread. Runs nest (a host callback may run another VM), so the
// records form a per-thread stack; only the innermost one can be executing guest code.
struct ActiveRun {
    const unsigned char* code_begin;
    const unsigned char* code_end;
    // Turns the fault at host address `addr` (the faulting instruction lies in the code) into a
    // PVM exit by editing the saved context; false when it is no guest memory access.
    bool (*resolve)(ActiveRun* run, ucontext_t* uc, const void* addr);
    void* data;
    ActiveRun* prev;
};

// Installs the handler (once per process; thread-safe). False, with a reason, when it cannot be.
bool install_fault_handler(const char** why);

void push_run(ActiveRun* run);
void pop_run(ActiveRun* run);

}  // namespace pvm
