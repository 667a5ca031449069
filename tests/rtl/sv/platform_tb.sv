// vp inside a SystemVerilog testbench (Verilator --binary --timing): the
// testbench is the time master and steps vp every clock; the platform's hart
// runs tests/rtl/firmware/crc32_irq.c, whose CRC-32 peripheral is this
// testbench's crc32_apb RTL behind the rtl.dpi_target window crc0
// (configs/rtl-sv.yaml): window accesses reach vp_sv_target_access, which
// hands them to an APB master; its interrupt goes back to the PLIC. The
// firmware compares the RTL's CRC with a software CRC-32 and exits 0 only
// when they match. The bus functional model reads and writes platform memory
// and reaches the RTL back through the platform's bus; errors come back as -1
// and messages.
module platform_tb;
  import vp_pkg::*;
  `include "vp_platform.svh"

  localparam longint STEP_PS = 10_000;     // one 100 MHz clock
  localparam int MAX_CYCLES = 4_000_000;   // 40 ms of simulated time at most

  logic clk = 0, rst_n = 0;
  always #5 clk = ~clk;

  // The CRC-32 RTL behind crc0 (APB).
  logic [31:0] paddr = 0, pwdata = 0;
  logic psel = 0, penable = 0, pwrite = 0;
  logic [3:0] pstrb = 0;
  wire [31:0] prdata;
  wire pready, pslverr, irq, busy;
  crc32_apb u_crc (.clk(clk), .rst_n(rst_n), .paddr(paddr), .psel(psel), .penable(penable), .pwrite(pwrite),
                   .pwdata(pwdata), .pstrb(pstrb), .prdata(prdata), .pready(pready), .pslverr(pslverr),
                   .irq(irq), .busy(busy));

  // The window access the APB master carries out (one at a time: vp serialises them).
  bit req = 0, req_write = 0;
  longint req_off = 0, req_data = 0;
  int req_size = 0;
  int accesses = 0, writes = 0, irq_edges = 0, failures = 0;
  bit running = 0;
  int cycles = 0, step_rc = 0;

  export "DPI-C" function vp_sv_target_access;
  function int vp_sv_target_access(input string target, input int is_write, input longint offset, input int size,
                                   inout longint data);
    if (target != "crc0" || size > 4 || req) return -1;
    req = 1;
    req_write = is_write != 0;
    req_off = offset;
    req_size = size;
    req_data = data;
    accesses++;
    if (req_write) writes++;
    return 1;  // pending: the APB transfer below completes it
  endfunction

  // The RTL's interrupt to the platform (PLIC source 12), forwarded when it changes.
  logic irq_q = 0;
  function automatic void forward_irq();
    if (running && irq != irq_q) begin
      irq_q = irq;
      if (irq) irq_edges++;
      void'(vp_platform_irq("crc0", 0, int'(irq)));
    end
  endfunction
  always @(posedge clk) forward_irq();

  // APB: SETUP, then ACCESS until PREADY; one cycle later (the write has taken
  // effect, e.g. a W1C dropped the interrupt, which is forwarded first) the
  // answer goes back with vp_platform_complete.
  typedef enum { IDLE, SETUP, ACCESS, RESPOND } apb_state_t;
  apb_state_t apb = IDLE;
  longint answer = 0;
  bit answer_err = 0;
  always @(posedge clk) begin
    case (apb)
      IDLE:
        if (req) begin
          paddr <= {req_off[31:2], 2'b00};
          pwrite <= req_write;
          pwdata <= 32'(req_data << (8 * req_off[1:0]));
          pstrb <= req_write ? 4'(((1 << req_size) - 1) << req_off[1:0]) : 4'b0;
          psel <= 1;
          apb <= SETUP;
        end
      SETUP: begin
        penable <= 1;
        apb <= ACCESS;
      end
      ACCESS:
        if (pready) begin
          answer = longint'(prdata >> (8 * req_off[1:0])) & ((64'd1 << (8 * req_size)) - 1);
          answer_err = pslverr;
          psel <= 0;
          penable <= 0;
          apb <= RESPOND;
        end
      RESPOND: begin
        forward_irq();
        apb <= IDLE;
        req = 0;
        if (vp_platform_complete("crc0", answer, answer_err ? -1 : 0) != 0) begin
          $display("FAIL: vp_platform_complete: %s", vp_platform_error());
          failures++;
        end
      end
    endcase
  end

  // vp follows this clock.
  always @(posedge clk) begin
    if (running) begin
      step_rc = vp_step(STEP_PS);
      cycles++;
      // Stepping goes on after the end (vp_step keeps returning VP_FINISHED).
      if (step_rc == VP_ERROR || cycles >= MAX_CYCLES) begin
        running = 0;
        if (step_rc == VP_ERROR) $display("FAIL: vp_step: %s", vp_platform_error());
      end
    end
  end

`ifdef VP_PYTHON
  import "DPI-C" function int vp_python_run(input string path);
