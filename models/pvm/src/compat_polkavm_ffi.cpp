// polkavm_ffi.h: polkavm-ffi's engine/module/instance API as a thin layer over pvm.h. An engine
// is a pvm_config; a module a pvm_module; an instance a pvm_vm (the one VM state).
#include "polkavm_ffi.h"

#include <cstdio>
#include <cstring>
#include <new>

#include "pvm.h"

namespace {

thread_local char g_error[256];

void set_error(const char* message) { std::snprintf(g_error, sizeof g_error, "%s", message); }

struct Engine {
    pvm_config config;
};

PvmEngine new_engine(pvm_backend backend, pvm_gp gp) {
    if (!pvm_backend_available(backend)) {
        set_error("the recompiler backend is unavailable on this host (use pvm_engine_new_interpreter)");
        return nullptr;
    }
    Engine* e = new (std::nothrow) Engine{};
    if (!e) {
        set_error("out of memory");
        return nullptr;
    }
    e->config.backend = backend;
    e->config.gp = gp;
    g_error[0] = 0;
    return e;
}

PvmModule new_module(PvmEngine engine, const uint8_t* blob, size_t len, bool step) {
    if (!engine) {
        set_error("engine is NULL");
        return nullptr;
    }
    pvm_config config = static_cast<Engine*>(engine)->config;
    if (step) config.flags |= PVM_CONFIG_STEP;
    pvm_error err{};
    pvm_module* m = pvm_module_create(&config, PVM_BLOB_AUTO, blob, len, &err);
    if (!m) set_error(err.message);
    return m;
}

pvm_vm* vm_of(PvmInstance i) { return static_cast<pvm_vm*>(i); }

}  // namespace

