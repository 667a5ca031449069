// An idle guest for vp run --idle: four wfi sleeps of 25 ms of simulated time
// each (the CLINT's mtime counts at 10 MHz), woken by the timer with
// mstatus.MIE off (no trap), then a pass through HTIF.
#include "test.h"
#define CLINT 0x2000000
#define MTIMECMP (CLINT + 0x4000)
#define MTIME (CLINT + 0xbff8)
#define SLEEP_TICKS 250000
TEST_BEGIN
  li s0, MTIME
  li s1, MTIMECMP
  li t0, 0x80; csrw mie, t0         // MTIE only
  li s2, 4
1:ld t0, 0(s0); li t1, SLEEP_TICKS; add t0, t0, t1; sd t0, 0(s1)
2:wfi
  csrr t0, mip; andi t0, t0, 0x80; beqz t0, 2b
  addi s2, s2, -1; bnez s2, 1b
  j pass
TEST_END
