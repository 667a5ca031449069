// The VM state shared by every backend, split into the module (the parsed program and its
// translation, immutable once created, so several instances could share it) and the instance
// (registers, gas, pc, memory: the one authoritative state), and the backend interface.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "memory.h"
#include "program.h"
#include "pvm.h"

namespace pvm {

// A backend's translation of a module (the recompiler's machine code).
class ModuleCode {
public:
    virtual ~ModuleCode() = default;
    virtual size_t host_bytes() const = 0;  // machine code and its tables
    virtual size_t code_bytes() const = 0;  // machine code only
};

struct Module {
    Program program;
    MemoryModel model = MemoryModel::Checked;  // the memory model `code` was compiled for
    std::unique_ptr<ModuleCode> code;
};

struct VmState {
    uint64_t regs[PVM_NUM_REGS] = {};
    int64_t gas = 0;
    uint32_t pc = 0;           // instruction the VM stopped at
    uint32_t fault_addr = 0;   // page base of the last page fault
    uint32_t host_index = 0;   // index of the last ecalli
    // Where the next run continues without charging gas again (after a host call, page fault
    // or step inside an already charged block). Discarded by set_pc.
    bool resume_valid = false;
    uint32_t resume_index = 0;  // index into program().insns
    bool step = false;
    uint32_t heap_base = kLowLimit;  // sbrk searches from here (GP A.7: start of RW data)
    pvm_host_fn host_fn = nullptr;
    void* host_user = nullptr;
    std::shared_ptr<const Module> module;
    Memory memory;

    const Program& program() const { return module->program; }
};

// A backend: runs the shared state until an exit.
class Executor {
public:
    virtual ~Executor() = default;
    virtual pvm_status run(pvm_vm* vm, VmState& st) = 0;
    // Translates a freshly parsed module for memory model `model` (the recompiler); false with
    // a message when it cannot. May throw std::bad_alloc.
    virtual bool compile(Module& m, MemoryModel model, std::string& error) {
        (void)m;
        (void)model;
        (void)error;
        return true;
    }
};

std::unique_ptr<Executor> make_interpreter();

// Where run() starts: the resume point, the block's op_gas entry, or mid-block after charging
// the rest of the block. Returns false (with *status set) when the VM exits before executing
// anything (out of gas). O(1).
bool entry_point(VmState& st, uint32_t& index, pvm_status& status);

// GP ≤ 0.7 sbrk (A.5.6): the lowest x ≥ heap base such that [x, x+n) was inaccessible becomes
// read-write and is returned; n = 0 returns the lowest inaccessible address ≥ heap base; 0 on
// failure. Host cost O(log) plus the pages it maps.
uint64_t sbrk(VmState& st, uint64_t n);

// Host memory held by a VM (for the benchmark and the docs): the pre-decoded program, the
// machine code and its tables, and the number of guest instructions.
struct HostMemory {
    size_t program_bytes = 0;
    size_t code_bytes = 0;     // machine code (recompiler)
    size_t tables_bytes = 0;   // recompiler tables (pc -> code offset, jump table)
    size_t instructions = 0;   // guest instructions (op_gas entries not counted)
    MemoryModel model = MemoryModel::Checked;
};
HostMemory host_memory(const pvm_vm* vm);

}  // namespace pvm

struct pvm_vm {
    pvm::VmState st;
    std::unique_ptr<pvm::Executor> exec;
    pvm_backend backend = PVM_BACKEND_INTERPRETER;
};
