/* vp inside an RTL simulation: the C API behind rtl/vp_pkg.sv. A testbench
 * (the time master) builds one platform from YAML, loads software, and
 * advances vp by its own time steps; vp runs its processors within each step
 * (loosely timed, up to the platform's quantum ahead). Accesses to an
 * `rtl.dpi_target` window reach the testbench through the target handler
 * (rtl/vp_platform_dpi.c installs its vp_sv_target_access export); the
 * testbench's bus functional model reads and writes platform addresses through
 * a dpi_target's `mem` socket and drives its `irq` lines. Every function
 * marked [DPI] uses only standard DPI-C types. Nothing aborts the simulator: a
 * failure returns -1 and vp_platform_error() says why (file:line:column for
 * YAML). One platform per process (SystemC). See docs/rtl.md. */
#ifndef VP_PLATFORM_H
#define VP_PLATFORM_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { VP_PLATFORM_RUNNING = 0, VP_PLATFORM_FINISHED = 1, VP_PLATFORM_PENDING = 1, VP_PLATFORM_ERROR = -1 };

/* [DPI] Builds the platform from a YAML file (includes relative to it) or
 * from YAML text. 0, or -1. */
int vp_platform_create(const char* yaml_path);
int vp_platform_create_from_string(const char* yaml_text);
/* [DPI] Software as `vp run --kernel K --bios B` loads it ("" or NULL: none);
 * before the first advance (which otherwise boots with nothing loaded). */
int vp_platform_load(const char* kernel, const char* bios);
/* [DPI] Runs vp for `ps` picoseconds of simulated time (0: one delta cycle).
 * VP_PLATFORM_RUNNING, VP_PLATFORM_FINISHED once the guest ended the
 * simulation (finisher, HTIF, mailbox EXIT; then every later call returns it),
 * or -1. May call the target handler. */
int vp_platform_advance(long long ps);
/* [DPI] Runs vp up to absolute time `ps` (nothing when vp is there already). */
int vp_platform_run_until(long long ps);
/* [DPI] vp's simulated time; time to vp's next scheduled event (-1: none). */
long long vp_platform_time_ps(void);
long long vp_platform_next_event_ps(void);
/* [DPI] 1 and *code once finished, else 0. The reason as `vp run` prints it. */
int vp_platform_exit_code(int* code);
const char* vp_platform_stop_reason(void);
/* [DPI] The last error ("" when none). */
const char* vp_platform_error(void);

/* The testbench's side of an rtl.dpi_target window access: return 0 (done;
 * *data holds the read value), 1 (pending: vp_platform_complete follows, the
 * initiator waits, vp keeps advancing) or anything else (error response).
 * *data holds the written value for a write; offset is from the window base. */
typedef int (*vp_platform_target_fn)(void* user, const char* target, int is_write, uint64_t offset, int size,
                                     uint64_t* data);
void vp_platform_set_target_handler(vp_platform_target_fn fn, void* user);
/* [DPI] Completes the pending access of window `target` (status 0: OK). */
int vp_platform_complete(const char* target, long long data, int status);
/* [DPI] Drives interrupt line `line` of dpi_target `target` ("": the first). */
int vp_platform_irq(const char* target, int line, int level);

/* [DPI] The bus functional model (through the first rtl.dpi_target's `mem`):
 * queues one access of 1, 2, 4 or 8 bytes, served during the next advance;
 * returns 1 (pending) or -1. Poll after each advance: 1 pending, 0 done
 * (*data read), -1 error (bus error, nothing queued). */
int vp_platform_bus_read(long long addr, int size);
int vp_platform_bus_write(long long addr, int size, long long data);
int vp_platform_bus_poll(long long* data);

#ifdef __cplusplus
}
#endif
#endif
