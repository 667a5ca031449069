// The verification host (models/rtl/vp_mailbox.h) from SystemVerilog: include
// this file in the testbench module (or a package), compile
// rtl/vp_mailbox_dpi.c with the testbench, and link vp. Standard DPI-C types
// only. Functions that may call back into the testbench (HDL backdoor, SV
// callbacks) are context imports. Negative returns are VP_MAILBOX_E* codes;
// vp_last_error() says what went wrong (file:line:column for YAML).
import "DPI-C" context function int vp_mailbox_init();
import "DPI-C" context function int vp_mailbox_init_with_config(input string mem_cfg_file, input string mailbox_yaml);
import "DPI-C" function void vp_mailbox_shutdown();
import "DPI-C" function string vp_last_error();
import "DPI-C" function string vp_mailbox_backend();
import "DPI-C" context function int vp_mailbox_poll();
import "DPI-C" context function int vp_mailbox_serve(input longint block, output int status, output longint result);
import "DPI-C" function int vp_mailbox_exit_code(output int code);
import "DPI-C" context function int vp_mailbox_read64(input longint addr, output longint data);
import "DPI-C" context function int vp_mailbox_write64(input longint addr, input longint data);
import "DPI-C" context function int vp_mailbox_load_elf(input string path);
import "DPI-C" function int vp_mailbox_export_hex(input string dir);

// Registers the calling module's exports (any subset) as the HDL backdoor and
// the SV layer of CALL; call it once from the module that defines them.
// Returns 1 (backdoor) | 2 (callbacks).
import "DPI-C" context function int vp_mailbox_bind_sv();

// The exports a testbench may define (in the module calling vp_mailbox_bind_sv):
//
//   export "DPI-C" function vp_sv_hdl_read;      // uvm_hdl_read analogue
//   function int vp_sv_hdl_read(input string path, output bit [1023:0] value);
//   export "DPI-C" function vp_sv_hdl_deposit;   // uvm_hdl_deposit analogue
//   function int vp_sv_hdl_deposit(input string path, input bit [1023:0] value);
//     path: one array element ("top.u_ram.mem[5]", banked "path[bank][row]");
//     return 0 on success. With UVM: return uvm_hdl_read(path, value) ? 0 : -1.
//
//   export "DPI-C" function vp_sv_mailbox_call;  // CALL targets after Python and C++
//   function int vp_sv_mailbox_call(input string name, input int id, input longint args[16],
//                                   input int argc, output longint result);
//     name is "" for a call by number; return a mailbox status (0 OK) or -1
//     when the testbench has no such callback.
