// CRC-32 accelerator with an AMBA APB (v2.0 / APB4 strobes) slave port.
module crc32_apb (
    input  wire        clk,
    input  wire        rst_n,
    input  wire [31:0] paddr,
    input  wire        psel,
    input  wire        penable,
    input  wire        pwrite,
    input  wire [31:0] pwdata,
    input  wire [3:0]  pstrb,
    output wire [31:0] prdata,
    output wire        pready,
    output wire        pslverr,
    output wire        irq,
    output wire        busy
);
  wire ready, err;
  crc32_core core (
      .clk(clk), .rst_n(rst_n), .req(psel & penable), .we(pwrite), .addr(paddr[7:0]),
      .wdata(pwdata), .wstrb(pstrb), .ready(ready), .rdata(prdata), .err(err),
      .irq(irq), .busy(busy));
  // The response is meaningful in the access phase only.
  assign pready  = psel & penable ? ready : 1'b1;
  assign pslverr = psel & penable & ready & (err | (paddr[31:8] != 0));
endmodule
