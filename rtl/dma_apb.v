// A small DMA master: copies LEN bytes (a multiple of 4) word by word from SRC
// to DST in platform memory through the platform's DPI-C functions
// (vp_dpi.svh), and raises its interrupt when done. APB slave for control.
//
// Registers: 0x00 SRC, 0x04 SRC_HI, 0x08 DST, 0x0C DST_HI, 0x10 LEN,
//   0x14 CTRL (W: bit0 start, bit1 irq enable), 0x18 STATUS (R: bit0 busy,
//   bit1 done, bit2 error; W1C bit1/bit2), 0x1C WORDS (R: words copied)
module dma_apb (
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
    output wire        pslverr,
    output wire        irq,
    output wire        busy
);
`include "vp_dpi.svh"
  localparam IDLE = 3'd0, RD = 3'd1, RD_WAIT = 3'd2, WR = 3'd3, WR_WAIT = 3'd4;
  reg [2:0]  state;
  reg [63:0] src, dst, word;
  reg [31:0] len, words;
  reg        irq_en, done, error;

  assign busy    = state != IDLE;
  assign irq     = irq_en & (done | error);
  assign pready  = 1'b1;
  wire   access  = psel & penable;
  wire   known   = paddr[31:5] == 0;
  assign pslverr = access & !known;

  always @(*) begin
    case (paddr[4:0])
      5'h00: prdata = src[31:0];
      5'h04: prdata = src[63:32];
      5'h08: prdata = dst[31:0];
      5'h0c: prdata = dst[63:32];
      5'h10: prdata = len;
      5'h14: prdata = {30'd0, irq_en, 1'b0};
      5'h18: prdata = {29'd0, error, done, busy};
      5'h1c: prdata = words;
      default: prdata = 0;
    endcase
  end

  /* verilator lint_off BLKSEQ */  // DPI results are used in the same cycle
  integer rc;
  reg [63:0] rdata;
  always @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      state <= IDLE; src <= 0; dst <= 0; len <= 0; words <= 0; irq_en <= 0;
      done <= 0; error <= 0; word <= 0;
    end else begin
      if (access && pwrite && known && state == IDLE) begin
        case (paddr[4:0])
          5'h00: src[31:0] <= pwdata;
          5'h04: src[63:32] <= pwdata;
          5'h08: dst[31:0] <= pwdata;
          5'h0c: dst[63:32] <= pwdata;
          5'h10: len <= pwdata;
          5'h14: begin
            irq_en <= pwdata[1];
            if (pwdata[0]) begin
              words <= 0; done <= 0; error <= 0;
              state <= len == 0 ? IDLE : RD;
              if (len == 0) done <= 1;
            end
          end
          5'h18: begin
            if (pwdata[1]) done <= 0;
            if (pwdata[2]) error <= 0;
          end
          default: ;
        endcase
      end
      case (state)
        RD: begin
          rc = vp_dpi_read(src, 4, rdata);
          if (rc == 0) begin word <= rdata; state <= WR; end
          else if (rc > 0) state <= RD_WAIT;
          else begin error <= 1; state <= IDLE; end
        end
        RD_WAIT: begin
          rc = vp_dpi_poll(rdata);
          if (rc == 0) begin word <= rdata; state <= WR; end
          else if (rc < 0) begin error <= 1; state <= IDLE; end
        end
        WR: begin
          rc = vp_dpi_write(dst, 4, word);
          if (rc == 0) begin
            src <= src + 4; dst <= dst + 4; words <= words + 1; len <= len - 4;
            if (len <= 4) begin done <= 1; state <= IDLE; end else state <= RD;
          end else if (rc > 0) state <= WR_WAIT;
          else begin error <= 1; state <= IDLE; end
        end
        WR_WAIT: begin
          rc = vp_dpi_poll(rdata);
          if (rc == 0) begin
            src <= src + 4; dst <= dst + 4; words <= words + 1; len <= len - 4;
            if (len <= 4) begin done <= 1; state <= IDLE; end else state <= RD;
          end else if (rc < 0) begin error <= 1; state <= IDLE; end
        end
        default: ;
      endcase
    end
  end
  /* verilator lint_on BLKSEQ */
endmodule
