// vp inside a SystemVerilog simulation (models/rtl/vp_platform.h): import
// vp_pkg::* in the testbench, compile rtl/vp_platform_dpi.c with it, link
// libvp. The testbench is the time master: it calls vp_step with its own time
// step (e.g. every clock edge) and vp runs its processors within it. Standard
// DPI-C types only; tested with Verilator 5 (--binary --timing), untested in
// commercial simulators. See docs/rtl.md ("vp inside an RTL simulation").
package vp_pkg;
  localparam int VP_RUNNING = 0, VP_FINISHED = 1, VP_PENDING = 1, VP_ERROR = -1;

  import "DPI-C" context function int vp_platform_create(input string yaml_path);
  import "DPI-C" context function int vp_platform_create_from_string(input string yaml_text);
  import "DPI-C" context function int vp_platform_load(input string kernel, input string bios);
  import "DPI-C" context function int vp_platform_advance(input longint ps);
  import "DPI-C" context function int vp_platform_run_until(input longint ps);
  import "DPI-C" function longint vp_platform_time_ps();
  import "DPI-C" function longint vp_platform_next_event_ps();
  import "DPI-C" function int vp_platform_exit_code(output int code);
  import "DPI-C" function string vp_platform_stop_reason();
  import "DPI-C" function string vp_platform_error();
  import "DPI-C" function int vp_platform_complete(input string target, input longint data, input int status);
  import "DPI-C" function int vp_platform_irq(input string target, input int line, input int level);
  import "DPI-C" function int vp_platform_bus_read(input longint addr, input int size);
  import "DPI-C" function int vp_platform_bus_write(input longint addr, input int size, input longint data);
  import "DPI-C" function int vp_platform_bus_poll(output longint data);

  // Counts vp_step calls: the bus tasks wait for it to move (a level test,
  // not an event: robust when several processes run in one time slot).
  int unsigned vp_steps = 0;

  // Advances vp by `ps` (the testbench's step); VP_RUNNING, VP_FINISHED or VP_ERROR.
  function automatic int vp_step(input longint ps);
    int rc = vp_platform_advance(ps);
    vp_steps++;
    return rc;
  endfunction

  // The bus functional model: blocking reads/writes of platform addresses,
  // served during the following vp_step calls (another process must keep
  // stepping). status 0: OK, -1: bus error (vp_platform_error says why).
  task automatic vp_bus_read(input longint addr, input int size, output longint data, output int status);
    int unsigned seen;
    data = 0;
    status = vp_platform_bus_read(addr, size);
    while (status == VP_PENDING) begin
      seen = vp_steps;
      wait (vp_steps != seen);
      status = vp_platform_bus_poll(data);
    end
  endtask

  task automatic vp_bus_write(input longint addr, input int size, input longint data, output int status);
    longint ignored;
    int unsigned seen;
    status = vp_platform_bus_write(addr, size, data);
    while (status == VP_PENDING) begin
      seen = vp_steps;
      wait (vp_steps != seen);
      status = vp_platform_bus_poll(ignored);
    end
  endtask
endpackage
