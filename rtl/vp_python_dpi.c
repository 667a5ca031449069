/* An embedded Python interpreter for a testbench hosting vp (optional; link
 * libpython, e.g. `python3-config --embed --ldflags`): vp_python_run(path)
 * starts the interpreter once and runs a script in __main__, which may
 * `import vp` and register mailbox CALL targets with vp.mailbox.register;
 * firmware CALLs then reach them before the C++ and SV layers (the `vp`
 * package and the testbench share libvp). The interpreter is never finalised
 * (callbacks stay valid until the process exits). Valid C and C++. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

int vp_python_run(const char* path);

/* [DPI] 0, or -1 (the file cannot be read, or the script raised: the
 * traceback is on stderr). */
int vp_python_run(const char* path) {
  if (!path || !*path) return -1;
  FILE* f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "vp_python_run: cannot read '%s'\n", path);
    return -1;
  }
  if (!Py_IsInitialized()) {
    Py_InitializeEx(0); /* 0: the simulator keeps its signal handlers */
    PyEval_SaveThread(); /* callbacks take the GIL when they run */
  }
  const PyGILState_STATE gil = PyGILState_Ensure();
  const int rc = PyRun_SimpleFileExFlags(f, path, 1, NULL); /* closes f */
  PyGILState_Release(gil);
  return rc == 0 ? 0 : -1;
}

#ifdef __cplusplus
}
#endif
