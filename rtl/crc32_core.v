// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) accelerator core with
// a simple register interface shared by the APB and AXI4-Lite wrappers.
//
// Registers (32-bit, byte offsets):
//   0x00 CTRL    W  bit0: reset CRC to 0xFFFFFFFF (self-clearing), bit1: IRQ enable (R/W)
//   0x04 DATA    W  bytes selected by the strobes are fed, lowest first, one per cycle;
//                   a write while busy is stalled (wait states) until the engine is idle
//   0x08 RESULT  R  ~crc (the finished CRC-32 of the bytes fed so far)
//   0x0C STATUS  R  bit0: busy, bit1: done (W1C: writing 1 clears done and the IRQ)
//   0x10 ID      R  0x43524332 ("CRC2")
//   0x14 COUNT   R  number of bytes fed since the last reset
// Any other offset, a write to a read-only register or a read of DATA is an
// error response (PSLVERR / SLVERR).
module crc32_core (
    input  wire        clk,
    input  wire        rst_n,
    input  wire        req,      // an access is presented this cycle
    input  wire        we,
    input  wire [7:0]  addr,
    input  wire [31:0] wdata,
    input  wire [3:0]  wstrb,
    output wire        ready,    // the access completes at this clock edge
    output reg  [31:0] rdata,
    output wire        err,
    output wire        irq,
    output wire        busy
);
  reg [31:0] crc;
  reg [31:0] shreg;      // bytes still to feed, lowest first
  reg [3:0]  pend;       // which of them are valid
  reg        irq_en, done;
  reg [31:0] count;

  assign busy = |pend;
  assign irq  = irq_en & done;

  wire is_ctrl = addr == 8'h00, is_data = addr == 8'h04, is_res = addr == 8'h08;
  wire is_stat = addr == 8'h0c, is_id = addr == 8'h10, is_cnt = addr == 8'h14;
  wire known   = is_ctrl | is_data | is_res | is_stat | is_id | is_cnt;
  assign err   = !known || (we && (is_res || is_id || is_cnt)) || (!we && is_data);
  // DATA writes wait while the engine is busy: backpressure through wait states.
  assign ready = !(we && is_data && busy);

  always @(*) begin
    case (addr)
      8'h00: rdata = {30'd0, irq_en, 1'b0};
      8'h08: rdata = ~crc;
      8'h0c: rdata = {30'd0, done, busy};
      8'h10: rdata = 32'h43524332;
      8'h14: rdata = count;
      default: rdata = 32'd0;
    endcase
  end

  function [31:0] crc_byte(input [31:0] c, input [7:0] b);
    integer i;
    reg [31:0] x;
    begin
      x = c ^ {24'd0, b};
      for (i = 0; i < 8; i = i + 1) x = x[0] ? (x >> 1) ^ 32'hEDB88320 : x >> 1;
      crc_byte = x;
    end
  endfunction

  always @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      crc <= 32'hFFFFFFFF; shreg <= 0; pend <= 0; irq_en <= 0; done <= 0; count <= 0;
    end else begin
      if (busy) begin
        if (pend[0]) begin
          crc <= crc_byte(crc, shreg[7:0]);
          count <= count + 1;
        end
        shreg <= shreg >> 8;
        pend <= pend >> 1;
        if (pend[3:1] == 3'b000) done <= 1;
      end
      if (req && ready && we && !err) begin
        if (is_ctrl) begin
          if (wstrb[0]) begin
            irq_en <= wdata[1];
            if (wdata[0]) begin crc <= 32'hFFFFFFFF; count <= 0; done <= 0; end
          end
        end else if (is_data) begin
          shreg <= wdata;
          pend <= wstrb;
          done <= 0;
        end else if (is_stat) begin
          if (wstrb[0] && wdata[1]) done <= 0;
        end
      end
    end
  end
endmodule
