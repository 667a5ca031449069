/*
 * libpvm — the JAM PVM (Gray Paper appendix A, 64-bit, GP 0.7.2 opcode numbering).
 *
 * One opaque VM handle, one API for every backend. The header is C99 and C++.
 * Conventions: functions returning int return 0 on success and -1 on failure. No function lets
 * a C++ exception out: running out of host memory gives PVM_ERR_OUT_OF_MEMORY (creation), -1
 * (pvm_map_pages) or a failed sbrk (0), never an abort.
 */
#ifndef PVM_H
#define PVM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define PVM_API
#else
#define PVM_API __attribute__((visibility("default")))
#endif

#define PVM_NUM_REGS 13
#define PVM_PAGE_SIZE 4096u
#define PVM_HALT_ADDRESS 0xFFFF0000u

typedef struct pvm_vm pvm_vm; /* opaque; the one authoritative state */

typedef enum { PVM_BACKEND_INTERPRETER = 0, PVM_BACKEND_RECOMPILER = 1 } pvm_backend;

typedef enum {
    PVM_HALT = 0,       /* dynamic jump to 0xFFFF0000, or a host callback terminated */
    PVM_PANIC = 1,      /* trap, invalid instruction/jump, access below 64 KiB, host error */
    PVM_OUT_OF_GAS = 2, /* not enough gas to enter the next basic block (gas unchanged) */
    PVM_PAGE_FAULT = 3, /* see pvm_fault_address(); pc = the faulting instruction */
    PVM_HOST_CALL = 4,  /* ecalli with no callback set; see pvm_host_call_index() */
    PVM_STEP = 5        /* step tracing: one instruction was executed */
} pvm_status;

typedef enum { PVM_HOST_CONTINUE = 0, PVM_HOST_TERMINATE = 1, PVM_HOST_ERROR = 2 } pvm_host_result;

typedef enum {
    PVM_ACCESS_NONE = 0,  /* inaccessible (mapping with NONE discards the contents) */
    PVM_ACCESS_READ = 1,  /* read-only */
    PVM_ACCESS_WRITE = 3  /* read-write */
} pvm_access;

typedef enum {
    PVM_OK = 0,
    PVM_ERR_INVALID_ARGUMENT = 1,
    PVM_ERR_MALFORMED_BLOB = 2,
    PVM_ERR_BACKEND_UNAVAILABLE = 3,
    PVM_ERR_OUT_OF_MEMORY = 4
} pvm_error_code;

typedef struct {
    pvm_error_code code;
    char message[256];
} pvm_error;

/* How recompiled code checks guest memory accesses (the interpreter always looks each access
 * up in its page table).
 *   GUARD_PAGES: the guest's 4 GiB live in one host reservation whose pages carry the guest's
 *     rights; each access is one host instruction and a forbidden one raises SIGSEGV, which
 *     libpvm's handler turns into the PVM page fault or panic (it chains to any previously
 *     installed handler for faults that are not its own).
 *   CHECKED: every access is checked in the page table first; no signal handler, no 4 GiB
 *     reservation.
 *   DEFAULT: GUARD_PAGES for the recompiler when the handler can be installed and the address
 *     space reserved, else CHECKED; CHECKED for the interpreter. The environment variable
 *     PVM_MEMORY_MODEL=checked (or guard) overrides DEFAULT. */
typedef enum { PVM_MEMORY_DEFAULT = 0, PVM_MEMORY_GUARD_PAGES = 1, PVM_MEMORY_CHECKED = 2 } pvm_memory_model;

/* Called on `ecalli index`. The callback may read/write registers, memory and gas through this
 * API, and run other VMs (not this one). It must not throw or longjmp out. CONTINUE resumes after the ecalli (out of gas if the gas became negative), TERMINATE
 * ends the run with PVM_HALT, ERROR with PVM_PANIC (pc = the ecalli in both cases). */
typedef pvm_host_result (*pvm_host_fn)(pvm_vm *vm, uint32_t host_call_index, void *user_data);

/* Creates a VM from a program blob (GP A.2 "deblob" format: jump table, code, bitmask).
 * All memory is inaccessible, registers and pc are 0, gas is 0. On failure returns NULL and,
 * when err is not NULL, fills it in. */
PVM_API pvm_vm *pvm_create(pvm_backend backend, const uint8_t *program_blob, size_t len, pvm_error *err);

