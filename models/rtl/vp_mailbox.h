/* The verification host's C API (vhost's mailbox_init and friends): one
 * process-wide mailbox server for firmware running on RTL, for a testbench
 * that is the top level (through DPI-C, rtl/vp_mailbox.svh) or any C/C++
 * program. No SystemC kernel runs. Functions marked [DPI] use only standard
 * DPI-C types and may be imported from SystemVerilog. Nothing here aborts the
 * process: a function returns a negative VP_MAILBOX_E* code and
 * vp_last_error() says what went wrong ("file:line:column: error: ..." for
 * configuration files). See docs/rtl.md. */
#ifndef VP_MAILBOX_H
#define VP_MAILBOX_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  VP_MAILBOX_OK = 0,
  VP_MAILBOX_EENV = -1,     /* an environment variable is not set */
  VP_MAILBOX_EFILE = -2,    /* a file or directory cannot be read */
  VP_MAILBOX_ECONFIG = -3,  /* bad YAML or configuration */
  VP_MAILBOX_ESTATE = -4,   /* not initialised, or initialised already */
  VP_MAILBOX_EACCESS = -5,  /* guest memory cannot be reached (unmapped, backend failure) */
  VP_MAILBOX_ELOAD = -6,    /* an ELF file cannot be loaded */
  VP_MAILBOX_EARG = -7      /* a bad argument (NULL, unknown layer, wrong backend) */
};

/* [DPI] Reads MEM_CFG_FILE (vhost memory definition), MAILBOX_CFG_FILE
 * (mailbox configuration) and MAILBOX_FS_ROOT (directory of the file
 * services); all three must be set and name an existing file/file/directory.
 * VP_MAILBOX_BACKEND, when set, overrides the configuration's backend. */
int vp_mailbox_init(void);
/* [DPI] The same with the mailbox configuration given as YAML text; the
 * memory definition file is `mem_cfg_file` (NULL or "": MEM_CFG_FILE);
 * MAILBOX_FS_ROOT is optional here (no file services without it). */
int vp_mailbox_init_with_config(const char* mem_cfg_file, const char* mailbox_yaml);
/* [DPI] Ends the host (open files closed); a new init may follow. */
void vp_mailbox_shutdown(void);
/* [DPI] The last error of this thread ("" when none). */
const char* vp_last_error(void);
/* [DPI] "logging", "hdl", "api", "static", or "" before init. */
const char* vp_mailbox_backend(void);

/* [DPI] Serves every channel whose slot holds a request block address (and
 * clears the slot). Returns the number served, or < 0. */
int vp_mailbox_poll(void);
/* [DPI] Serves the request block at `block`; *status and *result as written
 * into the block. Returns 0, or < 0 when the host is not initialised. */
int vp_mailbox_serve(long long block, int* status, long long* result);
/* [DPI] 1 and *code when the guest requested EXIT, else 0 (or < 0). */
int vp_mailbox_exit_code(int* code);

/* Guest memory through the backend (whole ranges or nothing). */
int vp_mailbox_read(uint64_t addr, void* data, size_t len);
int vp_mailbox_write(uint64_t addr, const void* data, size_t len);
/* [DPI] 64-bit little-endian words of guest memory. */
int vp_mailbox_read64(long long addr, long long* data);
int vp_mailbox_write64(long long addr, long long data);
/* [DPI] An ELF's loadable segments into guest memory through the backend. */
int vp_mailbox_load_elf(const char* path);

/* Static export (backend "static"): one call of `sink` per RTL memory (per
 * bank of a banked memory: path.bank<N>), with its bytes (word after word,
 * little-endian words) and the byte ranges written (ELF-backed or stored), so
 * gaps can be told apart. A non-zero return from the sink stops the flush. */
typedef struct { const char* path; uint32_t width; uint64_t depth; } vp_static_mem; /* width in bits, depth in words */
typedef struct { uint64_t start, end; } vp_mem_range;                              /* [start, end) in bytes */
typedef int (*vp_static_sink_fn)(void* user, const vp_static_mem* mem, const uint8_t* data, size_t len,
                                 const vp_mem_range* valid, size_t nvalid);
int vp_mailbox_flush_static(vp_static_sink_fn sink, void* user);
/* [DPI] Backends with local storage (logging, static): $readmemh files in `dir`. */
int vp_mailbox_export_hex(const char* dir);

/* The HDL backdoor of backend "hdl" (uvm_hdl_read / uvm_hdl_deposit): read or
 * deposit one array element by hierarchical path ("top.u_ram.mem[5]",
 * banked "path[bank][row]"); `value` holds its bits in 32-bit little-endian
 * chunks (svBitVecVal), at most VP_HDL_MAX_BITS. Return 0 on success.
 * rtl/vp_mailbox_dpi.c registers the testbench's DPI exports; a non-SV host
 * registers its own functions. NULL functions remove the backdoor. */
#define VP_HDL_MAX_BITS 1024
typedef int (*vp_hdl_read_fn)(void* user, const char* path, uint32_t* value);
typedef int (*vp_hdl_deposit_fn)(void* user, const char* path, const uint32_t* value);
void vp_hdl_set_backdoor(vp_hdl_read_fn read, vp_hdl_deposit_fn deposit, void* user);

/* CALL targets, looked up in this order: the Python layer (vp.mailbox, or an
 * embedded interpreter), C++ callbacks (vp::rtl::MailboxCallbacks, or C
 * functions registered below), the DPI layer (the testbench's SV function,
 * registered by rtl/vp_mailbox_dpi.c). A layer handler returns a mailbox
 * status (0 OK with *result) or VP_MAILBOX_NOT_HANDLED when it has no
 * callback of that name (`name` is "" for a call by number `id`). */
enum { VP_MAILBOX_LAYER_PYTHON = 0, VP_MAILBOX_LAYER_DPI = 2 };
#define VP_MAILBOX_NOT_HANDLED (-1)
typedef int (*vp_mailbox_call_fn)(void* user, const char* name, uint32_t id, const uint64_t* args, uint32_t argc,
                                  uint64_t* result);
/* NULL `fn` removes the layer. */
int vp_mailbox_set_call_handler(int layer, vp_mailbox_call_fn fn, void* user);
/* A C function in the C++ layer, under number `id` and `name` (may be NULL).
 * It returns a mailbox status, and its result in *result. */
int vp_mailbox_register_callback(uint32_t id, const char* name, vp_mailbox_call_fn fn, void* user);
int vp_mailbox_unregister_callback(uint32_t id);

#ifdef __cplusplus
}
#endif
#endif