`endif

  task automatic check(input bit ok, input string what);
    if (!ok) begin
      $display("FAIL: %s", what);
      failures++;
    end
  endtask

  function automatic bit contains(input string s, input string part);
    for (int i = 0; i + part.len() <= s.len(); i++)
      if (s.substr(i, i + part.len() - 1) == part) return 1;
    return 0;
  endfunction

  initial begin
    string config_file, elf;
    string msg, script;
    bit crc_firmware;
    longint d;
    int st, code, rc;
    if (!$value$plusargs("config=%s", config_file) || !$value$plusargs("elf=%s", elf)) begin
      $display("FAIL: usage: platform_tb +config=FILE +elf=FILE");
      $finish;
    end

    // +py=SCRIPT: the firmware is mbox_call.c, its CALLs served by the script's Python functions.
    crc_firmware = !$value$plusargs("py=%s", script);
    if (!crc_firmware) begin
`ifdef VP_PYTHON
      rc = vp_python_run(script);
      check(rc == 0, {"vp_python_run ", script});
`else
      check(0, "+py: built without Python");
`endif
    end

    // Errors are values and messages, never an abort. (One DPI call per
    // statement: the order of calls within an expression is the simulator's.)
    rc = vp_platform_advance(STEP_PS);
    check(rc == VP_ERROR && contains(vp_platform_error(), "vp_platform_create first"), "advance before create");
    rc = vp_platform_create("/nonexistent/platform.yaml");
    msg = vp_platform_error();
    check(rc == VP_ERROR && contains(msg, "/nonexistent/platform.yaml"), {"missing file: ", msg});
    rc = vp_platform_create_from_string("components:\n  x: { type: dev.no_such_type }\n");
    msg = vp_platform_error();
    check(rc == VP_ERROR && contains(msg, "<vp_platform_create_from_string>:2:") && contains(msg, "dev.no_such_type"),
          {"bad type: ", msg});
    rc = vp_platform_create_from_string("components: [ {");
    msg = vp_platform_error();
    check(rc == VP_ERROR && contains(msg, "<vp_platform_create_from_string>:1:"), {"bad YAML: ", msg});

    rc = vp_platform_create(config_file);
    check(rc == 0, {"create: ", vp_platform_error()});
    rc = vp_platform_create(config_file);
    check(rc == VP_ERROR && contains(vp_platform_error(), "already"), "second create");
    rc = vp_platform_bind_sv();
    check(rc == 1, "bind");
    rc = vp_platform_load("/nonexistent.elf", "");
    msg = vp_platform_error();
    check(rc == VP_ERROR && contains(msg, "nonexistent.elf"), {"bad ELF: ", msg});
    rc = vp_platform_load(elf, "");
    check(rc == 0, {"load: ", vp_platform_error()});
    rc = vp_platform_irq("crc0", 1, 1);
    check(rc == VP_ERROR, "irq line out of range");
    rc = vp_platform_irq("nope", 0, 1);
    check(rc == VP_ERROR && contains(vp_platform_error(), "nope"), "unknown target");
    rc = vp_platform_complete("crc0", 0, 0);
    check(rc == VP_ERROR, "complete without a pending access");
    repeat (3) @(posedge clk);
    rst_n = 1;
    running = 1;

    // The bus functional model, while the CRC firmware runs (mbox_call.c may
    // finish within the first step: a hart runs up to a quantum ahead).
    if (crc_firmware) begin
      vp_bus_write(64'h8800_0000, 8, 64'h0123_4567_89ab_cdef, st);
      check(st == 0, {"BFM write: ", vp_platform_error()});
      vp_bus_read(64'h8800_0000, 8, d, st);
      check(st == 0 && d == 64'h0123_4567_89ab_cdef, $sformatf("BFM read back %h", d));
      vp_bus_read(64'h8800_0002, 2, d, st);
      check(st == 0 && d == 64'h89ab, $sformatf("BFM 16-bit read %h", d));
      vp_bus_write(64'h8800_0001, 1, 64'h5a, st);
      vp_bus_read(64'h8800_0000, 4, d, st);
      check(st == 0 && d == 64'h89ab_5aef, $sformatf("BFM byte write %h", d));
      // Through the platform's bus back into this testbench's RTL.
      vp_bus_read(64'h1001_0010, 4, d, st);
      check(st == 0 && d == 64'h4352_4332, $sformatf("BFM read of the CRC ID through the platform %h", d));
      vp_bus_read(64'h1001_0004, 4, d, st);
      check(st == VP_ERROR, "BFM read of DATA: an APB error comes back as a bus error");
      vp_bus_read(64'h0000_0000, 4, d, st);
      check(st == VP_ERROR, "BFM read of an unmapped address");
    end

    while (running && step_rc == VP_RUNNING) @(posedge clk);
    check(step_rc == VP_FINISHED, $sformatf("the firmware did not finish in %0d cycles (rc %0d)", cycles, step_rc));
    rc = vp_platform_exit_code(code);
    check(rc == 1 && code == 0,
          $sformatf("firmware exit code %0d (%s)", code, vp_platform_stop_reason()));
    rc = vp_platform_advance(STEP_PS);
    check(rc == VP_FINISHED, "advance after the end");
    if (crc_firmware) check(accesses > writes && writes == 138, $sformatf("window accesses %0d, writes %0d", accesses, writes));
    if (crc_firmware) check(irq_edges == 1, $sformatf("interrupts raised %0d", irq_edges));
    $display("platform_tb: %0d cycles, vp at %0d ps, %0d window accesses (%0d writes), stop: %s", cycles,
             vp_platform_time_ps(), accesses, writes, vp_platform_stop_reason());
    if (failures == 0) $display("platform_tb: PASS");
    else $display("platform_tb: %0d failures", failures);
    $finish;
  end
endmodule
