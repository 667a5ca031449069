// pvm_vm.h: the pvm_vm_* API over pvm.h. The state is the pvm_vm underneath (registers, gas, pc,
// memory); this layer keeps only what pvm.h has no place for: the program parts (a bitmask or
// jump table set after creation re-parses the program, keeping the state), the seed-style
// callback and the service index.
#include "pvm_vm.h"

#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "vm.h"

struct pvm_vm_t {
    pvm_config config{};
    uint32_t service_index = 0;
    std::vector<uint8_t> code, bitmask;
    std::vector<uint32_t> jump_table;
    bool dirty = false;  // parts changed since the module was built
    pvm_vm* vm = nullptr;
    pvm_host_callback_t callback = nullptr;
    void* user_data = nullptr;
    uint8_t state = PVM_STATE_READY;
    uint32_t region_bases[4] = {};  // bound regions (for replacement)
    uint32_t region_sizes[4] = {};
    char error[256] = {};
};

namespace {

constexpr uint32_t kZone = 1u << 16, kArgs = 1u << 24;
constexpr uint64_t kTop = uint64_t(1) << 32;

int fail(pvm_vm_t* t, const char* message) {
    std::snprintf(t->error, sizeof t->error, "%s", message);
    return -1;
}

pvm_module* build(pvm_vm_t* t, pvm_error& err) {
    // No bitmask yet: every code byte is a trap (all bits clear).
    std::vector<uint8_t> none;
    const uint8_t* mask = t->bitmask.data();
    size_t mask_len = t->bitmask.size();
    if (mask_len == 0 && !t->code.empty()) {
        try {
            none.assign((t->code.size() + 7) / 8, 0);
        } catch (...) {
            std::snprintf(err.message, sizeof err.message, "out of memory");
            return nullptr;
        }
        mask = none.data();
        mask_len = none.size();
    }
    return pvm_module_create_parts(&t->config, t->code.data(), t->code.size(), mask, mask_len, t->jump_table.data(),
                                   t->jump_table.size(), &err);
}

// Rebuilds the module after the parts changed, keeping the VM state.
bool refresh(pvm_vm_t* t) {
    if (!t->dirty) return true;
    pvm_error err{};
    pvm_module* m = build(t, err);
    if (!m) {
        fail(t, err.message);
        return false;
    }
    std::string msg;
    bool ok = false;
    try {
        ok = pvm::replace_module(t->vm, m->module, msg);
    } catch (...) {
        msg = "out of memory";
    }
    pvm_module_destroy(m);
    if (!ok) {
        fail(t, msg.c_str());
        return false;
    }
    t->dirty = false;
    return true;
}

pvm_host_result trampoline(pvm_vm*, uint32_t index, void* user) {
    pvm_vm_t* t = static_cast<pvm_vm_t*>(user);
    t->state = PVM_STATE_HOST;
    return t->callback(t, int(index), t->user_data);
}

pvm_result_t finish(pvm_vm_t* t, pvm_status s) {
    switch (s) {
        case PVM_HALT: t->state = PVM_STATE_HALT; return PVM_RESULT_OK;
        case PVM_OUT_OF_GAS: t->state = PVM_STATE_OOG; return PVM_RESULT_OOG;
        case PVM_PAGE_FAULT: t->state = PVM_STATE_FAULT; return PVM_RESULT_PAGE_FAULT;
        case PVM_HOST_CALL: t->state = PVM_STATE_HOST; return PVM_RESULT_HOST_CALL;
        default: t->state = PVM_STATE_PANIC; return PVM_RESULT_PANIC;
    }
}

pvm_result_t run(pvm_vm_t* t) {
    if (!refresh(t)) {  // a program that cannot be built panics (GP A.2)
        t->state = PVM_STATE_PANIC;
        return PVM_RESULT_PANIC;
    }
    pvm_status s;
    do {
        s = pvm_run(t->vm);
    } while (s == PVM_STEP);
    return finish(t, s);
}

}  // namespace

