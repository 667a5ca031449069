// Echoes every byte the UART receives as "rx XX" (hex) and prompts again:
// the prompt has no newline, so the console line is open while it waits.
#define UART 0x10000000
  .section .text.init
  .globl _start
_start:
  li s0, UART
  la a0, prompt
  call puts
loop:
  lbu t0, 5(s0)                // LSR: bit 0 = data ready
  andi t0, t0, 1
  beqz t0, loop
  lbu s1, 0(s0)
  li a0, 'r'
  call putc
  li a0, 'x'
  call putc
  li a0, ' '
  call putc
  srli a0, s1, 4
  call hexdigit
  andi a0, s1, 15
  call hexdigit
  li a0, '\n'
  call putc
  la a0, prompt
  call puts
  j loop

hexdigit:
  addi a0, a0, '0'
  li t1, '9'
  ble a0, t1, putc
  addi a0, a0, 'a' - '9' - 1
  j putc

putc:                          // a0: the byte
  lbu t0, 5(s0)
  andi t0, t0, 0x20            // LSR: THR empty
  beqz t0, putc
  sb a0, 0(s0)
  ret

puts:                          // a0: string
  mv t2, ra
  mv t3, a0
1:
  lbu a0, 0(t3)
  beqz a0, 2f
  call putc
  addi t3, t3, 1
  j 1b
2:
  mv ra, t2
  ret

  .data
prompt:
  .asciz "ready> "