extern "C" {

PvmEngine pvm_engine_new(void) { return new_engine(PVM_BACKEND_RECOMPILER, PVM_GP_0_7_2); }
PvmEngine pvm_engine_new_interpreter(void) { return new_engine(PVM_BACKEND_INTERPRETER, PVM_GP_0_7_2); }
PvmEngine pvm_engine_new_with(uint32_t backend, uint32_t gp) {
    if (backend > PVM_BACKEND_RECOMPILER || gp > PVM_GP_NEW_GAS) {
        set_error("unknown backend or Gray Paper profile");
        return nullptr;
    }
    return new_engine(static_cast<pvm_backend>(backend), static_cast<pvm_gp>(gp));
}
void pvm_engine_free(PvmEngine engine) { delete static_cast<Engine*>(engine); }

PvmModule pvm_module_new(PvmEngine engine, const uint8_t* blob, size_t len) { return new_module(engine, blob, len, false); }
PvmModule pvm_module_new_step(PvmEngine engine, const uint8_t* blob, size_t len) {
    return new_module(engine, blob, len, true);
}
void pvm_module_free(PvmModule module) {
    if (module) pvm_module_destroy(static_cast<pvm_module*>(module));
}

PvmMemoryInfo pvm_module_memory_info(PvmModule module) {
    PvmMemoryInfo r{};
    if (!module) return r;
    pvm_memory_info m;
    pvm_module_get_memory_info(static_cast<pvm_module*>(module), &m);
    r.page_size = m.page_size;
    r.ro_data_address = m.ro_address;
    r.ro_data_size = m.ro_size;
    r.rw_data_address = m.rw_address;
    r.rw_data_size = m.rw_size;
    r.stack_address_low = m.stack_low;
    r.stack_address_high = m.stack_high;
    r.heap_base = m.heap_base;
    r.max_heap_size = m.heap_limit > m.heap_base ? m.heap_limit - m.heap_base : 0;
    return r;
}

uint32_t pvm_module_exports_count(PvmModule module) {
    if (!module) return 0;
    return pvm_module_export_count(static_cast<pvm_module*>(module));
}

int pvm_module_export_name(PvmModule module, uint32_t idx, char* buf, size_t len) {
    if (!module) return -1;
    const char* name = pvm_module_export_symbol(static_cast<const pvm_module*>(module), idx);
    if (!name) return -1;
    if (buf && len) std::snprintf(buf, len, "%s", name);
    return int(std::strlen(name));
}

uint32_t pvm_module_export_pc(PvmModule module, uint32_t idx) {
    if (!module) return 0xFFFFFFFFu;
    return pvm_module_export_entry(static_cast<pvm_module*>(module), idx);
}

PvmInstance pvm_instance_new(PvmEngine engine, PvmModule module) {
    (void)engine;  // the module was translated for its engine's backend already
    if (!module) {
        set_error("module is NULL");
        return nullptr;
    }
    pvm_error err{};
    pvm_vm* vm = pvm_instance_create(static_cast<pvm_module*>(module), nullptr, 0, &err);
    if (!vm) set_error(err.message);
    return vm;
}
void pvm_instance_free(PvmInstance instance) { pvm_destroy(vm_of(instance)); }
void pvm_instance_reset(PvmInstance instance) {
    if (!instance) return;
    if (pvm_reset(vm_of(instance)) != 0) set_error("reset: cannot map the module's memory");
}
void pvm_instance_set_gas(PvmInstance instance, int64_t gas) {
    if (!instance) return;
    pvm_set_gas(vm_of(instance), gas);
}
int64_t pvm_instance_get_gas(PvmInstance instance) {
    if (!instance) return 0;
    return pvm_get_gas(vm_of(instance));
}
void pvm_instance_set_reg(PvmInstance instance, uint32_t reg, uint64_t value) {
    if (!instance) return;
    pvm_set_reg(vm_of(instance), reg, value);
}
uint64_t pvm_instance_get_reg(PvmInstance instance, uint32_t reg) {
    if (!instance) return 0;
    return pvm_get_reg(vm_of(instance), reg);
}
uint32_t pvm_instance_get_pc(PvmInstance instance) {
    if (!instance) return 0;
    return pvm_get_pc(vm_of(instance));
}
void pvm_instance_prepare_call(PvmInstance instance, uint32_t pc) {
    if (!instance) return;
    pvm_prepare_call(vm_of(instance), pc);
}

PvmResult pvm_instance_run(PvmInstance instance) {
    if (!instance) return PvmResult{PVM_FFI_PANIC, 0, 0};
    const pvm_run_result r = pvm_run_ex(vm_of(instance));
    PvmResult out;
    out.status = uint32_t(r.status);  // the same numbering
    out.gas_remaining = r.gas;
    out.host_call = r.host_call;
    return out;
}

int pvm_instance_read_memory(PvmInstance instance, uint32_t addr, uint8_t* buf, size_t len) {
    if (!instance || len > 0xFFFFFFFFu) return -1;
    return pvm_read_memory(vm_of(instance), addr, buf, uint32_t(len));
}
int pvm_instance_write_memory(PvmInstance instance, uint32_t addr, const uint8_t* data, size_t len) {
    if (!instance || len > 0xFFFFFFFFu) return -1;
    return pvm_write_memory(vm_of(instance), addr, data, uint32_t(len));
}

uint32_t pvm_instance_sbrk(PvmInstance instance, uint32_t pages) {
    if (!instance) return 0;
    if (pages == 0) return pvm_get_heap_pointer(vm_of(instance));
    if (pages > (0xFFFFFFFFu >> 12)) return 0;
    return pvm_sbrk(vm_of(instance), pages << 12);
}

uint32_t pvm_instance_heap_size(PvmInstance instance) {
    if (!instance) return 0;
    const uint32_t top = pvm_get_heap_pointer(vm_of(instance)), base = pvm_heap_base(vm_of(instance));
    return top > base ? top - base : 0;
}

const char* pvm_ffi_last_error(void) { return g_error; }

int pvm_instance_map_memory(PvmInstance instance, uint32_t addr, uint32_t len, uint32_t access) {
    if (!instance || access > 2) return -1;
    const pvm_access a = access == 2 ? PVM_ACCESS_WRITE : access == 1 ? PVM_ACCESS_READ : PVM_ACCESS_NONE;
    return pvm_map_pages(vm_of(instance), addr, len, a);
}

uint32_t pvm_instance_fault_address(PvmInstance instance) {
    if (!instance) return 0;
    return pvm_fault_address(vm_of(instance));
}

}  // extern "C"
