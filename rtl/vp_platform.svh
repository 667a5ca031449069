// Include in the testbench module that defines vp_sv_target_access (with
// rtl/vp_pkg.sv compiled and rtl/vp_platform_dpi.c linked): binds the
// module's export as the handler of the platform's rtl.dpi_target windows.
// Returns 1 when the export exists, else 0.
import "DPI-C" context function int vp_platform_bind_sv();

// The export the module defines:
//
//   export "DPI-C" function vp_sv_target_access;
//   function int vp_sv_target_access(input string target, input int is_write, input longint offset,
//                                    input int size, inout longint data);
//     target: the dpi_target's instance name; offset from its base; size 1, 2, 4 or 8;
//     data: the written value (write) or the value to return (read).
//     Return 0 (done), 1 (pending: call vp_platform_complete(target, data, 0)
//     later, e.g. when the testbench's RTL answers; vp keeps advancing and the
//     platform initiator waits) or -1 (error response).
//   It runs inside vp_step (a context import): zero time, no waits.
