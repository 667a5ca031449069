/*
 * libpvm — the JAM PVM (Gray Paper appendix A, 64-bit, GP 0.7.2 opcode numbering; the
 * new-gas-cost draft as a second profile).
 *
 * One opaque VM handle, one API for every backend. The header is C99 and C++. Two compatibility
 * layers sit on the same VM state: polkavm_ffi.h (polkavm-ffi's engine/module/instance API) and
 * pvm_vm.h (the pvm_vm_* API for Go/CGo); docs/pvm.md maps them onto this header.
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

/* ===================================================================================
 * Gray Paper profiles, modules and instances
 * =================================================================================== */

/* Which Gray Paper the VM follows.
 *   GP_0_7_2: GP 0.5.4-0.7.2 (the numbering of the public v0.4 vectors): 1 gas per instruction,
 *     charged per basic block on entry; a write to a read-only page is a page fault (GP 0.7.2
 *     A.4: a write needs the writable set V*).
 *   GP_NEW_GAS: the new-gas-cost draft (GP 0.7.1 delta, koute/new-gas-cost-model; its gas model
 *     became GP 0.8.0's): a block costs the cycles of a pipeline simulation (A.9/A.10),
 *     `unlikely` is opcode 3, and a write to a read-only page panics, as its vectors expect.
 *     Opcode numbering otherwise that of 0.7.2 (sbrk = 101), as in the draft's vectors. */
typedef enum { PVM_GP_0_7_2 = 0, PVM_GP_NEW_GAS = 1 } pvm_gp;

#define PVM_CONFIG_COUNT_INSTRUCTIONS 1u /* pvm_instruction_count() counts (small cost) */
#define PVM_CONFIG_STEP 2u               /* instances start with step tracing on */

/* Everything a module is created with. Zero-initialised: interpreter, default memory model,
 * GP 0.7.2, no flags. */
typedef struct {
    pvm_backend backend;
    pvm_memory_model memory;
    pvm_gp gp;
    uint32_t flags; /* PVM_CONFIG_* */
} pvm_config;

PVM_API const char *pvm_gp_name(pvm_gp gp); /* "0.7.2", "new-gas" */

typedef enum {
    PVM_BLOB_AUTO = 0,     /* a .polkavm container when it starts with "PVM\0", else PROGRAM */
    PVM_BLOB_PROGRAM = 1,  /* GP A.2 program blob: no memory, registers 0 */
    PVM_BLOB_STANDARD = 2, /* GP A.7 standard program: data, heap, stack, arguments, registers */
    PVM_BLOB_POLKAVM = 3   /* PolkaVM container (.polkavm): PolkaVM's memory map and exports */
} pvm_blob_format;

/* A parsed and translated program, shared by any number of instances (on any threads). */
typedef struct pvm_module pvm_module;

PVM_API pvm_module *pvm_module_create(const pvm_config *config, pvm_blob_format format, const uint8_t *blob,
                                      size_t len, pvm_error *err);
/* From separate parts: the code, its bitmask (packed, ceil(len/8) bytes LSB first as in GP A.2,
 * or unpacked, one byte 0/1 per code byte) and the jump table (code offsets). No memory. */
PVM_API pvm_module *pvm_module_create_parts(const pvm_config *config, const uint8_t *code, size_t code_len,
                                            const uint8_t *bitmask, size_t bitmask_len, const uint32_t *jump_table,
                                            size_t jump_table_len, pvm_error *err);
/* Instances keep the module alive: destroying it while instances exist is fine. */
PVM_API void pvm_module_destroy(pvm_module *module);

/* Exports (named entry points of a .polkavm container; none otherwise). The name is owned by the
 * module; NULL / 0xFFFFFFFF for an index out of range. */
PVM_API uint32_t pvm_module_export_count(const pvm_module *module);
PVM_API const char *pvm_module_export_symbol(const pvm_module *module, uint32_t index);
PVM_API uint32_t pvm_module_export_entry(const pvm_module *module, uint32_t index);

/* The memory an instance starts with. Zero sizes: no such region (a bare program has none). */
typedef struct {
    uint32_t page_size;
    uint32_t ro_address, ro_size;         /* read-only data (size: mapped bytes, page multiple) */
    uint32_t rw_address, rw_size;         /* read-write data and the initial heap pages */
    uint32_t heap_base, heap_limit;       /* sbrk maps in [heap_base, heap_limit); limit 0: none */
    uint32_t stack_low, stack_high;       /* stack [low, high); r1 = high at start */
    uint32_t args_address, args_limit;    /* argument area (GP A.7), at most args_limit bytes */
} pvm_memory_info;
PVM_API void pvm_module_get_memory_info(const pvm_module *module, pvm_memory_info *info);
PVM_API pvm_gp pvm_module_gp(const pvm_module *module);
/* Gas charged when a run enters at pc (a block's cost, or the rest of a block); -1 when pc is no
 * instruction start. */
