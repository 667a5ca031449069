// The one VM state shared by every backend, and the backend interface.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "memory.h"
#include "program.h"
#include "pvm.h"

namespace pvm {

struct VmState {
    uint64_t regs[PVM_NUM_REGS] = {};
    int64_t gas = 0;
    uint32_t pc = 0;           // instruction the VM stopped at
    uint32_t fault_addr = 0;   // page base of the last page fault
    uint32_t host_index = 0;   // index of the last ecalli
    // Where the next run continues without charging gas again (after a host call, page fault
    // or step inside an already charged block). Discarded by set_pc.
    bool resume_valid = false;
    uint32_t resume_index = 0;  // index into program.insns
    bool step = false;
    uint32_t heap_base = kLowLimit;  // sbrk searches from here (GP A.7: start of RW data)
    pvm_host_fn host_fn = nullptr;
    void* host_user = nullptr;
    Program program;
    Memory memory;
};

// A backend: runs the shared state until an exit. A recompiler implements the same interface
// over the same VmState (pre-decoded program, memory, registers, gas).
class Executor {
public:
    virtual ~Executor() = default;
    virtual pvm_status run(pvm_vm* vm, VmState& st) = 0;
    // Called once the program is loaded (a recompiler translates it here).
    virtual bool prepare(VmState& st, std::string& error) {
        (void)st;
        (void)error;
        return true;
    }
    // Size of the generated machine code in bytes (0 for the interpreter).
    virtual size_t code_size() const { return 0; }
};

std::unique_ptr<Executor> make_interpreter();

// Where run() starts: the resume point, the block's op_gas entry, or mid-block after charging
// the rest of the block. Returns false (with *status set) when the VM exits before executing
// anything (out of gas).
bool entry_point(VmState& st, uint32_t& index, pvm_status& status);

}  // namespace pvm

struct pvm_vm {
    pvm::VmState st;
    std::unique_ptr<pvm::Executor> exec;
    pvm_backend backend = PVM_BACKEND_INTERPRETER;
};
