// An APB slave: A (0x0, RW), B (0x4, RW), A + B (0x8, RO), A * B low word (0xc, RO).
// Any other address answers PSLVERR.
module adder_apb (
    input  wire        clk,
    input  wire        rst_n,
    input  wire [31:0] paddr,
    input  wire        psel,
    input  wire        penable,
    input  wire        pwrite,
    input  wire [31:0] pwdata,
    input  wire [3:0]  pstrb,
    output reg  [31:0] prdata,
    output wire        pready,
    output wire        pslverr
);
  reg [31:0] a, b;
  wire access = psel & penable;
  wire known = paddr[31:4] == 0;
  assign pready = 1'b1;
  assign pslverr = access & (!known | (pwrite & paddr[3]));
  always @(*) begin
    case (paddr[3:2])
      2'd0: prdata = a;
      2'd1: prdata = b;
      2'd2: prdata = a + b;
      default: prdata = a * b;
    endcase
  end
  always @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      a <= 0;
      b <= 0;
    end else if (access & pwrite & known) begin
      if (paddr[3:2] == 2'd0) a <= pwdata;
      if (paddr[3:2] == 2'd1) b <= pwdata;
    end
  end
  wire unused = &{1'b0, pstrb};
endmodule
