// The trace tests' program: a warm-up loop, a function with a load, a store,
// a CSR write and an ecall (traced), and a trip to U-mode (after). No
// compressed instructions: the tests know every instruction's offset.
  .option norvc
  .section .text.init
  .globl _start
_start:
  la t0, trap_handler
  csrw mtvec, t0
  li t0, -1                    // PMP: U-mode may use all memory
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  li s0, 100
  .globl warmup
warmup:
  addi s0, s0, -1
  bnez s0, warmup
  call traced
  call after
  li t0, 0x100000              // SiFive test finisher: pass
  li t1, 0x5555
  sw t1, 0(t0)
  j .

  .globl traced
  .type traced, @function
traced:
  la t1, data
  ld t2, 0(t1)
  addi t2, t2, 1
  sd t2, 8(t1)
  csrw mscratch, t2
  ecall
  ret
  .size traced, .-traced

  .globl after
  .type after, @function
after:
  la t0, user_code
  csrw mepc, t0
  li t0, 0x1800
  csrc mstatus, t0             // MPP = U
  mret
  .size after, .-after

  .globl user_code
user_code:
  addi a2, zero, 5
  addi a2, a2, 1
  ecall                        // back to M-mode
after_user:
  ret

  .align 2
  .globl trap_handler
trap_handler:
  csrr t0, mcause
  li t1, 8
  beq t0, t1, from_user
  csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  mret
from_user:
  la t0, after_user
  csrw mepc, t0
  li t0, 0x1800
  csrs mstatus, t0             // MPP = M
  mret

  .data
  .align 3
  .globl data
data:
  .dword 41, 0
