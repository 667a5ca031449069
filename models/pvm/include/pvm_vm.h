/*
 * The pvm_vm_* API (the design for Go/CGo and other FFI hosts): one authoritative VM state in C,
 * read and written through calls, with host callbacks and memory regions shared with the host.
 * A thin layer over pvm.h (the same VM; interpreter and recompiler behind the same API). C99 and
 * C++; link with -lpvm. The mapping onto pvm.h: docs/pvm.md.
 *
 * Memory regions are the host's buffers, mapped where a GP A.7 standard program has them:
 *   ro at 0x10000 (read-only), rw at 0x20000 + Z(ro_size) (read-write data and heap),
 *   stack just below 0xFEFE0000 (read-write), output at 0xFEFF0000 (the argument area,
 *   read-only to the guest). Guest and host see the same bytes, both ways, at any time.
 * The heap grows inside the rw buffer: the heap pointer starts at its end; lower it to leave
 * room for the guest's sbrk, which never maps past the buffer.
 */
#ifndef PVM_VM_H
#define PVM_VM_H

#include <stddef.h>
#include <stdint.h>

#include "pvm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pvm_vm_t pvm_vm_t; /* the handle each language holds */

typedef enum {
    PVM_RESULT_OK = 0,        /* halted (or a host callback terminated) */
    PVM_RESULT_OOG = 1,       /* out of gas */
    PVM_RESULT_PANIC = 2,     /* panic (trap, invalid jump, host error, ...) */
    PVM_RESULT_HOST_CALL = 3, /* ecalli without a callback: answer, then pvm_vm_resume */
    PVM_RESULT_PAGE_FAULT = 4 /* extension: see pvm_vm_get_fault_address */
} pvm_result_t;

/* PVM_HOST_CONTINUE (resume after the ecalli), PVM_HOST_TERMINATE (halt), PVM_HOST_ERROR (panic). */
typedef pvm_host_result pvm_host_result_t;
typedef pvm_host_result_t (*pvm_host_callback_t)(pvm_vm_t *vm, int func_id, void *user_data);

/* Machine state (GP B.1 inner-PVM result codes), and READY before the first run. */
typedef enum {
    PVM_STATE_HALT = 0,
    PVM_STATE_PANIC = 1,
    PVM_STATE_FAULT = 2,
    PVM_STATE_HOST = 3, /* at an ecalli (also while its callback runs) */
    PVM_STATE_OOG = 4,
    PVM_STATE_READY = 255
} pvm_machine_state_t;

/* VM lifecycle. `code` is the instruction bytes c (set the bitmask before executing; until then
 * every byte is a trap). initial_regs may be NULL (zeros) or give up to 13 registers. NULL on
 * failure. pvm_vm_create uses the interpreter and GP 0.7.2; pvm_vm_create_ex takes a pvm_config
 * (backend, Gray Paper profile; the memory model is always the checked one, since regions are
 * host memory). */
PVM_API pvm_vm_t *pvm_vm_create(uint32_t service_index, const uint8_t *code, size_t code_len, const uint64_t *initial_regs,
                        size_t num_regs, uint64_t initial_pc);
PVM_API pvm_vm_t *pvm_vm_create_ex(const pvm_config *config, uint32_t service_index, const uint8_t *code, size_t code_len,
                           const uint64_t *initial_regs, size_t num_regs, uint64_t initial_pc);
PVM_API void pvm_vm_destroy(pvm_vm_t *vm);

/* Runs from entry_point (a pc) until an exit; host calls go to the callback. */
PVM_API pvm_result_t pvm_vm_execute(pvm_vm_t *vm, uint32_t entry_point);
/* Continues where the VM stopped (after an unanswered host call: after the ecalli). */
PVM_API pvm_result_t pvm_vm_resume(pvm_vm_t *vm);

/* Host function callbacks: called on ecalli with the VM, the host-call index and user_data. */
PVM_API void pvm_vm_set_host_callback(pvm_vm_t *vm, pvm_host_callback_t callback, void *user_data);

/* Program initialisation: bitmask packed (ceil(code_len/8) bytes, GP A.2) or one byte per code
 * byte; jump table of code offsets. The setters return nothing, as in the design: a refused call
 * leaves the reason in pvm_vm_last_error, which is "" after a call that worked. */
PVM_API void pvm_vm_set_bitmask(pvm_vm_t *vm, const uint8_t *bitmask, size_t len);
PVM_API void pvm_vm_set_jump_table(pvm_vm_t *vm, const uint32_t *table, size_t len);
PVM_API void pvm_vm_set_gas(pvm_vm_t *vm, uint64_t gas);
/* Shares the four buffers with the guest (sizes: multiples of 4096, pointers 8-byte aligned,
 * NULL/0 for none; they must outlive the VM or the next call). Replaces earlier regions. */
PVM_API void pvm_vm_set_memory_regions(pvm_vm_t *vm, uint8_t *rw_data, uint32_t rw_size, uint8_t *ro_data, uint32_t ro_size,
                               uint8_t *output, uint32_t output_size, uint8_t *stack, uint32_t stack_size);

/* State access (host functions use these; always current, also inside a callback). */
PVM_API uint64_t pvm_vm_get_gas(pvm_vm_t *vm); /* as unsigned; a negative count (after a host call) wraps */
PVM_API uint64_t pvm_vm_get_pc(pvm_vm_t *vm);
PVM_API uint8_t pvm_vm_get_machine_state(pvm_vm_t *vm);
PVM_API void pvm_vm_set_register(pvm_vm_t *vm, int index, uint64_t value);
PVM_API uint64_t pvm_vm_get_register(pvm_vm_t *vm, int index);
PVM_API const uint64_t *pvm_vm_get_registers(pvm_vm_t *vm); /* 13 registers, live */

/* The heap pointer (lowest unmapped page at or above the rw base). Setting it outside the heap
 * changes nothing (reason: pvm_vm_last_error). */
PVM_API uint32_t pvm_vm_get_heap_pointer(pvm_vm_t *vm);
PVM_API void pvm_vm_set_heap_pointer(pvm_vm_t *vm, uint32_t pointer);

/* ---- libpvm extensions ---- */
PVM_API uint32_t pvm_vm_get_service_index(pvm_vm_t *vm);
PVM_API uint32_t pvm_vm_get_host_call(pvm_vm_t *vm);     /* index of the last ecalli */
PVM_API uint32_t pvm_vm_get_fault_address(pvm_vm_t *vm); /* page base of the last page fault */
PVM_API const char *pvm_vm_last_error(pvm_vm_t *vm);     /* why the last call returned -1 ("" if none) */
/* Pages outside the regions (access as pvm_access) and checked copies, e.g. to load test vectors. */
PVM_API int pvm_vm_map_pages(pvm_vm_t *vm, uint32_t addr, uint32_t len, pvm_access access);
PVM_API int pvm_vm_read_memory(pvm_vm_t *vm, uint32_t addr, void *dst, uint32_t len);
PVM_API int pvm_vm_write_memory(pvm_vm_t *vm, uint32_t addr, const void *src, uint32_t len); /* also read-only pages */
/* The underlying pvm.h VM (for everything else). */
PVM_API pvm_vm *pvm_vm_handle(pvm_vm_t *vm);

#ifdef __cplusplus
}
#endif

#endif /* PVM_VM_H */
