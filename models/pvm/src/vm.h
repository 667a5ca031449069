// The VM state shared by every backend, split into the module (the parsed program, its initial
// memory layout and exports, and its translations: immutable once created and shared by every
// instance) and the instance (registers, gas, pc, memory: the one authoritative state), and the
// backend interface.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "memory.h"
#include "program.h"
#include "pvm.h"

namespace pvm {

// A backend's translation of a module for one memory model (the recompiler's machine code).
class ModuleCode {
public:
    virtual ~ModuleCode() = default;
    virtual size_t host_bytes() const = 0;  // machine code and its tables
    virtual size_t code_bytes() const = 0;  // machine code only
};

// The initial memory and registers of an instance: nothing (a bare program blob), a GP A.7
// standard program, or a PolkaVM container (PolkaVM's memory map). Addresses are page aligned,
// sizes page multiples unless noted.
struct Layout {
    enum Kind : uint8_t { Bare, Standard, PolkaVm } kind = Bare;
    std::vector<uint8_t> ro_data, rw_data;  // initial contents (the rest of each region is zero)
    uint32_t ro_address = 0, ro_size = 0;
    uint32_t rw_address = 0, rw_size = 0;   // read-write data and the initial heap pages
    uint32_t heap_base = kLowLimit;          // sbrk searches from here (need not be page aligned)
    uint32_t heap_limit = 0;                 // sbrk never maps at or above (0: 2^32)
    uint32_t stack_low = 0, stack_high = 0;  // r1 = stack_high
    uint32_t args_address = 0, args_limit = 0;  // GP A.7 argument area (read-only)
};

struct Export {
    std::string name;
    uint32_t pc;
};

class Executor;

struct Module {
    Program program;
    Layout layout;
    std::vector<Export> exports;
    pvm_backend backend = PVM_BACKEND_INTERPRETER;
    MemoryModel model = MemoryModel::Checked;  // the model chosen at creation (compiled eagerly)
    bool model_required = false;               // GUARD_PAGES was asked for explicitly
    bool step = false;                         // instances start with step tracing on

    // The translation for a memory model, compiled on first use (thread-safe). Null for the
    // interpreter; false with a message when it cannot be made (out of memory).
    bool code_for(MemoryModel m, const ModuleCode*& out, std::string& error) const;

    mutable std::mutex compile_mutex;
    mutable std::unique_ptr<ModuleCode> code[2];  // by MemoryModel
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
    uint32_t heap_limit = 0;         // sbrk maps nothing at or above (0: no limit)
    uint64_t instructions = 0;       // instructions of the blocks entered (when counting)
    pvm_host_fn host_fn = nullptr;
    void* host_user = nullptr;
    std::shared_ptr<const Module> module;
    const ModuleCode* code = nullptr;  // module->code for this memory model
    std::vector<uint8_t> args;         // the argument data (reset writes it again)
    Memory memory;

    const Program& program() const { return module->program; }
};

// A backend: runs the shared state until an exit.
class Executor {
public:
    virtual ~Executor() = default;
    virtual pvm_status run(pvm_vm* vm, VmState& st) = 0;
    // Translates a module for memory model `model` (the recompiler); nullptr with a message
    // when it cannot. May throw std::bad_alloc.
    virtual std::unique_ptr<ModuleCode> compile(const Module& m, MemoryModel model, std::string& error) {
        (void)m;
        (void)model;
        (void)error;
        return nullptr;
    }
    virtual bool needs_code() const { return false; }
};

std::unique_ptr<Executor> make_interpreter();
std::unique_ptr<Executor> make_executor(pvm_backend backend);

// Where run() starts: the resume point, the block's op_gas entry, or mid-block after charging
// the rest of the block. Returns false (with *status set) when the VM exits before executing
// anything (out of gas). O(1) for GP 0.7.2; mid-block entries in the new-gas profile simulate
// the rest of the block.
bool entry_point(VmState& st, uint32_t& index, pvm_status& status);

// GP ≤ 0.7 sbrk (A.5.6): the lowest x ≥ heap base such that [x, x+n) was inaccessible becomes
// read-write and is returned; n = 0 returns the lowest inaccessible address ≥ heap base; 0 on
// failure (also when [x, x+n) would reach the heap limit). Host cost O(log) plus the pages it maps.
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

// Gives an instance another module (the compatibility layers re-parse a program whose bitmask or
// jump table changed); registers, gas, pc and memory stay. The pending resume is discarded.
bool replace_module(pvm_vm* vm, std::shared_ptr<const Module> module, std::string& error);

}  // namespace pvm

struct pvm_vm {
    pvm::VmState st;
    std::unique_ptr<pvm::Executor> exec;
    pvm_backend backend = PVM_BACKEND_INTERPRETER;
};

struct pvm_module {
    std::shared_ptr<const pvm::Module> module;
};
