/* DPI-C glue between a SystemVerilog testbench and vp inside it
 * (models/rtl/vp_platform.h, rtl/vp_pkg.sv): vp_platform_bind_sv()
 * (rtl/vp_platform.svh) remembers the calling module's scope and installs its
 * vp_sv_target_access export as the handler of every rtl.dpi_target window.
 * Compile this file with the testbench (it needs the simulator's svdpi.h).
 * Valid C and C++. */
#include <stddef.h>

#include "svdpi.h"
#include "vp_platform.h"

#ifdef __cplusplus
extern "C" {
#endif

extern int vp_sv_target_access(const char* target, int is_write, long long offset, int size, long long* data)
    __attribute__((weak));

static svScope g_scope;

/* Runs inside vp_platform_advance (a context import), on a SystemC thread of
 * the same OS thread: the export may be called once the scope is set. */
static int target_access(void* user, const char* target, int is_write, uint64_t offset, int size, uint64_t* data) {
  (void)user;
  long long d = (long long)*data;
  const svScope old = svSetScope(g_scope);
  const int rc = vp_sv_target_access(target, is_write, (long long)offset, size, &d);
  svSetScope(old);
  *data = (uint64_t)d;
  return rc;
}

int vp_platform_bind_sv(void);

int vp_platform_bind_sv(void) {
  g_scope = svGetScope();
  if (!vp_sv_target_access) return 0;
  vp_platform_set_target_handler(target_access, NULL);
  return 1;
}

#ifdef __cplusplus
}
#endif