/* Creates a VM from a standard program blob (GP A.7: E3(|o|) E3(|w|) E2(z) E3(s) o w E4(|c|) c)
 * and its arguments: read-only data, read-write data and heap, stack and arguments are mapped,
 * registers are initialised (r0 = 0xFFFF0000, r1 = stack top, r7 = argument address, r8 =
 * argument length) and pc = 0. Gas is 0. */
PVM_API pvm_vm *pvm_create_standard(pvm_backend backend, const uint8_t *blob, size_t len, const uint8_t *args,
                                    size_t args_len, pvm_error *err);

/* The same with an explicit memory model. GUARD_PAGES fails with PVM_ERR_BACKEND_UNAVAILABLE
 * (and the reason) when it cannot be provided. */
PVM_API pvm_vm *pvm_create_ex(pvm_backend backend, pvm_memory_model memory, const uint8_t *program_blob, size_t len,
                              pvm_error *err);
PVM_API pvm_vm *pvm_create_standard_ex(pvm_backend backend, pvm_memory_model memory, const uint8_t *blob,
                                       size_t len, const uint8_t *args, size_t args_len, pvm_error *err);

PVM_API void pvm_destroy(pvm_vm *vm);

/* The memory model a VM uses (PVM_MEMORY_GUARD_PAGES or PVM_MEMORY_CHECKED). */
PVM_API pvm_memory_model pvm_get_memory_model(const pvm_vm *vm);

/* Name of a backend ("interpreter", "recompiler") and whether this build provides it. */
PVM_API const char *pvm_backend_name(pvm_backend backend);
PVM_API int pvm_backend_available(pvm_backend backend);

PVM_API void pvm_set_gas(pvm_vm *vm, int64_t gas);
PVM_API int64_t pvm_get_gas(const pvm_vm *vm);
PVM_API void pvm_set_reg(pvm_vm *vm, unsigned idx, uint64_t value); /* idx >= 13 is ignored */
PVM_API uint64_t pvm_get_reg(const pvm_vm *vm, unsigned idx);       /* idx >= 13 gives 0 */

/* The pc of the instruction the VM stopped at (for a host call: the ecalli itself). Setting the
 * pc discards the pending resume point (after a host call, fault or step the next pvm_run
 * otherwise continues where the VM stopped: after the ecalli, at the faulting instruction, at
 * the next instruction). Entering a basic block charges its gas; entering mid-block charges
 * the rest of the block. */
PVM_API uint32_t pvm_get_pc(const pvm_vm *vm);
PVM_API void pvm_set_pc(pvm_vm *vm, uint32_t pc);
/* The pc the next pvm_run continues at. */
PVM_API uint32_t pvm_next_pc(const pvm_vm *vm);

/* Sets the access of every page touching [addr, addr+len). Pages below 64 KiB cannot be
 * mapped (-1). Newly mapped pages are zero; changing the access of a mapped page keeps its
 * contents. */
PVM_API int pvm_map_pages(pvm_vm *vm, uint32_t addr, uint32_t len, pvm_access access);
/* Access of the page containing addr. */
PVM_API pvm_access pvm_page_access(const pvm_vm *vm, uint32_t addr);

/* Bounds- and access-checked copies (read needs readable pages, write needs writable pages;
 * nothing is copied on failure). */
PVM_API int pvm_read_memory(const pvm_vm *vm, uint32_t addr, void *dst, uint32_t len);
PVM_API int pvm_write_memory(pvm_vm *vm, uint32_t addr, const void *src, uint32_t len);
/* Like pvm_write_memory but ignores the read-only protection (for loaders). */
PVM_API int pvm_poke_memory(pvm_vm *vm, uint32_t addr, const void *src, uint32_t len);

PVM_API void pvm_set_host_callback(pvm_vm *vm, pvm_host_fn fn, void *user_data);
PVM_API void pvm_set_step_tracing(pvm_vm *vm, int on);

/* Runs until halt, panic, out of gas, page fault, unhandled host call, or one step. */
PVM_API pvm_status pvm_run(pvm_vm *vm);

PVM_API uint32_t pvm_fault_address(const pvm_vm *vm);   /* page base of the last page fault */
PVM_API uint32_t pvm_host_call_index(const pvm_vm *vm); /* index of the last ecalli */

/* Disassembles the instruction at pc into buf (NUL-terminated, truncated to size). Returns the
 * instruction length in bytes, or 0 when pc is not an instruction start. */
PVM_API uint32_t pvm_disassemble(const pvm_vm *vm, uint32_t pc, char *buf, size_t size);

PVM_API const char *pvm_status_name(pvm_status status); /* "halt", "panic", "out-of-gas", ... */

#ifdef __cplusplus
}
#endif

#endif /* PVM_H */
