// The libpvm C API over the shared VM state. Every entry point is an exception barrier: no C++
// exception crosses the C boundary (issue 19), and the error paths themselves never allocate.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "opcodes.h"
#include "pvm.h"
#include "recompiler.h"
#include "signals.h"
#include "vm.h"

using namespace pvm;

namespace pvm {

bool entry_point(VmState& st, uint32_t& index, pvm_status& status) {
    if (st.resume_valid) {
        st.resume_valid = false;
        index = st.resume_index;
        return true;
    }
    const Program& p = st.program();
    const uint32_t idx = p.index_of(st.pc);
    if (idx == kNoTarget) {
        // Not an instruction start: executes as a trap (GP A.19), a one-instruction block.
        if (st.gas < 1) {
            status = PVM_OUT_OF_GAS;
        } else {
            st.gas -= 1;
            status = PVM_PANIC;
        }
        return false;
    }
    if (p.insns[idx - 1].op == op_gas) {  // a block's first instruction: charge on entry
        index = idx - 1;
        return true;
    }
    // Entering mid-block: charge the rest of the block.
    const int64_t cost = p.insns[idx].rest;
    if (st.gas < cost) {
        status = PVM_OUT_OF_GAS;
        return false;
    }
    st.gas -= cost;
    index = idx;
    return true;
}

HostMemory host_memory(const pvm_vm* vm) {
    HostMemory h;
    const Module& m = *vm->st.module;
    h.program_bytes = m.program.host_bytes();
    if (m.code) {
        h.code_bytes = m.code->code_bytes();
        h.tables_bytes = m.code->host_bytes() - h.code_bytes;
    }
    for (const Insn& in : m.program.insns) h.instructions += in.op != op_gas && in.op != op_invalid;
    h.model = vm->st.memory.model();
    return h;
}

}  // namespace pvm

