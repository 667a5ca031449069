/* Console output for the vp-vs-QEMU benchmarks: the virt board's ns16550 at 0x10000000
 * (polls LSR.THRE before each byte, as a real driver does). */
#include <stdint.h>

#define UART_THR ((volatile uint8_t*)0x10000000)
#define UART_LSR ((volatile uint8_t*)0x10000005)

static void put_char(char c) {
  while (!(*UART_LSR & 0x20)) {
  }
  *UART_THR = (uint8_t)c;
}
static void put_str(const char* s) {
  while (*s) put_char(*s++);
}
static void put_hex32(uint32_t v) {
  for (int i = 28; i >= 0; i -= 4) put_char("0123456789abcdef"[(v >> i) & 15]);
}
