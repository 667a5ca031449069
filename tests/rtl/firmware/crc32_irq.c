/* Firmware on the RISC-V hart driving the Verilated CRC-32 peripheral
 * (configs/rtl-crc32.yaml): the CRC of a buffer through the RTL, polled and
 * then interrupt driven through the PLIC (claim/complete), compared with a
 * software CRC-32; results printed and buffers compared through the vhost
 * mailbox. main's return value is the exit code (0: pass). */
#include <stdint.h>

#include "mbox.h"

#define CRC_BASE   0x10010000UL
#define PLIC_BASE  0x0c000000UL
#define CRC_IRQ    12

#define CRC_CTRL   0x00
#define CRC_DATA   0x04
#define CRC_RESULT 0x08
#define CRC_STATUS 0x0c
#define CRC_ID     0x10
#define CRC_COUNT  0x14

#define PLIC_PRIORITY(n) (PLIC_BASE + 4 * (n))
#define PLIC_PENDING     (PLIC_BASE + 0x1000)
#define PLIC_ENABLE0     (PLIC_BASE + 0x2000)   /* context 0: M-mode of hart 0 */
#define PLIC_THRESHOLD0  (PLIC_BASE + 0x200000)
#define PLIC_CLAIM0      (PLIC_BASE + 0x200004)

#define REG32(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define REG64(a) (*(volatile uint64_t *)(uintptr_t)(a))
#define REG8(a)  (*(volatile uint8_t *)(uintptr_t)(a))

/* The compiler may call these for copies and clears. */
void *memset(void *d, int c, unsigned long n) {
  uint8_t *p = d;
  while (n--) *p++ = (uint8_t)c;
  return d;
}
void *memcpy(void *d, const void *s, unsigned long n) {
  uint8_t *p = d;
  const uint8_t *q = s;
  while (n--) *p++ = *q++;
  return d;
}

static uint32_t sw_crc32(const uint8_t *p, unsigned n) {
  uint32_t c = 0xffffffffu;
  for (unsigned i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0xedb88320u : c >> 1;
  }
  return ~c;
}

/* ---- interrupts ---- */
static volatile unsigned irq_count;
static volatile uint32_t irq_result, bad_claim, bad_cause;

void __attribute__((interrupt("machine"), aligned(4))) trap_handler(void) {
  uint64_t cause;
  __asm__ volatile("csrr %0, mcause" : "=r"(cause));
  if (cause != ((1ull << 63) | 11)) {  /* only machine external interrupts expected */
    bad_cause = (uint32_t)cause | 0x80000000u;
    __asm__ volatile("csrc mie, %0" ::"r"(1ul << 11));
    return;
  }
  const uint32_t id = REG32(PLIC_CLAIM0);
  if (id == CRC_IRQ) {
    irq_result = REG32(CRC_BASE + CRC_RESULT);
    REG32(CRC_BASE + CRC_STATUS) = 2;  /* W1C done: the RTL drops its interrupt */
    ++irq_count;
  } else {
    bad_claim = id ? id : 0xffffffffu;
  }
  REG32(PLIC_CLAIM0) = id;  /* complete */
}

static void feed(const uint8_t *p, unsigned n) {
  unsigned i = 0;
  for (; i + 4 <= n; i += 4)
    REG32(CRC_BASE + CRC_DATA) = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
                                 (uint32_t)p[i + 3] << 24;
  for (; i < n; ++i) REG8(CRC_BASE + CRC_DATA) = p[i];  /* one byte lane: strobe 0001 */
}

#define N 259
static uint8_t buf[N];

int main(void) {
  if (sw_crc32((const uint8_t *)"123456789", 9) != 0xcbf43926u) return 1;
  uint32_t x = 12345;
  for (unsigned i = 0; i < N; ++i) {
    x = x * 1103515245u + 12345u;
    buf[i] = (uint8_t)(x >> 16);
  }
  const uint32_t want = sw_crc32(buf, N);
  if (REG32(CRC_BASE + CRC_ID) != 0x43524332u) return 2;

  /* Polled. */
  REG32(CRC_BASE + CRC_CTRL) = 1;  /* reset the CRC, interrupt off */
  feed(buf, N);
  while (REG32(CRC_BASE + CRC_STATUS) & 1) {}
  if (REG32(CRC_BASE + CRC_RESULT) != want) return 3;
  if (REG32(CRC_BASE + CRC_COUNT) != N) return 4;

  /* Interrupt driven: PLIC source 12 to context 0 (M-mode), then MEIE. */
  REG32(PLIC_PRIORITY(CRC_IRQ)) = 1;
  REG32(PLIC_ENABLE0) = 1u << CRC_IRQ;
  REG32(PLIC_THRESHOLD0) = 0;
  __asm__ volatile("csrw mtvec, %0" ::"r"(&trap_handler));
  __asm__ volatile("csrs mie, %0" ::"r"(1ul << 11));
  REG32(CRC_BASE + CRC_CTRL) = 1;  /* reset (clears done) */
  feed(buf, N);
  REG32(CRC_BASE + CRC_CTRL) = 2;  /* interrupt enable: raised once the engine is done */
  for (unsigned spins = 0; spins < 100000; ++spins) {
    __asm__ volatile("csrc mstatus, 8");  /* MIE off: no lost wake-up between test and wfi */
    if (irq_count || bad_cause) break;
    __asm__ volatile("wfi");
    __asm__ volatile("csrs mstatus, 8");  /* a pending interrupt is taken here */
  }
  __asm__ volatile("csrs mstatus, 8");
  if (bad_cause) return 20;
  if (irq_count != 1) return 5;
  if (irq_result != want) return 6;
  if (bad_claim) return 7;
  if (REG32(PLIC_PENDING) & (1u << CRC_IRQ)) return 8;
  for (volatile int i = 0; i < 1000; ++i) {}
  if (irq_count != 1) return 9;  /* the level dropped with W1C: no second interrupt */

  /* The mailbox: the RTL's result checked by the platform too. */
  static uint32_t got[1];
  got[0] = irq_result;
  static uint32_t ref[1];
  ref[0] = want;
  uint64_t r = 1;
  if (mbox(5, (uintptr_t)got, (uintptr_t)ref, 4, &r) != 0 || r != 0) return 10;
  if (mbox(0x77, 0, 0, 0, 0) != 1) return 11;  /* unknown command: BadCommand */
  mbox_print("crc32 firmware: RTL CRC-32 and interrupt ok\n");
  return 0;
}
