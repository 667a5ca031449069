/* DPI-C glue between a SystemVerilog testbench and the verification host:
 * vp_mailbox_bind_sv() (rtl/vp_mailbox.svh) remembers the calling module's
 * scope and registers the exports it defines as the HDL backdoor
 * (vp_hdl_set_backdoor) and as the DPI layer of CALL
 * (vp_mailbox_set_call_handler). Compile this file with the testbench (it
 * needs the simulator's svdpi.h). The exports are weak references, so a
 * testbench defines only those it has. Valid C and C++ (simulators such as
 * Verilator compile it as C++). */
#include <string.h>

#include "svdpi.h"
#include "vp_mailbox.h"

#ifdef __cplusplus
extern "C" {
#endif

extern int vp_sv_hdl_read(const char* path, svBitVecVal* value) __attribute__((weak));
extern int vp_sv_hdl_deposit(const char* path, const svBitVecVal* value) __attribute__((weak));
extern int vp_sv_mailbox_call(const char* name, int id, const long long* args, int argc, long long* result)
    __attribute__((weak));

#define VP_SV_CALL_ARGS 16

static svScope g_scope;

static int hdl_read(void* user, const char* path, uint32_t* value) {
  (void)user;
  const svScope old = svSetScope(g_scope);
  const int rc = vp_sv_hdl_read(path, (svBitVecVal*)value);
  svSetScope(old);
  return rc;
}

static int hdl_deposit(void* user, const char* path, const uint32_t* value) {
  (void)user;
  const svScope old = svSetScope(g_scope);
  const int rc = vp_sv_hdl_deposit(path, (const svBitVecVal*)value);
  svSetScope(old);
  return rc;
}

static int sv_call(void* user, const char* name, uint32_t id, const uint64_t* args, uint32_t argc, uint64_t* result) {
  (void)user;
  if (argc > VP_SV_CALL_ARGS) return VP_MAILBOX_NOT_HANDLED;
  long long a[VP_SV_CALL_ARGS];
  memset(a, 0, sizeof a);
  memcpy(a, args, argc * sizeof *args);
  long long r = 0;
  const svScope old = svSetScope(g_scope);
  const int rc = vp_sv_mailbox_call(name, (int)id, a, (int)argc, &r);
  svSetScope(old);
  *result = (uint64_t)r;
  return rc;
}

int vp_mailbox_bind_sv(void);

int vp_mailbox_bind_sv(void) {
  int bound = 0;
  g_scope = svGetScope();
  if (vp_sv_hdl_read && vp_sv_hdl_deposit) {
    vp_hdl_set_backdoor(hdl_read, hdl_deposit, NULL);
    bound |= 1;
  }
  if (vp_sv_mailbox_call) {
    vp_mailbox_set_call_handler(VP_MAILBOX_LAYER_DPI, sv_call, NULL);
    bound |= 2;
  }
  return bound;
}

#ifdef __cplusplus
}
#endif
