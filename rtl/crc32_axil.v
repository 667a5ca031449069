// CRC-32 accelerator with an AXI4-Lite slave port. One outstanding access at a
// time; BRESP/RRESP = SLVERR (2'b10) for refused accesses.
module crc32_axil (
    input  wire        clk,
    input  wire        rst_n,
    input  wire [31:0] awaddr,
    input  wire        awvalid,
    output reg         awready,
    input  wire [31:0] wdata,
    input  wire [3:0]  wstrb,
    input  wire        wvalid,
    output reg         wready,
    output reg  [1:0]  bresp,
    output reg         bvalid,
    input  wire        bready,
    input  wire [31:0] araddr,
    input  wire        arvalid,
    output wire        arready,
    output reg  [31:0] rdata,
    output reg  [1:0]  rresp,
    output reg         rvalid,
    input  wire        rready,
    output wire        irq,
    output wire        busy
);
  // Captured write address/data until the core accepts them.
  reg        have_aw, have_w, ar_free;
  reg [31:0] aw, wd;
  reg [3:0]  ws;
  wire       do_write = have_aw & have_w & !bvalid;
  assign     arready  = ar_free & !do_write;  // a pending write goes first
  wire       do_read  = arvalid & arready;
  wire [7:0] caddr    = do_write ? aw[7:0] : araddr[7:0];
  wire       ready, err;
  wire [31:0] crdata;
  crc32_core core (
      .clk(clk), .rst_n(rst_n), .req(do_write | do_read), .we(do_write), .addr(caddr),
      .wdata(wd), .wstrb(ws), .ready(ready), .rdata(crdata), .err(err), .irq(irq), .busy(busy));

  always @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      have_aw <= 0; have_w <= 0; awready <= 1; wready <= 1; bvalid <= 0; bresp <= 0;
      ar_free <= 1; rvalid <= 0; rresp <= 0; rdata <= 0; aw <= 0; wd <= 0; ws <= 0;
    end else begin
      if (awvalid && awready) begin aw <= awaddr; have_aw <= 1; awready <= 0; end
      if (wvalid && wready) begin wd <= wdata; ws <= wstrb; have_w <= 1; wready <= 0; end
      if (do_write && ready) begin
        bvalid <= 1;
        bresp <= (err || aw[31:8] != 0) ? 2'b10 : 2'b00;
        have_aw <= 0; have_w <= 0;
      end
      if (bvalid && bready) begin bvalid <= 0; awready <= 1; wready <= 1; end
      if (do_read) begin
        rdata <= crdata;
        rresp <= (err || araddr[31:8] != 0) ? 2'b10 : 2'b00;
        rvalid <= 1;
        ar_free <= 0;
      end
      if (rvalid && rready) begin rvalid <= 0; ar_free <= 1; end
    end
  end
endmodule