extern "C" {

pvm_vm_t* pvm_vm_create_ex(const pvm_config* config, uint32_t service_index, const uint8_t* code, size_t code_len,
                           const uint64_t* initial_regs, size_t num_regs, uint64_t initial_pc) {
    if ((!code && code_len) || (!initial_regs && num_regs) || num_regs > PVM_NUM_REGS || initial_pc > 0xFFFFFFFFu)
        return nullptr;
    std::unique_ptr<pvm_vm_t> t(new (std::nothrow) pvm_vm_t);
    if (!t) return nullptr;
    try {
        if (config) t->config = *config;
        t->config.memory = PVM_MEMORY_CHECKED;  // regions are host memory
        t->config.flags &= ~unsigned(PVM_CONFIG_STEP);
        t->service_index = service_index;
        t->code.assign(code, code + code_len);
    } catch (...) {
        return nullptr;
    }
    pvm_error err{};
    pvm_module* m = build(t.get(), err);
    if (!m) return nullptr;
    t->vm = pvm_instance_create(m, nullptr, 0, &err);
    pvm_module_destroy(m);
    if (!t->vm) return nullptr;
    for (size_t i = 0; i < num_regs; ++i) pvm_set_reg(t->vm, unsigned(i), initial_regs[i]);
    pvm_set_pc(t->vm, uint32_t(initial_pc));
    return t.release();
}

pvm_vm_t* pvm_vm_create(uint32_t service_index, const uint8_t* code, size_t code_len, const uint64_t* initial_regs,
                        size_t num_regs, uint64_t initial_pc) {
    return pvm_vm_create_ex(nullptr, service_index, code, code_len, initial_regs, num_regs, initial_pc);
}

void pvm_vm_destroy(pvm_vm_t* vm) {
    if (!vm) return;
    pvm_destroy(vm->vm);
    delete vm;
}

pvm_result_t pvm_vm_execute(pvm_vm_t* vm, uint32_t entry_point) {
    if (!vm) return PVM_RESULT_PANIC;
    pvm_set_pc(vm->vm, entry_point);
    return run(vm);
}

pvm_result_t pvm_vm_resume(pvm_vm_t* vm) {
    if (!vm) return PVM_RESULT_PANIC;
    return run(vm);
}

void pvm_vm_set_host_callback(pvm_vm_t* vm, pvm_host_callback_t callback, void* user_data) {
    if (!vm) return;
    vm->callback = callback;
    vm->user_data = user_data;
    pvm_set_host_callback(vm->vm, callback ? &trampoline : nullptr, callback ? vm : nullptr);
}

namespace {
int set_bitmask(pvm_vm_t* vm, const uint8_t* bitmask, size_t len) {
    const size_t n = vm->code.size();
    if (!bitmask && len) return fail(vm, "bitmask pointer is NULL");
    if (len != (n + 7) / 8 && len != n) return fail(vm, "bitmask length must be ceil(code_len/8) or code_len");
    try {
        vm->bitmask.assign(bitmask, bitmask + len);
    } catch (...) {
        return fail(vm, "out of memory");
    }
    vm->dirty = true;
    return refresh(vm) ? 0 : -1;
}

int set_jump_table(pvm_vm_t* vm, const uint32_t* table, size_t len) {
    if (!table && len) return fail(vm, "jump table pointer is NULL");
    try {
        vm->jump_table.assign(table, table + len);
    } catch (...) {
        return fail(vm, "out of memory");
    }
    vm->dirty = true;
    return refresh(vm) ? 0 : -1;
}
}  // namespace

// Seed 004's setters return nothing: a refused call leaves the VM as it was and says why in
// pvm_vm_last_error ("" after a call that succeeded).
void pvm_vm_set_bitmask(pvm_vm_t* vm, const uint8_t* bitmask, size_t len) {
    if (vm && set_bitmask(vm, bitmask, len) == 0) vm->error[0] = 0;
}
void pvm_vm_set_jump_table(pvm_vm_t* vm, const uint32_t* table, size_t len) {
    if (vm && set_jump_table(vm, table, len) == 0) vm->error[0] = 0;
}

void pvm_vm_set_gas(pvm_vm_t* vm, uint64_t gas) {
    if (!vm) return;
    pvm_set_gas(vm->vm, int64_t(gas));
}

namespace {
int set_memory_regions(pvm_vm_t* vm, uint8_t* rw_data, uint32_t rw_size, uint8_t* ro_data, uint32_t ro_size,
                       uint8_t* output, uint32_t output_size, uint8_t* stack, uint32_t stack_size) {
    const uint64_t zro = (uint64_t(ro_size) + kZone - 1) / kZone * kZone;
    const uint64_t rw_base = 2 * uint64_t(kZone) + zro;
    const uint64_t stack_top = kTop - 2 * uint64_t(kZone) - kArgs;
    struct Region {
        uint8_t* host;
        uint32_t size;
        uint64_t base;
        pvm_access access;
    } regions[4] = {{ro_data, ro_size, kZone, PVM_ACCESS_READ},
                    {rw_data, rw_size, rw_base, PVM_ACCESS_WRITE},
                    {stack, stack_size, stack_top - stack_size, PVM_ACCESS_WRITE},
                    {output, output_size, kTop - kZone - kArgs, PVM_ACCESS_READ}};
    for (const Region& r : regions) {
        if ((r.size & (PVM_PAGE_SIZE - 1)) || (r.size && !r.host))
            return fail(vm, "region sizes must be multiples of 4096 with a buffer");
        if (r.host && (reinterpret_cast<uintptr_t>(r.host) & 7)) return fail(vm, "region buffers must be 8-byte aligned");
    }
    if (rw_base + rw_size > stack_top - stack_size || output_size > kArgs)
        return fail(vm, "regions do not fit the standard layout");
    for (unsigned i = 0; i < 4; ++i) {  // the old regions go
        if (vm->region_sizes[i]) pvm_map_external(vm->vm, vm->region_bases[i], vm->region_sizes[i], nullptr, PVM_ACCESS_NONE);
        vm->region_sizes[i] = 0;
    }
    for (unsigned i = 0; i < 4; ++i) {
        const Region& r = regions[i];
        if (!r.size) continue;
        if (pvm_map_external(vm->vm, uint32_t(r.base), r.size, r.host, r.access) != 0)
            return fail(vm, "cannot map a region");
        vm->region_bases[i] = uint32_t(r.base);
        vm->region_sizes[i] = r.size;
    }
    pvm_vm* v = vm->vm;
    v->st.heap_base = uint32_t(rw_base);
    v->st.heap_limit = uint32_t(rw_base + rw_size);
    return 0;
}
}  // namespace

void pvm_vm_set_memory_regions(pvm_vm_t* vm, uint8_t* rw_data, uint32_t rw_size, uint8_t* ro_data, uint32_t ro_size,
                               uint8_t* output, uint32_t output_size, uint8_t* stack, uint32_t stack_size) {
    if (vm && set_memory_regions(vm, rw_data, rw_size, ro_data, ro_size, output, output_size, stack, stack_size) == 0)
        vm->error[0] = 0;
}

uint64_t pvm_vm_get_gas(pvm_vm_t* vm) {
    if (!vm) return 0;
    return uint64_t(pvm_get_gas(vm->vm));
}
uint64_t pvm_vm_get_pc(pvm_vm_t* vm) {
    if (!vm) return 0;
    return pvm_get_pc(vm->vm);
}
uint8_t pvm_vm_get_machine_state(pvm_vm_t* vm) {
    if (!vm) return PVM_STATE_READY;
    return vm->state;
}
void pvm_vm_set_register(pvm_vm_t* vm, int index, uint64_t value) {
    if (!vm) return;
    if (index >= 0) pvm_set_reg(vm->vm, unsigned(index), value);
}
uint64_t pvm_vm_get_register(pvm_vm_t* vm, int index) {
    if (!vm) return 0;
    return index >= 0 ? pvm_get_reg(vm->vm, unsigned(index)) : 0;
}
const uint64_t* pvm_vm_get_registers(pvm_vm_t* vm) {
    if (!vm) return nullptr;
    return pvm_regs(vm->vm);
}

uint32_t pvm_vm_get_heap_pointer(pvm_vm_t* vm) {
    if (!vm) return 0;
    return pvm_get_heap_pointer(vm->vm);
}
void pvm_vm_set_heap_pointer(pvm_vm_t* vm, uint32_t pointer) {
    if (!vm) return;
    if (pvm_set_heap_pointer(vm->vm, pointer) != 0) fail(vm, "heap pointer outside the heap");
    else vm->error[0] = 0;
}

uint32_t pvm_vm_get_service_index(pvm_vm_t* vm) {
    if (!vm) return 0;
    return vm->service_index;
}
uint32_t pvm_vm_get_host_call(pvm_vm_t* vm) {
    if (!vm) return 0;
    return pvm_host_call_index(vm->vm);
}
uint32_t pvm_vm_get_fault_address(pvm_vm_t* vm) {
    if (!vm) return 0;
    return pvm_fault_address(vm->vm);
}
const char* pvm_vm_last_error(pvm_vm_t* vm) {
    if (!vm) return "VM is NULL";
    return vm->error;
}

int pvm_vm_map_pages(pvm_vm_t* vm, uint32_t addr, uint32_t len, pvm_access access) {
    if (!vm) return -1;
    return pvm_map_pages(vm->vm, addr, len, access) == 0 ? 0 : fail(vm, "cannot map those pages");
}
int pvm_vm_read_memory(pvm_vm_t* vm, uint32_t addr, void* dst, uint32_t len) {
    if (!vm) return -1;
    return pvm_read_memory(vm->vm, addr, dst, len) == 0 ? 0 : fail(vm, "not readable");
}
int pvm_vm_write_memory(pvm_vm_t* vm, uint32_t addr, const void* src, uint32_t len) {
    if (!vm) return -1;
    return pvm_poke_memory(vm->vm, addr, src, len) == 0 ? 0 : fail(vm, "not mapped");
}
pvm_vm* pvm_vm_handle(pvm_vm_t* vm) {
    if (!vm) return nullptr;
    return vm->vm;
}

}  // extern "C"
