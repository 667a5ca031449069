// A SystemVerilog testbench as the top level (Verilator --binary --timing)
// hosting vp's verification host through DPI-C: the HDL backdoor reaches
// this module's arrays through its exports, mailbox requests written into
// its RAM by SV code (standing in for a CPU) are served by vp_mailbox_poll,
// CALLs reach an SV callback, and errors come back as codes and messages.
module vhost_tb;
  `include "vp_mailbox.svh"

  logic [63:0] ram [8192];  // vhost_tb.ram: 64 KiB at 0x80000000
  logic [31:0] rom [16];    // vhost_tb.rom: all_zero init through the backdoor
  int reads = 0, deposits = 0, calls = 0, failures = 0;

  export "DPI-C" function vp_sv_hdl_read;
  export "DPI-C" function vp_sv_hdl_deposit;
  export "DPI-C" function vp_sv_mailbox_call;

  function automatic int element(input string path, output bit is_rom, output int index);
    if ($sscanf(path, "vhost_tb.ram[%d]", index) == 1 && index >= 0 && index < 8192) begin
      is_rom = 0;
      return 0;
    end
    if ($sscanf(path, "vhost_tb.rom[%d]", index) == 1 && index >= 0 && index < 16) begin
      is_rom = 1;
      return 0;
    end
    return -1;
  endfunction

  function int vp_sv_hdl_read(input string path, output bit [1023:0] value);
    bit is_rom;
    int i;
    value = '0;
    if (element(path, is_rom, i) != 0) return -1;
    if (is_rom) value[31:0] = rom[i];
    else value[63:0] = ram[i];
    reads++;
    return 0;
  endfunction

  function int vp_sv_hdl_deposit(input string path, input bit [1023:0] value);
    bit is_rom;
    int i;
    if (element(path, is_rom, i) != 0) return -1;
    if (is_rom) rom[i] = value[31:0];
    else ram[i] = value[63:0];
    deposits++;
    return 0;
  endfunction

  function int vp_sv_mailbox_call(input string name, input int id, input longint args[16], input int argc,
                                  output longint result);
    calls++;
    result = 0;
    if (name == "sv_mul" && argc == 2) begin
      result = args[0] * args[1];
      return 0;
    end
    if (name == "" && id == 9) begin
      result = -longint'(argc);
      return 0;
    end
    return -1;  // not an SV callback
  endfunction

  localparam longint RAM = 64'h8000_0000, SLOT = 64'h8000_fff8, BLOCK = 64'h8000_0200;

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

  // A request block in the RAM (as firmware would write it) and the channel slot; then a poll.
  task automatic request(input int command, input longint a0, input longint a1, input longint a2, input longint a3,
                         output int status, output longint result);
    ram[BLOCK[15:3]] = 64'(command) | 64'hdead_beef_0000_0000;  // command, status = pending
    ram[BLOCK[15:3] + 2] = a0;
    ram[BLOCK[15:3] + 3] = a1;
    ram[BLOCK[15:3] + 4] = a2;
    ram[BLOCK[15:3] + 5] = a3;
    ram[SLOT[15:3]] = BLOCK;
    check(vp_mailbox_poll() == 1, "one request served");
    check(ram[SLOT[15:3]] == 0, "slot cleared");
    status = int'(ram[BLOCK[15:3]] >> 32);
    result = ram[BLOCK[15:3] + 1];
  endtask

  initial begin
    string mem_file, err;
    int rc, status;
    longint result, word;
    foreach (rom[i]) rom[i] = 32'hffff_ffff;
    if (!$value$plusargs("mem=%s", mem_file)) $fatal(1, "+mem=FILE missing");
    check(vp_mailbox_bind_sv() == 3, "backdoor and callbacks bound");

    // Errors never end the simulation: codes and located messages.
    rc = vp_mailbox_init_with_config(mem_file, "backend: hdl\nlog: none\nbogus: 1\n");
    err = vp_last_error();
    check(rc == -3, "bad key: VP_MAILBOX_ECONFIG");
    check(contains(err, "<mailbox config>:3:1: error: unknown key 'bogus'"), err);
    rc = vp_mailbox_init_with_config("/no/such/mem.yaml", "log: none\n");
    check(rc == -2 && contains(vp_last_error(), "/no/such/mem.yaml: error: cannot read"), vp_last_error());
    rc = vp_mailbox_poll();
    check(rc == -4, "poll before init: VP_MAILBOX_ESTATE");

    rc = vp_mailbox_init_with_config(mem_file,
        "backend: hdl\nlog: none\noutput: stdout\nchannels: [ { name: tb, address: 0x8000fff8 } ]\n");
    check(rc == 0, vp_last_error());
    check(vp_mailbox_backend() == "hdl", "backend hdl");
    foreach (rom[i]) check(rom[i] == 0, "rom init deposited through the backdoor");

    // MEMSET into the RAM, through reads and deposits of this module's array.
    request(4, RAM + 'h100, 'hab, 12, 0, status, result);
    check(status == 0 && result == RAM + 'h100, "memset status and result");
    check(ram['h20] == 64'habab_abab_abab_abab, "memset word 0");
    check(ram['h21] == 64'h0000_0000_abab_abab, "memset word 1: 4 bytes, merged");

    // CALL by name: Python and C++ have none, the SV callback answers.
    ram['h60] = 6;
    ram['h61] = 7;
    ram['h70] = 64'h6c_756d_5f76_73;  // "sv_mul\0"
    request(6, 0, RAM + 'h300, 2, RAM + 'h380, status, result);
    check(status == 0 && result == 42, "CALL sv_mul(6, 7)");
    request(6, 9, RAM + 'h300, 2, 0, status, result);  // by number
    check(status == 0 && result == -2, "CALL 9");
    ram['h70] = 64'h656e_6f6e;  // "none"
    request(6, 0, RAM + 'h300, 0, RAM + 'h380, status, result);
    check(status == 4, "CALL of an unknown name: NoCallback");

    // PRINT and EXIT.
    ram['h80] = 64'h6f6c_6c65_6820_5653;  // "SV hello"
    ram['h81] = 64'h0a;                   // "\n"
    request(2, RAM + 'h400, 9, 0, 0, status, result);
    check(status == 0 && result == 9, "print");
    request(1, 5, 0, 0, 0, status, result);
    check(vp_mailbox_exit_code(rc) == 1 && rc == 5, "exit 5");
    check(vp_mailbox_read64(RAM + 'h100, word) == 0 && word == 64'habab_abab_abab_abab, "read64");
    check(vp_mailbox_write64(64'h7000_0000, 1) == -5, "unmapped write: VP_MAILBOX_EACCESS");
    check(contains(vp_last_error(), "0x70000000 is not in a memory of space 'cpu'"), vp_last_error());
    vp_mailbox_shutdown();

    check(reads > 0 && deposits > 0 && calls == 3, "the exports were used");
    if (failures == 0) $display("vhost_tb: PASS (%0d reads, %0d deposits, %0d calls)", reads, deposits, calls);
    else $display("vhost_tb: %0d FAILURES", failures);
    $finish;
  end
endmodule