namespace {

// Formats into the caller's fixed buffer: never allocates (safe while out of memory).
__attribute__((format(printf, 3, 4))) void set_error(pvm_error* err, pvm_error_code code, const char* fmt, ...) {
    if (!err) return;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

// An enum argument's value as the caller passed it: out-of-range values are valid input (an
// error), and reading them as the enum type would be undefined behaviour.
template <typename E>
int raw(E e) {
    int v = 0;
    std::memcpy(&v, &e, sizeof v < sizeof e ? sizeof v : sizeof e);
    return v;
}

// Runs f; any exception becomes an error (creation) or `fail` (other calls).
template <typename R, typename F>
R barrier(pvm_error* err, R fail, F&& f) noexcept {
    try {
        return f();
    } catch (const std::bad_alloc&) {
        set_error(err, PVM_ERR_OUT_OF_MEMORY, "out of memory");
    } catch (...) {
        set_error(err, PVM_ERR_OUT_OF_MEMORY, "internal error (unexpected exception)");
    }
    return fail;
}

// The memory model for a new VM: an explicit request, else PVM_MEMORY_MODEL, else guard pages
// for the recompiler when its fault handler is installed.
bool choose_model(int backend, int req, MemoryModel& model, bool& required, pvm_error* err) {
    required = req == PVM_MEMORY_GUARD_PAGES;
    if (req == PVM_MEMORY_DEFAULT) {
        const char* env = std::getenv("PVM_MEMORY_MODEL");
        if (env && *env) {
            if (std::strcmp(env, "checked") == 0) {
                req = PVM_MEMORY_CHECKED;
            } else if (std::strcmp(env, "guard") == 0) {
                req = PVM_MEMORY_GUARD_PAGES;
            } else {
                set_error(err, PVM_ERR_INVALID_ARGUMENT, "PVM_MEMORY_MODEL='%s': expected 'checked' or 'guard'", env);
                return false;
            }
        } else {
            req = backend == PVM_BACKEND_RECOMPILER ? PVM_MEMORY_GUARD_PAGES : PVM_MEMORY_CHECKED;
        }
    }
    if (req != PVM_MEMORY_GUARD_PAGES && req != PVM_MEMORY_CHECKED) {
        set_error(err, PVM_ERR_INVALID_ARGUMENT, "unknown memory model %d", req);
        return false;
    }
    model = req == PVM_MEMORY_GUARD_PAGES ? MemoryModel::Guard : MemoryModel::Checked;
    if (model == MemoryModel::Guard && backend == PVM_BACKEND_RECOMPILER) {
        const char* why = nullptr;
        if (!install_fault_handler(&why)) {
            if (required) {
                set_error(err, PVM_ERR_BACKEND_UNAVAILABLE, "guard-page memory model unavailable: %s", why);
                return false;
            }
            model = MemoryModel::Checked;
        }
    }
    return true;
}

pvm_vm* create(int backend_value, int req, const uint8_t* blob, size_t len, pvm_error* err) {
    set_error(err, PVM_OK, "%s", "");
    if (backend_value != PVM_BACKEND_INTERPRETER && backend_value != PVM_BACKEND_RECOMPILER) {
        set_error(err, PVM_ERR_INVALID_ARGUMENT, "unknown backend %d", backend_value);
        return nullptr;
    }
    const pvm_backend backend = static_cast<pvm_backend>(backend_value);
    if (backend == PVM_BACKEND_RECOMPILER && !recompiler_available()) {
        set_error(err, PVM_ERR_BACKEND_UNAVAILABLE, "the recompiler backend needs an x86-64 host (use the interpreter)");
        return nullptr;
    }
    MemoryModel model;
    bool required = false;
    if (!choose_model(backend, req, model, required, err)) return nullptr;
    return barrier<pvm_vm*>(err, nullptr, [&]() -> pvm_vm* {
        std::unique_ptr<pvm_vm> vm(new pvm_vm);
        vm->backend = backend;
        std::string msg;
        if (!vm->st.memory.init(model, msg)) {
            if (model != MemoryModel::Guard || required) {
                set_error(err, PVM_ERR_OUT_OF_MEMORY, "%s", msg.c_str());
                return nullptr;
            }
            model = MemoryModel::Checked;  // the address space cannot be reserved: fall back
            if (!vm->st.memory.init(model, msg)) {
                set_error(err, PVM_ERR_OUT_OF_MEMORY, "%s", msg.c_str());
                return nullptr;
            }
        }
        auto module = std::make_shared<Module>();
        if (!parse_program(blob, len, module->program, msg)) {
            set_error(err, PVM_ERR_MALFORMED_BLOB, "%s", msg.c_str());
            return nullptr;
        }
        vm->exec = backend == PVM_BACKEND_RECOMPILER ? make_recompiler() : make_interpreter();
        if (!vm->exec->compile(*module, model, msg)) {
            set_error(err, PVM_ERR_OUT_OF_MEMORY, "%s", msg.c_str());
            return nullptr;
        }
        module->model = model;
        vm->st.module = std::move(module);
        return vm.release();
    });
}

uint32_t read_le(const uint8_t* p, unsigned n) {
    uint32_t v = 0;
    for (unsigned i = 0; i < n; ++i) v |= uint32_t(p[i]) << (8 * i);
    return v;
}

constexpr uint64_t kZone = 1u << 16;   // ZZ
constexpr uint64_t kArgs = 1u << 24;   // ZI
uint64_t page_round(uint64_t x) { return (x + kPageSize - 1) / kPageSize * kPageSize; }  // P
uint64_t zone_round(uint64_t x) { return (x + kZone - 1) / kZone * kZone; }              // Z

// GP A.7 standard program initialisation.
pvm_vm* create_standard(int backend, int memory, const uint8_t* blob, size_t len,
                        const uint8_t* args, size_t args_len, pvm_error* err) {
    set_error(err, PVM_OK, "%s", "");
    if (!blob && len) {
        set_error(err, PVM_ERR_INVALID_ARGUMENT, "program blob pointer is NULL");
        return nullptr;
    }
    if (!args && args_len) {
        set_error(err, PVM_ERR_INVALID_ARGUMENT, "argument pointer is NULL");
        return nullptr;
    }
    if (len < 11) {
        set_error(err, PVM_ERR_MALFORMED_BLOB, "malformed standard program: header truncated (needs 11 bytes)");
        return nullptr;
    }
    const uint64_t o_len = read_le(blob, 3), w_len = read_le(blob + 3, 3), z = read_le(blob + 6, 2),
                   s = read_le(blob + 8, 3);
    size_t pos = 11;
    if (len - pos < o_len + w_len + 4) {
        set_error(err, PVM_ERR_MALFORMED_BLOB, "malformed standard program: data sections exceed the blob");
        return nullptr;
    }
    const uint8_t* o = blob + pos;
    pos += o_len;
    const uint8_t* w = blob + pos;
    pos += w_len;
    const uint64_t c_len = read_le(blob + pos, 4);
    pos += 4;
    if (len - pos != c_len) {
        set_error(err, PVM_ERR_MALFORMED_BLOB,
                  "malformed standard program: code length %llu does not match the %llu bytes left",
                  (unsigned long long)c_len, (unsigned long long)(len - pos));
        return nullptr;
    }
    if (args_len > kArgs) {
        set_error(err, PVM_ERR_INVALID_ARGUMENT, "arguments exceed 16 MiB (GP ZI)");
        return nullptr;
    }
    const uint64_t heap_bytes = page_round(w_len) + z * kPageSize;
    if (5 * kZone + zone_round(o_len) + zone_round(w_len + z * kPageSize) + zone_round(s) + kArgs > (uint64_t(1) << 32)) {
        set_error(err, PVM_ERR_MALFORMED_BLOB, "standard program does not fit the 32-bit address space (GP A.7)");
        return nullptr;
    }
    pvm_vm* vm = create(backend, memory, blob + pos, size_t(c_len), err);
    if (!vm) return nullptr;
    const bool ok = barrier<bool>(err, false, [&] {
        Memory& m = vm->st.memory;
        const uint32_t ro = uint32_t(kZone);
        const uint32_t rw = uint32_t(2 * kZone + zone_round(o_len));
        const uint32_t stack_top = uint32_t((uint64_t(1) << 32) - 2 * kZone - kArgs);
        const uint32_t stack_size = uint32_t(page_round(s));
        const uint32_t arg_at = uint32_t((uint64_t(1) << 32) - kZone - kArgs);
        // Read-only parts are filled while writable, then protected (one mprotect each in the
        // guard-page model instead of two per page).
        const uint32_t ro_len = uint32_t(page_round(o_len)), arg_len = uint32_t(page_round(args_len));
        if (!(m.map(ro, ro_len, kRead | kWrite) && m.map(rw, uint32_t(heap_bytes), kRead | kWrite) &&
              m.map(stack_top - stack_size, stack_size, kRead | kWrite) && m.map(arg_at, arg_len, kRead | kWrite))) {
            set_error(err, PVM_ERR_OUT_OF_MEMORY, "cannot map the standard program's memory");
            return false;
        }
        m.write(ro, o, o_len);
        m.write(rw, w, w_len);
        m.write(arg_at, args, args_len);
        if (!(m.map(ro, ro_len, kRead) && m.map(arg_at, arg_len, kRead))) {
            set_error(err, PVM_ERR_OUT_OF_MEMORY, "cannot protect the standard program's read-only data");
            return false;
        }
        VmState& st = vm->st;
        st.regs[0] = PVM_HALT_ADDRESS;
        st.regs[1] = stack_top;
        st.regs[7] = arg_at;
        st.regs[8] = args_len;
        st.heap_base = rw;
        return true;
    });
    if (!ok) {
        pvm_destroy(vm);
        return nullptr;
    }
    return vm;
}

// Whole-range check for the host-side accessors: no wrap-around, every page with `need`.
bool host_access_ok(const pvm_vm* vm, uint32_t addr, uint32_t len, uint8_t need) {
    uint32_t fault = 0;
    return uint64_t(addr) + len <= (uint64_t(1) << 32) && vm->st.memory.check(addr, len, need, fault) == Access::Ok;
}

int write_checked(pvm_vm* vm, uint32_t addr, const void* src, uint32_t len, uint8_t need) {
    if (len == 0) return 0;
    if (!src || !host_access_ok(vm, addr, len, need)) return -1;
    vm->st.memory.write(addr, src, len, need == kRead);
    return 0;
}

}  // namespace

extern "C" {

pvm_vm* pvm_create(pvm_backend backend, const uint8_t* blob, size_t len, pvm_error* err) {
    return create(raw(backend), PVM_MEMORY_DEFAULT, blob, len, err);
}
pvm_vm* pvm_create_ex(pvm_backend backend, pvm_memory_model memory, const uint8_t* blob, size_t len, pvm_error* err) {
    return create(raw(backend), raw(memory), blob, len, err);
}

pvm_vm* pvm_create_standard(pvm_backend backend, const uint8_t* blob, size_t len, const uint8_t* args,
                            size_t args_len, pvm_error* err) {
    return create_standard(raw(backend), PVM_MEMORY_DEFAULT, blob, len, args, args_len, err);
}
pvm_vm* pvm_create_standard_ex(pvm_backend backend, pvm_memory_model memory, const uint8_t* blob, size_t len,
                               const uint8_t* args, size_t args_len, pvm_error* err) {
    return create_standard(raw(backend), raw(memory), blob, len, args, args_len, err);
}

void pvm_destroy(pvm_vm* vm) { delete vm; }

pvm_memory_model pvm_get_memory_model(const pvm_vm* vm) {
    return vm->st.memory.model() == MemoryModel::Guard ? PVM_MEMORY_GUARD_PAGES : PVM_MEMORY_CHECKED;
}

const char* pvm_backend_name(pvm_backend backend) {
    switch (raw(backend)) {
        case PVM_BACKEND_INTERPRETER: return "interpreter";
        case PVM_BACKEND_RECOMPILER: return "recompiler";
    }
    return "unknown";
}

int pvm_backend_available(pvm_backend backend) {
    const int b = raw(backend);
    return b == PVM_BACKEND_INTERPRETER || (b == PVM_BACKEND_RECOMPILER && recompiler_available());
}

void pvm_set_gas(pvm_vm* vm, int64_t gas) { vm->st.gas = gas; }
int64_t pvm_get_gas(const pvm_vm* vm) { return vm->st.gas; }

void pvm_set_reg(pvm_vm* vm, unsigned idx, uint64_t value) {
    if (idx < PVM_NUM_REGS) vm->st.regs[idx] = value;
}
uint64_t pvm_get_reg(const pvm_vm* vm, unsigned idx) { return idx < PVM_NUM_REGS ? vm->st.regs[idx] : 0; }

uint32_t pvm_get_pc(const pvm_vm* vm) { return vm->st.pc; }
void pvm_set_pc(pvm_vm* vm, uint32_t pc) {
    vm->st.pc = pc;
    vm->st.resume_valid = false;
}
uint32_t pvm_next_pc(const pvm_vm* vm) {
    const VmState& st = vm->st;
    if (!st.resume_valid) return st.pc;
    return st.program().insns[st.resume_index].pc;
}

int pvm_map_pages(pvm_vm* vm, uint32_t addr, uint32_t len, pvm_access access) {
    uint8_t perm = 0;
    switch (raw(access)) {
        case PVM_ACCESS_NONE: perm = 0; break;
        case PVM_ACCESS_READ: perm = kRead; break;
        case PVM_ACCESS_WRITE: perm = kRead | kWrite; break;
        default: return -1;
    }
    return barrier<int>(nullptr, -1, [&] { return vm->st.memory.map(addr, len, perm) ? 0 : -1; });
}

pvm_access pvm_page_access(const pvm_vm* vm, uint32_t addr) {
    const uint8_t p = vm->st.memory.page_perm(addr);
    return (p & kWrite) ? PVM_ACCESS_WRITE : (p & kRead) ? PVM_ACCESS_READ : PVM_ACCESS_NONE;
}

int pvm_read_memory(const pvm_vm* vm, uint32_t addr, void* dst, uint32_t len) {
    if (len == 0) return 0;
    if (!dst || !host_access_ok(vm, addr, len, kRead)) return -1;
    vm->st.memory.read(addr, dst, len);
    return 0;
}

int pvm_write_memory(pvm_vm* vm, uint32_t addr, const void* src, uint32_t len) {
    return write_checked(vm, addr, src, len, kWrite);
}
int pvm_poke_memory(pvm_vm* vm, uint32_t addr, const void* src, uint32_t len) {
    return write_checked(vm, addr, src, len, kRead);
}

void pvm_set_host_callback(pvm_vm* vm, pvm_host_fn fn, void* user_data) {
    vm->st.host_fn = fn;
    vm->st.host_user = user_data;
}

void pvm_set_step_tracing(pvm_vm* vm, int on) { vm->st.step = on != 0; }

pvm_status pvm_run(pvm_vm* vm) {
    return barrier<pvm_status>(nullptr, PVM_PANIC, [&] { return vm->exec->run(vm, vm->st); });
}

uint32_t pvm_fault_address(const pvm_vm* vm) { return vm->st.fault_addr; }
uint32_t pvm_host_call_index(const pvm_vm* vm) { return vm->st.host_index; }

uint32_t pvm_disassemble(const pvm_vm* vm, uint32_t pc, char* buf, size_t size) {
    const Program& p = vm->st.program();
    const uint32_t idx = p.index_of(pc);
    if (idx == kNoTarget) {
        if (buf && size) buf[0] = 0;
        return 0;
    }
    disassemble(p.insns[idx], buf, size);
    const uint32_t next = p.next_pc(idx);
    return next > pc ? next - pc : 1;
}

const char* pvm_status_name(pvm_status status) {
    switch (raw(status)) {
        case PVM_HALT: return "halt";
        case PVM_PANIC: return "panic";
        case PVM_OUT_OF_GAS: return "out-of-gas";
        case PVM_PAGE_FAULT: return "page-fault";
        case PVM_HOST_CALL: return "host-call";
        case PVM_STEP: return "step";
    }
    return "unknown";
}

}  // extern "C"
