// Counters and counter controls (priv. spec 1.12 3.1.10-3.1.13, 4.1.5; unpriv.
// Zicntr): mcycle/minstret/mhpmcounterN, mhpmeventN, mcountinhibit, mcounteren,
// scounteren, the cycle/time/instret/hpmcounterN shadows, menvcfg/senvcfg.
#include "test.h"
#define CLINT 0x2000000
#define MTIMECMP (CLINT + 0x4000)
#define MTIME (CLINT + 0xbff8)
#define CY 1
#define TM 2
#define IR 4
#define TRAP_CHECK(n, cause) NO_TRAP; csrr a0, mcause; CHECK(n, a0, cause)
#define GOTO(mpp, label) li t0, MSTATUS_MPP; csrc mstatus, t0; li t0, mpp; csrs mstatus, t0; \
                         la t0, label; csrw mepc, t0; mret
// Read counter `csr` in mode `mpp` (0x800 S, 0 U): s3 = 0 if that was an illegal
// instruction, 1 if it read (and came back by ecall); back in M either way.
#define TRY(n, mpp, csr) li s3, 0; EXPECT_TRAP(8f); GOTO(mpp, try_##csr);              \
  8: NO_TRAP; csrr a0, mcause; li gp, n; li t0, 2; beq a0, t0, 7f; li s3, 1;          \
  li t0, 8; beq a0, t0, 7f; li t0, 9; bne a0, t0, fail; 7:
#define ALLOWED(n, mpp, csr) TRY(n, mpp, csr); CHECK(n, s3, 1)
#define DENIED(n, mpp, csr) TRY(n, mpp, csr); CHECK(n, s3, 0)
TEST_BEGIN
  // minstret counts retired instructions: k instructions between two reads -> k + 1
  csrr a1, minstret
  nop; nop; nop
  csrr a2, minstret
  sub a0, a2, a1; CHECK(1, a0, 4)
  // instret is minstret's shadow
  csrr a1, minstret; csrr a2, instret
  sub a0, a2, a1; CHECK(2, a0, 1)
  // a write takes effect after the writing instruction completes
  li t1, 1000
  csrw minstret, t1; csrr a0, minstret; CHECK(3, a0, 1000)
  csrw mcycle, t1; csrr a0, mcycle
  li gp, 4; bltu a0, t1, fail
  addi a0, a0, -100; li gp, 5; bgeu a0, t1, fail      // a few cycles later
  // ecall and ebreak do not retire (3.3.1), nor does an instruction that traps
  EXPECT_TRAP(skip)
  csrr a1, minstret
  ecall                       // trap_vector (5) + skip (4) retire, not the ecall
  csrr a2, minstret
  sub a0, a2, a1; CHECK(6, a0, 10)
  EXPECT_TRAP(skip)
  csrr a1, minstret
  .option push
  .option norvc
  ebreak
  .option pop
  csrr a2, minstret
  sub a0, a2, a1; CHECK(7, a0, 10)
  EXPECT_TRAP(skip)
  csrr a1, minstret
  ld a0, 1(zero)              // access fault (misaligned emulated: then fault)
  csrr a2, minstret
  sub a0, a2, a1; CHECK(8, a0, 10)
  NO_TRAP
  // mcountinhibit: 32-bit WARL; CY and IR stop their counter; TM (time cannot
  // be inhibited) and HPMn (counters read-only zero here) read as zero
  li t0, -1; csrw mcountinhibit, t0
  csrr a0, mcountinhibit; CHECK(10, a0, CY | IR)
  csrr a1, minstret; csrr a3, mcycle
  nop; nop; nop
  csrr a2, minstret; csrr a4, mcycle
  sub a0, a2, a1; CHECK(11, a0, 0)
  sub a0, a4, a3; CHECK(12, a0, 0)
  csrr a0, instret; li gp, 13; bne a0, a2, fail   // the shadows too
  csrr a0, cycle; li gp, 14; bne a0, a4, fail
  // a write to an inhibited counter holds exactly
  li t1, 5000
  csrw mcycle, t1; csrw minstret, t1
  nop
  csrr a0, mcycle; CHECK(15, a0, 5000)
  csrr a0, minstret; CHECK(16, a0, 5000)
  // only the inhibited one stops
  csrwi mcountinhibit, CY
  csrr a1, minstret; nop; csrr a2, minstret
  sub a0, a2, a1; CHECK(17, a0, 2)
  csrr a0, mcycle; CHECK(18, a0, 5000)
  csrwi mcountinhibit, IR
  csrr a1, minstret; nop; csrr a2, minstret
  sub a0, a2, a1; CHECK(19, a0, 0)
  csrr a1, mcycle; nop; csrr a2, mcycle
  li gp, 20; bgeu a1, a2, fail
  // counting resumes from the held value
  csrwi mcountinhibit, 0
  csrr a1, minstret; nop; csrr a2, minstret
  sub a0, a2, a1; CHECK(21, a0, 2)
  li gp, 22; li t0, 5000; bltu a1, t0, fail; addi t0, t0, 100; bgeu a1, t0, fail
  // mcycle counts clock cycles (at least one per instruction), also asleep in WFI
  csrr a1, mcycle; csrr s5, minstret
  li t0, 20