PVM_API int64_t pvm_module_block_cost(const pvm_module *module, uint32_t pc);

/* A new instance of a module with its initial memory (the arguments for a standard program; NULL/0
 * otherwise), registers as the layout sets them, pc 0, gas 0. */
PVM_API pvm_vm *pvm_instance_create(const pvm_module *module, const uint8_t *args, size_t args_len, pvm_error *err);
/* Back to that initial state: memory, registers, pc 0, gas 0, no pending resume. Callbacks, step
 * tracing and embedder memory bindings stay. 0, or -1 when memory cannot be set up. */
PVM_API int pvm_reset(pvm_vm *vm);
/* Gets ready to call the code at pc: pc set (pending resume discarded), r0 = 0xFFFF0000 (returning
 * halts), r1 = the stack top when the module has a stack. */
PVM_API void pvm_prepare_call(pvm_vm *vm, uint32_t pc);

typedef struct {
    pvm_status status;
    int64_t gas;            /* gas left */
    uint32_t host_call;     /* ecalli index (PVM_HOST_CALL) */
    uint32_t pc;            /* as pvm_get_pc */
    uint32_t fault_address; /* page base (PVM_PAGE_FAULT) */
} pvm_run_result;
/* pvm_run, with the result's state in one struct. */
PVM_API pvm_run_result pvm_run_ex(pvm_vm *vm);

/* All 13 registers at once; pvm_regs gives the live array (read and write it between runs or
 * from a host callback; valid while the VM lives). */
PVM_API void pvm_get_regs(const pvm_vm *vm, uint64_t regs[PVM_NUM_REGS]);
PVM_API void pvm_set_regs(pvm_vm *vm, const uint64_t regs[PVM_NUM_REGS]);
PVM_API uint64_t *pvm_regs(pvm_vm *vm);

/* Instructions of the basic blocks entered so far (a block counts whole when charged), when the
 * module was created with PVM_CONFIG_COUNT_INSTRUCTIONS; 0 otherwise. Reset sets it to 0. */
PVM_API uint64_t pvm_instruction_count(const pvm_vm *vm);

/* ---- Heap (GP <= 0.7 sbrk) ---- */
PVM_API uint32_t pvm_heap_base(const pvm_vm *vm);
/* The heap pointer: the lowest inaccessible page at or above the heap base (what `sbrk 0`
 * returns). Setting it maps read-write or discards the pages between it and the new value
 * (rounded up to a page; never below the heap base's page, never at or above the limit). */
PVM_API uint32_t pvm_get_heap_pointer(const pvm_vm *vm);
PVM_API int pvm_set_heap_pointer(pvm_vm *vm, uint32_t pointer);
/* What the guest's `sbrk` does: maps `bytes` read-write at the first fit at or above the heap
 * base and returns its address, 0 on failure (0 bytes: returns the heap pointer). */
PVM_API uint32_t pvm_sbrk(pvm_vm *vm, uint32_t bytes);
/* sbrk maps nothing at or above `limit` (0: no limit). */
PVM_API void pvm_set_heap_limit(pvm_vm *vm, uint32_t limit);

/* ---- Memory owned by the embedder (checked memory model only) ----
 * Binds the pages [addr, addr+len) (page aligned) to host memory at `host` (8-byte aligned, len
 * bytes, valid while bound): guest accesses read and write it directly, both ways, with the given
 * access. The binding stays when access changes (pvm_map_pages, reset: the bytes are the
 * embedder's, never zeroed or freed by libpvm) until host = NULL unbinds the pages (they become
 * inaccessible). -1 on a guard-page VM, a bad range or alignment. */
PVM_API int pvm_map_external(pvm_vm *vm, uint32_t addr, uint32_t len, void *host, pvm_access access);

/* Pages without host memory: every access calls fn (in the running thread) with the guest
 * address, the bytes and is_write; fn returns 0, or nonzero to refuse (the VM stops with a page
 * fault there and re-runs the access when resumed). */
typedef int (*pvm_memory_fn)(void *user_data, uint32_t addr, void *data, uint32_t len, int is_write);
PVM_API void pvm_set_memory_callback(pvm_vm *vm, pvm_memory_fn fn, void *user_data);
PVM_API int pvm_map_callback(pvm_vm *vm, uint32_t addr, uint32_t len, pvm_access access);

#ifdef __cplusplus
}
#endif

#endif /* PVM_H */
