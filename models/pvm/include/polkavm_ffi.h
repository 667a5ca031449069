/*
 * polkavm-ffi compatible API over libpvm (names, signatures, status numbering and result struct
 * of polkavm-ffi's C interface), for C, Julia (@ccall) and other FFI users. Link with -lpvm.
 * Every handle is the libpvm object underneath (an instance is a pvm_vm): one VM state, the
 * interpreter or the recompiler behind it. C99 and C++. The mapping onto pvm.h: docs/pvm.md.
 *
 * Blobs: a PolkaVM container (.polkavm, versions 0 and 2) or a GP A.2 program blob.
 * Registers: 0 RA, 1 SP, 2-4 T0-T2, 5-6 S0-S1, 7-12 A0-A5.
 */
#ifndef POLKAVM_FFI_H
#define POLKAVM_FFI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define PVM_FFI_API
#else
#define PVM_FFI_API __attribute__((visibility("default")))
#endif

typedef void *PvmEngine;
typedef void *PvmModule;
typedef void *PvmInstance;

/* PvmResult.status */
#define PVM_FFI_HALT 0  /* normal completion */
#define PVM_FFI_PANIC 1 /* trap / panic */
#define PVM_FFI_OOG 2   /* out of gas */
#define PVM_FFI_FAULT 3 /* memory access violation (page fault) */
#define PVM_FFI_HOST 4  /* host call (ecalli): answer, then run again */
#define PVM_FFI_STEP 5  /* step trace (modules from pvm_module_new_step) */

typedef struct {
    uint32_t status;
    int64_t gas_remaining;
    uint32_t host_call; /* the ecalli index for PVM_FFI_HOST */
} PvmResult;

typedef struct {
    uint32_t page_size;
    uint32_t ro_data_address, ro_data_size;
    uint32_t rw_data_address, rw_data_size;
    uint32_t stack_address_low, stack_address_high;
    uint32_t heap_base, max_heap_size;
} PvmMemoryInfo;

/* Engine: which backend the modules it loads use (the recompiler is the "JIT"). NULL when the
 * backend is unavailable on this host. */
PVM_FFI_API PvmEngine pvm_engine_new(void);
PVM_FFI_API PvmEngine pvm_engine_new_interpreter(void);
PVM_FFI_API void pvm_engine_free(PvmEngine engine);

/* Module: NULL on a malformed blob (the reason: pvm_ffi_last_error()). */
PVM_FFI_API PvmModule pvm_module_new(PvmEngine engine, const uint8_t *blob, size_t len);
PVM_FFI_API PvmModule pvm_module_new_step(PvmEngine engine, const uint8_t *blob, size_t len);
PVM_FFI_API void pvm_module_free(PvmModule module);
PVM_FFI_API PvmMemoryInfo pvm_module_memory_info(PvmModule module);
PVM_FFI_API uint32_t pvm_module_exports_count(PvmModule module);
/* Copies the name (NUL-terminated, truncated to len) into buf; returns the name's length, or -1
 * when idx is out of range. */
PVM_FFI_API int pvm_module_export_name(PvmModule module, uint32_t idx, char *buf, size_t len);
PVM_FFI_API uint32_t pvm_module_export_pc(PvmModule module, uint32_t idx);

/* Instance: the module's initial memory, registers zero except RA/SP, gas 0. */
PVM_FFI_API PvmInstance pvm_instance_new(PvmEngine engine, PvmModule module);
PVM_FFI_API void pvm_instance_free(PvmInstance instance);
PVM_FFI_API void pvm_instance_reset(PvmInstance instance);
PVM_FFI_API void pvm_instance_set_gas(PvmInstance instance, int64_t gas);
PVM_FFI_API int64_t pvm_instance_get_gas(PvmInstance instance);
PVM_FFI_API void pvm_instance_set_reg(PvmInstance instance, uint32_t reg, uint64_t value);
PVM_FFI_API uint64_t pvm_instance_get_reg(PvmInstance instance, uint32_t reg);
PVM_FFI_API uint32_t pvm_instance_get_pc(PvmInstance instance);
/* pc = entry, RA = 0xFFFF0000 (returning halts), SP = the stack top. */
PVM_FFI_API void pvm_instance_prepare_call(PvmInstance instance, uint32_t pc);
/* Runs until halt, panic, out of gas, fault, host call (run again to continue after it) or step. */
PVM_FFI_API PvmResult pvm_instance_run(PvmInstance instance);
/* 0, or -1 when the range is not (readable / writable) guest memory. */
PVM_FFI_API int pvm_instance_read_memory(PvmInstance instance, uint32_t addr, uint8_t *buf, size_t len);
PVM_FFI_API int pvm_instance_write_memory(PvmInstance instance, uint32_t addr, const uint8_t *data, size_t len);
/* Grows the heap by `pages` 4 KiB pages; returns the address of the new pages (the previous heap
 * top), 0 when they do not fit. */
PVM_FFI_API uint32_t pvm_instance_sbrk(PvmInstance instance, uint32_t pages);
/* Bytes from the heap base to the heap top. */
PVM_FFI_API uint32_t pvm_instance_heap_size(PvmInstance instance);

/* ---- libpvm extensions (not in polkavm-ffi) ---- */
/* The reason for the last NULL handle or -1 on this thread ("" if none). */
PVM_FFI_API const char *pvm_ffi_last_error(void);
/* An engine for a backend (0 interpreter, 1 recompiler) and Gray Paper profile (0: GP 0.7.2,
 * 1: the new-gas-cost draft). */
PVM_FFI_API PvmEngine pvm_engine_new_with(uint32_t backend, uint32_t gp);
/* Makes [addr, addr+len) accessible (writable: read-write, else read-only; pages keep their
 * contents) or, with access 0, inaccessible. access: 0 none, 1 read-only, 2 read-write. */
PVM_FFI_API int pvm_instance_map_memory(PvmInstance instance, uint32_t addr, uint32_t len, uint32_t access);
/* The page base of the last PVM_FFI_FAULT. */
PVM_FFI_API uint32_t pvm_instance_fault_address(PvmInstance instance);

#ifdef __cplusplus
}
#endif

#endif /* POLKAVM_FFI_H */