1: div t1, t0, t0; addi t0, t0, -1; bnez t0, 1b
  csrr a2, mcycle; csrr s6, minstret
  sub a0, a2, a1; sub t0, s6, s5; li gp, 23; bltu a0, t0, fail
  li s0, MTIME; li s1, MTIMECMP
  li t0, 0x80; csrw mie, t0
  csrr a1, mcycle
  ld t0, 0(s0); addi t0, t0, 50; sd t0, 0(s1)    // 50 ticks at 10 MHz = 5000 cycles at 1 GHz
  wfi
  csrr a2, mcycle
  li t0, -1; sd t0, 0(s1); csrw mie, zero
  sub a0, a2, a1; li t0, 4000; li gp, 24; bltu a0, t0, fail
  // hpmcounter3..31 and mhpmevent3..31: read-only zero (a legal implementation)
  li t0, -1
  csrw mhpmcounter3, t0; csrr a0, mhpmcounter3; CHECK(30, a0, 0)
  csrw mhpmcounter31, t0; csrr a0, mhpmcounter31; CHECK(31, a0, 0)
  csrw mhpmevent3, t0; csrr a0, mhpmevent3; CHECK(32, a0, 0)
  csrw mhpmevent31, t0; csrr a0, mhpmevent31; CHECK(33, a0, 0)
  csrr a0, hpmcounter3; CHECK(34, a0, 0)
  csrr a0, hpmcounter17; CHECK(35, a0, 0)
  // user counters are read-only; the RV32 high halves do not exist on RV64
  EXPECT_TRAP(1f)
  csrw cycle, zero
  j fail
1: TRAP_CHECK(40, 2)
  EXPECT_TRAP(1f)
  csrs instret, t0
  j fail
1: TRAP_CHECK(41, 2)
  EXPECT_TRAP(1f)
  csrwi time, 0
  j fail
1: TRAP_CHECK(42, 2)
  EXPECT_TRAP(1f)
  csrr a0, 0xc80              // cycleh
  j fail
1: TRAP_CHECK(43, 2)
  EXPECT_TRAP(1f)
  csrr a0, 0xb82              // minstreth
  j fail
