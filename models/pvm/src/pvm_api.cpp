// The libpvm C API over the shared VM state: modules (program, layout, exports, translations)
// and instances. Every entry point is an exception barrier: no C++ exception crosses the C
// boundary (issue 19), and the error paths themselves never allocate.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "container.h"
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
        if (st.gas < p.trap_cost) {
            status = PVM_OUT_OF_GAS;
        } else {
            st.gas -= p.trap_cost;
            status = PVM_PANIC;
        }
        return false;
    }
    if (p.insns[idx - 1].op == op_gas) {  // a block's first instruction: charge on entry
        index = idx - 1;
        return true;
    }
    // Entering mid-block: charge the rest of the block.
    const int64_t cost = entry_cost(p, idx);
    if (st.gas < cost) {
        status = PVM_OUT_OF_GAS;
        return false;
    }
    st.gas -= cost;
    if (p.counting) {  // the rest of the block
        for (uint32_t i = idx; i < p.insns.size(); ++i) {
            ++st.instructions;
            if (p.insns[i].op == op_invalid || op_info(p.insns[i].op).terminator) break;
        }
    }
    index = idx;
    return true;
}

HostMemory host_memory(const pvm_vm* vm) {
    HostMemory h;
    const Module& m = *vm->st.module;
    h.program_bytes = m.program.host_bytes();
    if (vm->st.code) {
        h.code_bytes = vm->st.code->code_bytes();
        h.tables_bytes = vm->st.code->host_bytes() - h.code_bytes;
    }
    for (const Insn& in : m.program.insns) h.instructions += in.op != op_gas && in.op != op_invalid;
    h.model = vm->st.memory.model();
    return h;
}

std::unique_ptr<Executor> make_executor(pvm_backend backend) {
    return backend == PVM_BACKEND_RECOMPILER ? make_recompiler() : make_interpreter();
}

bool Module::code_for(MemoryModel m, const ModuleCode*& out, std::string& error) const {
    std::lock_guard<std::mutex> lock(compile_mutex);
    auto& slot = code[m == MemoryModel::Guard ? 0 : 1];
    if (!slot) {
        std::unique_ptr<Executor> exec = make_executor(backend);
        if (!exec->needs_code()) {
            out = nullptr;
            return true;
        }
        slot = exec->compile(*this, m, error);
        if (!slot) return false;
    }
    out = slot.get();
    return true;
}

