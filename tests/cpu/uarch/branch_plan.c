/* Block-ending branches and jumps in the cases the in-order block schedules
 * time them (tests/cpu/identity/block_schedule.py compares every statistic
 * with one-at-a-time timing): a conditional branch right after the load of
 * its operand (load-use stall) or after a multiply (data stall), random
 * directions (mispredictions: wrong-path fetch from the cycle the branch was
 * fetched), blocks that are a single branch, indirect calls to random
 * targets (JALR mispredictions), more taken jumps than BTB entries
 * (decode redirects), a block whose first instruction waits for a
 * multiply in the block before it (a plan's guard), and a block that
 * overwrites the destination of a load still missing in the L1D (a plan's
 * early result must replace the pending one: BlockPlan::late_writes). */
#include "uarch.h"
#define N 20000
static uint8_t bits[N];
#define BIG (128 * 1024 / 8)
static uint64_t big[BIG];

#define FN(k) \
  static uint64_t __attribute__((noinline, aligned(64))) f##k(uint64_t x) { return x * 3 + k; }
FN(0) FN(1) FN(2) FN(3) FN(4) FN(5) FN(6) FN(7)
typedef uint64_t (*fn_t)(uint64_t);
static fn_t const table[8] = {f0, f1, f2, f3, f4, f5, f6, f7};

int main(void) {
  for (unsigned i = 0; i < N; i++) bits[i] = (rnd() >> 32) & 1;
  uint64_t s = 0;
  for (unsigned i = 0; i < N; i++) {
    uint64_t v, w;
    /* load-use: the branch waits one cycle for the loaded byte. The wrong
     * path either way starts 12 bytes before a line's end: its length (4
     * bytes a cycle from the cycle after the branch was fetched until the
     * redirect) decides whether it also fetches the next line. */
    __asm__ volatile(".option push\n\t.option norvc\n\tj 0f\n\t.balign 64\n\t.skip 44\n"
                     "0:\tlbu %1, 0(%2)\n\tbnez %1, 2f\n\tj 3f\n\t.balign 64\n\t.skip 52\n"
                     "2:\taddi %0, %0, 1\n3:\n\t.option pop"
                     : "+r"(s), "=&r"(v) : "r"(&bits[i]) : "memory");
    /* data stall: the branch waits two cycles for the multiply; the wrong
     * path starts 16 bytes before a line's end */
    const uint64_t r = rnd();
    __asm__ volatile(".option push\n\t.option norvc\n\tj 0f\n\t.balign 64\n\t.skip 40\n"
                     "0:\tmul %1, %2, %3\n\tbnez %1, 2f\n\tj 3f\n\t.balign 64\n\t.skip 48\n"
                     "2:\taddi %0, %0, 2\n3:\n\t.option pop"
                     : "+r"(s), "=&r"(w) : "r"((r >> 40) & 1), "r"((r >> 41) | 1));
    /* a block's first instruction reads a multiply's result from the block
     * before it (ended by a jump): the plan's guard holds it back (data stall) */
    __asm__ volatile("mul %1, %2, %3\n\tj 1f\n1:\tadd %0, %0, %1" : "+r"(s), "=&r"(w) : "r"(r), "r"(r >> 7));
    /* 2: starts a block of one branch (the target of the first branch) */
    __asm__ volatile("beqz %1, 2f\n\tj 3f\n2:\tbnez %2, 3f\n\taddi %0, %0, 4\n3:"
                     : "+r"(s) : "r"((r >> 42) & 1), "r"((r >> 43) & 1));
    /* the load misses (4 KiB apart: more lines than the L1D holds); the next
     * block overwrites its destination while the miss is outstanding, and the
     * one after that reads it: no stall */
    __asm__ volatile("ld %1, 0(%2)\n\tj 1f\n1:\tli %1, 5\n\tj 2f\n2:\tadd %0, %0, %1"
                     : "+r"(s), "=&r"(w) : "r"(&big[(i * 512 + (i >> 5) * 8) % BIG]) : "memory");
    s = table[(r >> 50) & 7](s);
    if ((r & 0xff) == 0) s = f0(f1(f2(f3(f4(f5(f6(f7(s))))))));
  }
  /* More taken jumps than BTB entries, each a block of its own: decode redirects. */
  for (unsigned k = 0; k < 16; k++) __asm__ volatile(".rept 1024\n\tj 1f\n\tnop\n1:\n\t.endr");
  put_hex(s);
  return 0;
}
