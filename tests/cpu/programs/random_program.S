// Runs a random valid program (cpu_random_words --program SEED N > random_program.inc)
// in M-mode: s0 points at its data page; every trap skips the trapping instruction
// (2 or 4 bytes, from its encoding). At the end it prints a signature (a hash of all
// integer and FP registers, fcsr and the data page) through HTIF and passes: runs on
// the interpreter and on translated code must print the same signature.
  .section .text.init
  .globl _start
_start:
  la t0, trap_vector; csrw mtvec, t0
  li t0, -1; csrw pmpaddr0, t0
  li t0, 0x1f; csrw pmpcfg0, t0
  li t0, 0x6000; csrs mstatus, t0      // FP on
  csrwi fcsr, 0
  la t0, save_area; csrw mscratch, t0
  la s0, random_data
  j random_start

  .align 2
trap_vector:                           // registers unchanged except through mepc
  csrrw t0, mscratch, t0
  sd t1, 0(t0)
  csrr t1, mepc
  lhu t1, 0(t1)
  andi t1, t1, 3
  addi t1, t1, -3
  beqz t1, 1f
  csrr t1, mepc; addi t1, t1, 2; j 2f
1: csrr t1, mepc; addi t1, t1, 4
2: csrw mepc, t1
  ld t1, 0(t0)
  csrrw t0, mscratch, t0
  mret

random_pass:
  la sp, signature                     // sp is not used by the random code
  sd x1, 8(sp); sd x3, 24(sp); sd x4, 32(sp); sd x5, 40(sp); sd x6, 48(sp); sd x7, 56(sp)
  sd x8, 64(sp); sd x9, 72(sp); sd x10, 80(sp); sd x11, 88(sp); sd x12, 96(sp); sd x13, 104(sp)
  sd x14, 112(sp); sd x15, 120(sp); sd x16, 128(sp); sd x17, 136(sp); sd x18, 144(sp)
  sd x19, 152(sp); sd x20, 160(sp); sd x21, 168(sp); sd x22, 176(sp); sd x23, 184(sp)
  sd x24, 192(sp); sd x25, 200(sp); sd x26, 208(sp); sd x27, 216(sp); sd x28, 224(sp)
  sd x29, 232(sp); sd x30, 240(sp); sd x31, 248(sp)
  fsd f0, 256(sp); fsd f1, 264(sp); fsd f2, 272(sp); fsd f3, 280(sp); fsd f4, 288(sp)
  fsd f5, 296(sp); fsd f6, 304(sp); fsd f7, 312(sp); fsd f8, 320(sp); fsd f9, 328(sp)
  fsd f10, 336(sp); fsd f11, 344(sp); fsd f12, 352(sp); fsd f13, 360(sp); fsd f14, 368(sp)
  fsd f15, 376(sp); fsd f16, 384(sp); fsd f17, 392(sp); fsd f18, 400(sp); fsd f19, 408(sp)
  fsd f20, 416(sp); fsd f21, 424(sp); fsd f22, 432(sp); fsd f23, 440(sp); fsd f24, 448(sp)
  fsd f25, 456(sp); fsd f26, 464(sp); fsd f27, 472(sp); fsd f28, 480(sp); fsd f29, 488(sp)
  fsd f30, 496(sp); fsd f31, 504(sp)
  frcsr t0; sd t0, 0(sp)
  // hash = hash * 31 + doubleword over the signature and the data page
  li a0, 0
  mv a1, sp; addi a2, sp, 512
  call hash_range
  la a1, random_data; li a2, 4096; add a2, a2, a1
  call hash_range
  li a1, 60                            // print a0 as 16 hex digits and a newline
1: srl t0, a0, a1; andi t0, t0, 15
  li t1, 10; blt t0, t1, 2f
  addi t0, t0, 'a' - '0' - 10
2: addi t0, t0, '0'
  call putchar
  addi a1, a1, -4
  bgez a1, 1b
  li t0, '\n'; call putchar
  li t0, 1
  la t1, tohost; sd t0, 0(t1)
1: j 1b

hash_range:                            // a0 = a0 * 31 + each doubleword of [a1, a2)
1: ld t0, 0(a1)
  slli t1, a0, 5; sub a0, t1, a0; add a0, a0, t0
  addi a1, a1, 8
  bltu a1, a2, 1b
  ret

putchar:                               // HTIF console (device 1, command 1): t0
  li t1, 0x0101000000000000; or t1, t1, t0
  la t2, tohost; sd t1, 0(t2)
1: ld t1, 0(t2); bnez t1, 1b
  ret

random_start:
#include "random_program.inc"

  .section .tohost, "aw"
  .align 6; .globl tohost; tohost: .dword 0
  .align 6; .globl fromhost; fromhost: .dword 0
  .data
  .align 3
save_area: .dword 0, 0
signature: .zero 512