bool replace_module(pvm_vm* vm, std::shared_ptr<const Module> module, std::string& error) {
    VmState& st = vm->st;
    const ModuleCode* code = nullptr;
    if (!module->code_for(st.memory.model(), code, error)) return false;
    vm->exec = make_executor(module->backend);
    vm->backend = module->backend;
    st.memory.set_readonly_write_panics(module->program.gp == Gp::NewGas);
    st.code = code;
    st.module = std::move(module);
    st.resume_valid = false;
    return true;
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
// By reference: copying a struct field of enum type by value is already such a read.
template <typename E>
int raw(const E& e) {
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

// The memory model for a new module: an explicit request, else PVM_MEMORY_MODEL, else guard
// pages for the recompiler when its fault handler is installed.
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

uint32_t read_le(const uint8_t* p, unsigned n) {
    uint32_t v = 0;
    for (unsigned i = 0; i < n; ++i) v |= uint32_t(p[i]) << (8 * i);
    return v;
}

constexpr uint64_t kZone = 1u << 16;   // ZZ
constexpr uint64_t kArgs = 1u << 24;   // ZI
constexpr uint64_t kTop = uint64_t(1) << 32;
uint64_t page_round(uint64_t x) { return (x + kPageSize - 1) / kPageSize * kPageSize; }  // P
uint64_t zone_round(uint64_t x) { return (x + kZone - 1) / kZone * kZone; }              // Z

// GP A.7 standard program: E3(|o|) E3(|w|) E2(z) E3(s) o w E4(|c|) c. Fills the layout and
// points at the program blob c.
bool parse_standard(const uint8_t* blob, size_t len, Layout& l, const uint8_t*& code, size_t& code_len,
                    pvm_error* err) {
    if (len < 11) {
        set_error(err, PVM_ERR_MALFORMED_BLOB, "malformed standard program: header truncated (needs 11 bytes)");
        return false;
    }
    const uint64_t o_len = read_le(blob, 3), w_len = read_le(blob + 3, 3), z = read_le(blob + 6, 2),
                   s = read_le(blob + 8, 3);
    size_t pos = 11;
    if (len - pos < o_len + w_len + 4) {
        set_error(err, PVM_ERR_MALFORMED_BLOB, "malformed standard program: data sections exceed the blob");
        return false;
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
        return false;
    }
    if (5 * kZone + zone_round(o_len) + zone_round(w_len + z * kPageSize) + zone_round(s) + kArgs > kTop) {
        set_error(err, PVM_ERR_MALFORMED_BLOB, "standard program does not fit the 32-bit address space (GP A.7)");
        return false;
    }
    l.kind = Layout::Standard;
    l.ro_data.assign(o, o + o_len);
    l.rw_data.assign(w, w + w_len);
    l.ro_address = uint32_t(kZone);
    l.ro_size = uint32_t(page_round(o_len));
    l.rw_address = uint32_t(2 * kZone + zone_round(o_len));
    l.rw_size = uint32_t(page_round(w_len) + z * kPageSize);
    l.heap_base = l.rw_address;
    l.heap_limit = 0;
    l.stack_high = uint32_t(kTop - 2 * kZone - kArgs);
    l.stack_low = uint32_t(l.stack_high - page_round(s));
    l.args_address = uint32_t(kTop - kZone - kArgs);
    l.args_limit = uint32_t(kArgs);
    code = blob + pos;
    code_len = size_t(c_len);
    return true;
}

// PolkaVM's memory map for a container (polkavm-common abi.rs, 4 KiB pages, no aux data):
// [64 KiB guard] ro [guard] rw, heap ... stack [guard] [64 KiB up to 0xFFFF0000].
bool polkavm_layout(const Container& c, Layout& l, pvm_error* err) {
    const uint64_t low = kZone + zone_round(c.ro_data_size) + kZone + zone_round(c.rw_data_size) + kZone;
    const uint64_t stack_high = kTop - kZone - kZone;
    if (uint64_t(stack_high) < low + zone_round(c.stack_size)) {
        set_error(err, PVM_ERR_MALFORMED_BLOB, "malformed .polkavm container: its memory does not fit 4 GiB");
        return false;
    }
    l.kind = Layout::PolkaVm;
    l.ro_data = c.ro_data;
    l.rw_data = c.rw_data;
    l.ro_address = uint32_t(kZone);
    l.ro_size = uint32_t(page_round(c.ro_data_size));
    l.rw_address = uint32_t(kZone + zone_round(c.ro_data_size) + kZone);
    l.rw_size = uint32_t(page_round(c.rw_data_size));
    l.heap_base = l.rw_address + c.rw_data_size;
    l.stack_high = uint32_t(stack_high);
    l.stack_low = uint32_t(stack_high - page_round(c.stack_size));
    l.heap_limit = uint32_t(stack_high - zone_round(c.stack_size));
    return true;
}

std::shared_ptr<Module> make_module(const pvm_config* config, int format, const uint8_t* blob, size_t len,
                                    const uint8_t* bitmask, size_t bitmask_len, const uint32_t* jt, size_t jt_len,
                                    bool parts, pvm_error* err) {
    set_error(err, PVM_OK, "%s", "");
    const pvm_config defaults{};
    const pvm_config& cfg = config ? *config : defaults;
    const int backend = raw(cfg.backend), gp = raw(cfg.gp);
    if (backend != PVM_BACKEND_INTERPRETER && backend != PVM_BACKEND_RECOMPILER) {
        set_error(err, PVM_ERR_INVALID_ARGUMENT, "unknown backend %d", backend);
        return nullptr;
    }
    if (gp != PVM_GP_0_7_2 && gp != PVM_GP_NEW_GAS) {
        set_error(err, PVM_ERR_INVALID_ARGUMENT, "unknown Gray Paper profile %d", gp);
        return nullptr;
    }
    if (cfg.flags & ~(PVM_CONFIG_COUNT_INSTRUCTIONS | PVM_CONFIG_STEP)) {
        set_error(err, PVM_ERR_INVALID_ARGUMENT, "unknown configuration flags 0x%x", cfg.flags);
        return nullptr;
    }
    if (format < PVM_BLOB_AUTO || format > PVM_BLOB_POLKAVM) {
        set_error(err, PVM_ERR_INVALID_ARGUMENT, "unknown blob format %d", format);
        return nullptr;
    }
    if (!blob && len) {
        set_error(err, PVM_ERR_INVALID_ARGUMENT, "program blob pointer is NULL");
        return nullptr;
    }
    if (backend == PVM_BACKEND_RECOMPILER && !recompiler_available()) {
        set_error(err, PVM_ERR_BACKEND_UNAVAILABLE, "the recompiler backend needs an x86-64 host (use the interpreter)");
        return nullptr;
    }
    MemoryModel model;
    bool required = false;
    if (!choose_model(backend, raw(cfg.memory), model, required, err)) return nullptr;
    return barrier<std::shared_ptr<Module>>(err, nullptr, [&]() -> std::shared_ptr<Module> {
        auto m = std::make_shared<Module>();
        m->backend = static_cast<pvm_backend>(backend);
        m->model = model;
        m->model_required = required;
        m->step = (cfg.flags & PVM_CONFIG_STEP) != 0;
        ParseOptions opt;
        opt.gp = static_cast<Gp>(gp);
        opt.count_instructions = (cfg.flags & PVM_CONFIG_COUNT_INSTRUCTIONS) != 0;
        std::string msg;
        bool ok = true;
        if (parts) {
            ok = parse_parts(blob, len, bitmask, bitmask_len, jt, jt_len, opt, m->program, msg);
        } else {
            if (format == PVM_BLOB_AUTO) format = is_container(blob, len) ? PVM_BLOB_POLKAVM : PVM_BLOB_PROGRAM;
            if (format == PVM_BLOB_PROGRAM) {
                ok = parse_program(blob, len, opt, m->program, msg);
            } else if (format == PVM_BLOB_STANDARD) {
                const uint8_t* code = nullptr;
                size_t code_len = 0;
                if (!parse_standard(blob, len, m->layout, code, code_len, err)) return nullptr;
                ok = parse_program(code, code_len, opt, m->program, msg);
            } else {
                Container c;
                if (!parse_container(blob, len, c, msg)) {
                    set_error(err, PVM_ERR_MALFORMED_BLOB, "%s", msg.c_str());
                    return nullptr;
                }
                if (!polkavm_layout(c, m->layout, err)) return nullptr;
                ok = parse_program(c.code, c.code_len, opt, m->program, msg);
                if (ok) {
                    for (const auto& e : c.exports) {
                        if (m->program.index_of(e.pc) == kNoTarget) {
                            set_error(err, PVM_ERR_MALFORMED_BLOB,
                                      "malformed .polkavm container: export '%.64s' at pc %u is no instruction",
                                      e.name.c_str(), e.pc);
                            return nullptr;
                        }
                        m->exports.push_back({e.name, e.pc});
                    }
                }
            }
        }
        if (!ok) {
            set_error(err, PVM_ERR_MALFORMED_BLOB, "%s", msg.c_str());
            return nullptr;
        }
        // Translate now for the chosen model (errors show at creation, and the benchmark's
        // compile time stays the module's); another model is compiled on first use.
        std::unique_ptr<Executor> exec = make_executor(m->backend);
        if (exec->needs_code()) {
            m->code[model == MemoryModel::Guard ? 0 : 1] = exec->compile(*m, model, msg);
            if (!m->code[model == MemoryModel::Guard ? 0 : 1]) {
                set_error(err, PVM_ERR_OUT_OF_MEMORY, "%s", msg.c_str());
                return nullptr;
            }
        }
        return m;
    });
}

// The layout's memory and registers (instance creation and reset). Pages bound to embedder
// memory get their region's contents and zeros too.
bool init_layout(VmState& st) {
    const Layout& l = st.module->layout;
    Memory& m = st.memory;
    std::memset(st.regs, 0, sizeof st.regs);
    st.heap_base = l.heap_base;
    st.heap_limit = l.heap_limit;
    if (l.kind == Layout::Bare) return true;
    // Read-only parts are filled while writable, then protected (one mprotect each in the
    // guard-page model instead of two per page).
    const uint32_t args_size = uint32_t(page_round(st.args.size()));
    struct Region {
        uint32_t at, size;
        const std::vector<uint8_t>* data;
    };
    const Region regions[] = {{l.ro_address, l.ro_size, &l.ro_data},
                              {l.rw_address, l.rw_size, &l.rw_data},
                              {l.stack_low, l.stack_high - l.stack_low, nullptr},
                              {l.args_address, l.args_address ? args_size : 0, &st.args}};
    for (const Region& r : regions) {
        if (!r.size) continue;
        if (!m.map(r.at, r.size, kRead | kWrite)) return false;
        const size_t n = r.data ? r.data->size() : 0;
        if (n && !m.write(r.at, r.data->data(), n)) return false;
        if (!m.zero_bound(uint32_t(r.at + n), r.size - n)) return false;
    }
    if ((l.ro_size && !m.map(l.ro_address, l.ro_size, kRead)) ||
        (l.args_address && args_size && !m.map(l.args_address, args_size, kRead)))
        return false;
    st.regs[0] = PVM_HALT_ADDRESS;
    st.regs[1] = l.stack_high;
    if (l.kind == Layout::Standard) {
        st.regs[7] = l.args_address;
        st.regs[8] = st.args.size();
    }
    return true;
}

pvm_vm* make_instance(std::shared_ptr<const Module> module, const uint8_t* args, size_t args_len, pvm_error* err) {
    set_error(err, PVM_OK, "%s", "");
    if (!args && args_len) {
        set_error(err, PVM_ERR_INVALID_ARGUMENT, "argument pointer is NULL");
        return nullptr;
    }
    if (args_len && module->layout.kind != Layout::Standard) {
        set_error(err, PVM_ERR_INVALID_ARGUMENT, "arguments need a standard program (GP A.7)");
        return nullptr;
    }
    if (args_len > kArgs) {
        set_error(err, PVM_ERR_INVALID_ARGUMENT, "arguments exceed 16 MiB (GP ZI)");
        return nullptr;
    }
    return barrier<pvm_vm*>(err, nullptr, [&]() -> pvm_vm* {
        std::unique_ptr<pvm_vm> vm(new pvm_vm);
        vm->backend = module->backend;
        VmState& st = vm->st;
        MemoryModel model = module->model;
        std::string msg;
        if (!st.memory.init(model, msg)) {
            if (model != MemoryModel::Guard || module->model_required) {
                set_error(err, PVM_ERR_OUT_OF_MEMORY, "%s", msg.c_str());
                return nullptr;
            }
            model = MemoryModel::Checked;  // the address space cannot be reserved: fall back
            if (!st.memory.init(model, msg)) {
                set_error(err, PVM_ERR_OUT_OF_MEMORY, "%s", msg.c_str());
                return nullptr;
            }
        }
        if (!module->code_for(model, st.code, msg)) {
            set_error(err, PVM_ERR_OUT_OF_MEMORY, "%s", msg.c_str());
            return nullptr;
        }
        vm->exec = make_executor(module->backend);
        st.memory.set_readonly_write_panics(module->program.gp == Gp::NewGas);
        st.step = module->step;
        st.args.assign(args, args + args_len);
        st.module = std::move(module);
        if (!init_layout(st)) {
            set_error(err, PVM_ERR_OUT_OF_MEMORY, "cannot map the standard program's memory");
            return nullptr;
        }
        return vm.release();
    });
}

pvm_vm* create(int backend, int memory, int format, const uint8_t* blob, size_t len, const uint8_t* args,
               size_t args_len, pvm_error* err) {
    pvm_config cfg{};
    std::memcpy(&cfg.backend, &backend, sizeof backend);
    std::memcpy(&cfg.memory, &memory, sizeof memory);
    if (format == PVM_BLOB_STANDARD && !args && args_len) {
        set_error(err, PVM_ERR_INVALID_ARGUMENT, "argument pointer is NULL");
        return nullptr;
    }
    std::shared_ptr<Module> m = make_module(&cfg, format, blob, len, nullptr, 0, nullptr, 0, false, err);
    if (!m) return nullptr;
    return make_instance(std::move(m), args, args_len, err);
}

// Whole-range check for the host-side accessors: no wrap-around, every page with `need`.
bool host_access_ok(const pvm_vm* vm, uint32_t addr, uint32_t len, uint8_t need) {
    uint32_t fault = 0;
    return uint64_t(addr) + len <= kTop && vm->st.memory.check(addr, len, need, fault) == Access::Ok;
}

int write_checked(pvm_vm* vm, uint32_t addr, const void* src, uint32_t len, uint8_t need) {
    if (len == 0) return 0;
    if (!src || !host_access_ok(vm, addr, len, need)) return -1;
    return barrier<int>(nullptr, -1, [&] { return vm->st.memory.write(addr, src, len, need == kRead) ? 0 : -1; });
}

bool perm_of(pvm_access access, uint8_t& perm) {
    switch (raw(access)) {
        case PVM_ACCESS_NONE: perm = 0; return true;
        case PVM_ACCESS_READ: perm = kRead; return true;
        case PVM_ACCESS_WRITE: perm = kRead | kWrite; return true;
        default: return false;
    }
}

}  // namespace

extern "C" {

pvm_vm* pvm_create(pvm_backend backend, const uint8_t* blob, size_t len, pvm_error* err) {
    return create(raw(backend), PVM_MEMORY_DEFAULT, PVM_BLOB_PROGRAM, blob, len, nullptr, 0, err);
}
pvm_vm* pvm_create_ex(pvm_backend backend, pvm_memory_model memory, const uint8_t* blob, size_t len, pvm_error* err) {
    return create(raw(backend), raw(memory), PVM_BLOB_PROGRAM, blob, len, nullptr, 0, err);
}

pvm_vm* pvm_create_standard(pvm_backend backend, const uint8_t* blob, size_t len, const uint8_t* args,
                            size_t args_len, pvm_error* err) {
    return create(raw(backend), PVM_MEMORY_DEFAULT, PVM_BLOB_STANDARD, blob, len, args, args_len, err);
}
pvm_vm* pvm_create_standard_ex(pvm_backend backend, pvm_memory_model memory, const uint8_t* blob, size_t len,
                               const uint8_t* args, size_t args_len, pvm_error* err) {
    return create(raw(backend), raw(memory), PVM_BLOB_STANDARD, blob, len, args, args_len, err);
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
    if (!perm_of(access, perm)) return -1;
    return barrier<int>(nullptr, -1, [&] { return vm->st.memory.map(addr, len, perm) ? 0 : -1; });
}

pvm_access pvm_page_access(const pvm_vm* vm, uint32_t addr) {
    const uint8_t p = vm->st.memory.page_perm(addr);
    return (p & kWrite) ? PVM_ACCESS_WRITE : (p & kRead) ? PVM_ACCESS_READ : PVM_ACCESS_NONE;
}

int pvm_read_memory(const pvm_vm* vm, uint32_t addr, void* dst, uint32_t len) {
    if (len == 0) return 0;
    if (!dst || !host_access_ok(vm, addr, len, kRead)) return -1;
    return barrier<int>(nullptr, -1, [&] { return vm->st.memory.read(addr, dst, len) ? 0 : -1; });
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

// ---- profiles, modules, instances ----

const char* pvm_gp_name(pvm_gp gp) {
    switch (raw(gp)) {
        case PVM_GP_0_7_2: return "0.7.2";
        case PVM_GP_NEW_GAS: return "new-gas";
    }
    return "unknown";
}

pvm_module* pvm_module_create(const pvm_config* config, pvm_blob_format format, const uint8_t* blob, size_t len,
                              pvm_error* err) {
    std::shared_ptr<Module> m = make_module(config, raw(format), blob, len, nullptr, 0, nullptr, 0, false, err);
    if (!m) return nullptr;
    return barrier<pvm_module*>(err, nullptr, [&] { return new pvm_module{std::move(m)}; });
}

pvm_module* pvm_module_create_parts(const pvm_config* config, const uint8_t* code, size_t code_len,
                                    const uint8_t* bitmask, size_t bitmask_len, const uint32_t* jump_table,
                                    size_t jump_table_len, pvm_error* err) {
    std::shared_ptr<Module> m = make_module(config, PVM_BLOB_PROGRAM, code, code_len, bitmask, bitmask_len, jump_table,
                                            jump_table_len, true, err);
    if (!m) return nullptr;
    return barrier<pvm_module*>(err, nullptr, [&] { return new pvm_module{std::move(m)}; });
}

void pvm_module_destroy(pvm_module* module) { delete module; }

uint32_t pvm_module_export_count(const pvm_module* module) { return uint32_t(module->module->exports.size()); }
const char* pvm_module_export_symbol(const pvm_module* module, uint32_t index) {
    const auto& e = module->module->exports;
    return index < e.size() ? e[index].name.c_str() : nullptr;
}
uint32_t pvm_module_export_entry(const pvm_module* module, uint32_t index) {
    const auto& e = module->module->exports;
    return index < e.size() ? e[index].pc : 0xFFFFFFFFu;
}

void pvm_module_get_memory_info(const pvm_module* module, pvm_memory_info* info) {
    if (!info) return;
    const Layout& l = module->module->layout;
    *info = pvm_memory_info{};
    info->page_size = kPageSize;
    if (l.kind == Layout::Bare) {
        info->heap_base = l.heap_base;
        return;
    }
    info->ro_address = l.ro_address;
    info->ro_size = l.ro_size;
    info->rw_address = l.rw_address;
    info->rw_size = l.rw_size;
    info->heap_base = l.heap_base;
    info->heap_limit = l.heap_limit;
    info->stack_low = l.stack_low;
    info->stack_high = l.stack_high;
    info->args_address = l.args_address;
    info->args_limit = l.args_limit;
}

pvm_gp pvm_module_gp(const pvm_module* module) {
    return module->module->program.gp == Gp::NewGas ? PVM_GP_NEW_GAS : PVM_GP_0_7_2;
}

int64_t pvm_module_block_cost(const pvm_module* module, uint32_t pc) {
    const Program& p = module->module->program;
    const uint32_t idx = p.index_of(pc);
    if (idx == kNoTarget) return -1;
    return barrier<int64_t>(nullptr, -1, [&] { return entry_cost(p, p.insns[idx - 1].op == op_gas ? idx - 1 : idx); });
}

pvm_vm* pvm_instance_create(const pvm_module* module, const uint8_t* args, size_t args_len, pvm_error* err) {
    if (!module) {
        set_error(err, PVM_ERR_INVALID_ARGUMENT, "module is NULL");
        return nullptr;
    }
    return make_instance(module->module, args, args_len, err);
}

int pvm_reset(pvm_vm* vm) {
    return barrier<int>(nullptr, -1, [&] {
        VmState& st = vm->st;
        st.gas = 0;
        st.pc = 0;
        st.fault_addr = 0;
        st.host_index = 0;
        st.resume_valid = false;
        st.instructions = 0;
        if (!st.memory.unmap_all()) return -1;
        return init_layout(st) ? 0 : -1;
    });
}

void pvm_prepare_call(pvm_vm* vm, uint32_t pc) {
    VmState& st = vm->st;
    st.pc = pc;
    st.resume_valid = false;
    st.regs[0] = PVM_HALT_ADDRESS;
    if (st.module->layout.stack_high) st.regs[1] = st.module->layout.stack_high;
}

pvm_run_result pvm_run_ex(pvm_vm* vm) {
    pvm_run_result r;
    r.status = pvm_run(vm);
    r.gas = vm->st.gas;
    r.host_call = vm->st.host_index;
    r.pc = vm->st.pc;
    r.fault_address = vm->st.fault_addr;
    return r;
}

void pvm_get_regs(const pvm_vm* vm, uint64_t regs[PVM_NUM_REGS]) {
    std::memcpy(regs, vm->st.regs, sizeof vm->st.regs);
}
void pvm_set_regs(pvm_vm* vm, const uint64_t regs[PVM_NUM_REGS]) {
    std::memcpy(vm->st.regs, regs, sizeof vm->st.regs);
}
uint64_t* pvm_regs(pvm_vm* vm) { return vm->st.regs; }

uint64_t pvm_instruction_count(const pvm_vm* vm) { return vm->st.instructions; }

uint32_t pvm_heap_base(const pvm_vm* vm) { return vm->st.heap_base; }

uint32_t pvm_get_heap_pointer(const pvm_vm* vm) {
    uint32_t x = 0;
    const VmState& st = vm->st;
    return const_cast<Memory&>(st.memory).find_free(st.heap_base, 1, x) ? x : 0;
}

int pvm_set_heap_pointer(pvm_vm* vm, uint32_t pointer) {
    VmState& st = vm->st;
    const uint64_t base = page_round(st.heap_base);
    const uint64_t target = page_round(pointer);
    const uint64_t limit = st.heap_limit ? st.heap_limit : kTop;
    if (target < base || target > limit) return -1;
    const uint64_t current = pvm_get_heap_pointer(vm);
    if (current == 0) return -1;
    return barrier<int>(nullptr, -1, [&] {
        if (target > current) return st.memory.map(uint32_t(current), uint32_t(target - current), kRead | kWrite) ? 0 : -1;
        if (target < current) return st.memory.map(uint32_t(target), uint32_t(current - target), 0) ? 0 : -1;
        return 0;
    });
}

uint32_t pvm_sbrk(pvm_vm* vm, uint32_t bytes) { return uint32_t(sbrk(vm->st, bytes)); }

void pvm_set_heap_limit(pvm_vm* vm, uint32_t limit) { vm->st.heap_limit = limit; }

int pvm_map_external(pvm_vm* vm, uint32_t addr, uint32_t len, void* host, pvm_access access) {
    uint8_t perm = 0;
    if (!perm_of(access, perm)) return -1;
    return barrier<int>(nullptr, -1, [&] {
        Memory& m = vm->st.memory;
        if (!host) return m.unbind(addr, len) ? 0 : -1;
        return m.bind_external(addr, len, static_cast<uint8_t*>(host), perm) ? 0 : -1;
    });
}

void pvm_set_memory_callback(pvm_vm* vm, pvm_memory_fn fn, void* user_data) { vm->st.memory.set_callback(fn, user_data); }

int pvm_map_callback(pvm_vm* vm, uint32_t addr, uint32_t len, pvm_access access) {
    uint8_t perm = 0;
    if (!perm_of(access, perm)) return -1;
    return barrier<int>(nullptr, -1, [&] { return vm->st.memory.bind_callback(addr, len, perm) ? 0 : -1; });
}

}  // extern "C"
