/* Checkpoint test program: prints through the ns16550 UART while it works over
 * sparse memory, floating point and M-mode traps, then exits through HTIF with
 * code 7. Its output and instruction count must be the same whether or not the
 * run went through a checkpoint. */
#include <stdint.h>

extern volatile uint64_t tohost;
#define UART ((volatile uint8_t*)0x10000000)

static void put(char c) {
  while (!(UART[5] & 0x20)) {
  }
  UART[0] = (uint8_t)c;
}
static void puts_(const char* s) {
  while (*s) put(*s++);
}
static void put_hex(uint64_t v) {
  for (int i = 60; i >= 0; i -= 4) put("0123456789abcdef"[(v >> i) & 15]);
}

/* Pages spread over 4 MiB: only the touched ones go into the checkpoint. */
static uint8_t arena[4 << 20] __attribute__((aligned(4096)));
static volatile uint64_t traps;

__attribute__((interrupt("machine"), aligned(4))) static void handler(void) {
  uint64_t epc;
  __asm__ volatile("csrr %0, mepc" : "=r"(epc));
  __asm__ volatile("csrw mepc, %0" ::"r"(epc + 4));
  ++traps;
}

int main(void) {
  __asm__ volatile("csrw mtvec, %0" ::"r"((uintptr_t)&handler));
  __asm__ volatile("csrs mstatus, %0" ::"r"(1ull << 13));  /* FS = initial: FP on */
  double acc = 1.0;
  uint64_t sum = 0;
  for (int round = 0; round < 24; ++round) {
    for (uint64_t page = 0; page < 64; ++page) {
      uint64_t* p = (uint64_t*)(arena + ((page * 37 + (uint64_t)round) % 1024) * 4096);
      for (int i = 0; i < 512; ++i) {
        p[i] = p[i] * 6364136223846793005ull + (uint64_t)(i + round);
        sum += p[i] >> 13;
      }
      acc = acc * 1.0000001 + (double)(sum & 0xff) * 1e-9;
    }
    __asm__ volatile("csrw mscratch, %0" ::"r"(sum));
    __asm__ volatile("ecall");
    uint64_t scratch;
    __asm__ volatile("csrr %0, mscratch" : "=r"(scratch));
    puts_("round ");
    put_hex((uint64_t)round);
    puts_(" sum ");
    put_hex(scratch);
    puts_(" fp ");
    put_hex((uint64_t)(acc * 1e6));
    puts_(" traps ");
    put_hex(traps);
    put('\n');
  }
  return 7;
}