1: TRAP_CHECK(44, 2)
  // mcounteren / scounteren: 32-bit registers
  li t0, -1; csrw mcounteren, t0; csrr a0, mcounteren; CHECK(50, a0, 0xffffffff)
  csrw scounteren, t0; csrr a0, scounteren; CHECK(51, a0, 0xffffffff)
  // mcounteren bit clear: S and U may not read; set: S may, U only if scounteren too
  csrw mcounteren, zero; csrw scounteren, zero
  DENIED(52, 0x800, cycle)
  DENIED(53, 0x800, time)
  DENIED(54, 0x800, instret)
  DENIED(55, 0x800, hpmcounter3)
  DENIED(56, 0x800, hpmcounter31)
  li t0, CY; csrw mcounteren, t0
  ALLOWED(57, 0x800, cycle)
  DENIED(58, 0x800, time)
  DENIED(59, 0, cycle)
  li t0, TM; csrw mcounteren, t0
  ALLOWED(60, 0x800, time)
  DENIED(61, 0x800, cycle)
  li t0, IR; csrw mcounteren, t0
  ALLOWED(62, 0x800, instret)
  li t0, 1 << 3; csrw mcounteren, t0
  ALLOWED(63, 0x800, hpmcounter3)
  DENIED(64, 0x800, hpmcounter31)
  li t0, 1 << 31; csrw mcounteren, t0
  ALLOWED(65, 0x800, hpmcounter31)
  li t0, -1; csrw scounteren, t0; csrw mcounteren, zero
  DENIED(66, 0, cycle)                    // scounteren alone is not enough
  DENIED(67, 0, instret)
  li t0, -1; csrw mcounteren, t0; csrw scounteren, zero
  DENIED(68, 0, cycle)
  DENIED(69, 0, time)
  DENIED(70, 0, hpmcounter3)
  li t0, IR | TM; csrw scounteren, t0
  ALLOWED(71, 0, instret)
  ALLOWED(72, 0, time)
  DENIED(73, 0, cycle)
  li t0, CY; csrw scounteren, t0
  ALLOWED(74, 0, cycle)
  li t0, (1 << 3) | (1 << 31); csrw scounteren, t0
  ALLOWED(75, 0, hpmcounter3)
  ALLOWED(76, 0, hpmcounter31)
  // accessibility does not depend on mcountinhibit, nor counting on mcounteren
  li t0, IR; csrw mcountinhibit, t0
  li t0, -1; csrw mcounteren, t0
  ALLOWED(77, 0x800, instret)
  csrwi mcountinhibit, 0
  csrw mcounteren, zero
  csrr a1, minstret; nop; csrr a2, minstret
  sub a0, a2, a1; CHECK(78, a0, 2)
  // S-mode reads the shadow of the M counter: same count
  li t0, IR; csrw mcountinhibit, t0
  li t0, 0x123456; csrw minstret, t0
  li t0, IR; csrw mcounteren, t0
  EXPECT_TRAP(9f); GOTO(0x800, read_instret)
9: NO_TRAP; CHECK(79, s3, 0x123456)
  csrwi mcountinhibit, 0
  // menvcfg / senvcfg: only FIOM is implemented (no Zicbom/Zicboz/Svpbmt fields)
  li t0, -1; csrw menvcfg, t0; csrr a0, menvcfg; CHECK(80, a0, 1)
  csrw menvcfg, zero; csrr a0, menvcfg; CHECK(81, a0, 0)
  csrw senvcfg, t0; csrr a0, senvcfg; CHECK(82, a0, 1)
  li t0, -1; csrw mcounteren, t0
  DENIED(83, 0x800, menvcfg)
  ALLOWED(84, 0x800, senvcfg)
  DENIED(85, 0, senvcfg)
  j pass

skip:
  csrr t0, mepc; addi t0, t0, 4; csrw mepc, t0
  mret
read_instret:
  csrr s3, instret
  ecall
// One reader per CSR: read it, then ecall back (to s4's label).
#define READER(csr) try_##csr: csrr a0, csr; ecall
READER(cycle)
READER(time)
READER(instret)
READER(hpmcounter3)
READER(hpmcounter31)
READER(menvcfg)
READER(senvcfg)
TEST_END
