// Bare-metal RISC-V firmware driving pvm.core (configs/virt-pvm.yaml): loads the PVM program
// (pvm_program.h, made with libpvm's assembler) from its own image, maps one PVM page onto the
// RAM window, starts the PVM and services its host calls when its interrupt reaches the PLIC
// (claimed and completed in M-mode context 0): "fetch" (2) writes 16 bytes into PVM memory
// through the window, "log" (1) prints PVM memory to the UART. Then it checks the result
// registers and PVM memory. Exit code (HTIF): 0 pass, else the number of the failed check.
#include <stdint.h>

#include "pvm_program.h"

#define UART 0x10000000ul
#define PVM 0x10010000ul
#define WINDOW 0x84000000ul
#define PLIC 0x0c000000ul
#define PVM_IRQ 11

enum {
  ID = 0x00, STATUS = 0x04, COMMAND = 0x08, HOST_INDEX = 0x0C, PROG_ADDR = 0x10, PROG_LEN = 0x18, ENTRY_PC = 0x1C,
  GAS = 0x20, PC = 0x28, FAULT_ADDR = 0x2C, IRQ_ENABLE = 0x30, IRQ_STATUS = 0x34, MAP_ADDR = 0x38, MAP_LEN = 0x3C,
  MAP_ACCESS = 0x40, ERROR = 0x44, GAS_USED = 0x48, REGS = 0x100,
};
enum { S_IDLE = 0, S_RUNNING = 1, S_HALT = 2, S_PAGE_FAULT = 5, S_HOST_CALL = 6, S_FAILED = 7 };
enum { C_LOAD = 1, C_MAP = 2, C_START = 3, C_RESUME = 4 };

static inline void w32(uintptr_t a, uint32_t v) { *(volatile uint32_t*)a = v; }
static inline uint32_t r32(uintptr_t a) { return *(volatile uint32_t*)a; }
static inline void w64(uintptr_t a, uint64_t v) { *(volatile uint64_t*)a = v; }
static inline uint64_t r64(uintptr_t a) { return *(volatile uint64_t*)a; }

static void putc_(char c) {
  while (!(*(volatile uint8_t*)(UART + 5) & 0x20)) {
  }
  *(volatile uint8_t*)UART = (uint8_t)c;
}
static void puts_(const char* s) {
  while (*s) putc_(*s++);
}

static void puthex(const char* what, uint64_t v) {
  puts_(what);
  for (int i = 60; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 15]);
  putc_('\n');
}

static const char kFetched[17] = "PVM fetch data!!";

int main(void) {
  if (r32(PVM + ID) != 0x314D5650) return 1;
  // PLIC: source 11 priority 1, enabled for context 0 (M-mode), threshold 0.
  w32(PLIC + 4 * PVM_IRQ, 1);
  w32(PLIC + 0x2000, 1u << PVM_IRQ);
  w32(PLIC + 0x200000, 0);

  // A malformed program is refused with a reason, not run.
  w64(PVM + PROG_ADDR, (uintptr_t)kFetched);
  w32(PVM + PROG_LEN, 16);
  w32(PVM + COMMAND, C_LOAD);
  if (r32(PVM + STATUS) != S_FAILED || r32(PVM + ERROR) != 1) return 15;
  w32(PVM + COMMAND, C_START);
  if (r32(PVM + ERROR) != 3) return 16;  // not loaded

  w64(PVM + PROG_ADDR, (uintptr_t)pvm_program);
  w32(PVM + PROG_LEN, sizeof pvm_program);
  w32(PVM + COMMAND, C_LOAD);
  if (r32(PVM + ERROR) != 0 || r32(PVM + STATUS) != S_IDLE) return 2;
  w32(PVM + MAP_ADDR, 0x10000);
  w32(PVM + MAP_LEN, 0x1000);
  w32(PVM + MAP_ACCESS, 3);
  w32(PVM + COMMAND, C_MAP);
  if (r32(PVM + ERROR) != 0) return 3;
  w32(PVM + MAP_ADDR, 0x10001);  // not page aligned: refused
  w32(PVM + COMMAND, C_MAP);
  if (r32(PVM + ERROR) == 0) return 4;

  w64(PVM + REGS + 8 * 0, 0xFFFF0000u);  // r0: returning halts
  w32(PVM + ENTRY_PC, 0);
  w64(PVM + GAS, 1000000);
  w32(PVM + IRQ_ENABLE, 1);
  w32(PVM + COMMAND, C_START);
  if (r32(PVM + STATUS) != S_RUNNING) return 5;

  unsigned fetches = 0, logs = 0, faults = 0;
  for (;;) {
    uint32_t claim;
    while ((claim = r32(PLIC + 0x200004)) == 0) {  // wait for the PVM's interrupt
    }
    if (claim != PVM_IRQ) return 6;
    const uint32_t status = r32(PVM + STATUS);
    w32(PVM + IRQ_STATUS, 1);  // acknowledge at the device, then complete at the PLIC
    w32(PLIC + 0x200004, claim);
    if (status == S_HALT) break;
    if (status == S_PAGE_FAULT) {  // map the page the PVM touched (read-write), then retry
      if (r32(PVM + FAULT_ADDR) != 0x11000 || r32(PVM + PC) == 0) return 17;
      w32(PVM + MAP_ADDR, 0x11000);
      w32(PVM + MAP_LEN, 0x1000);
      w32(PVM + MAP_ACCESS, 3);
      w32(PVM + COMMAND, C_MAP);
      w32(PVM + COMMAND, C_RESUME);
      ++faults;
      continue;
    }
    if (status != S_HOST_CALL) return 7;
    const uint64_t addr = r64(PVM + REGS + 8 * 7), len = r64(PVM + REGS + 8 * 8);
    if (addr < 0x10000 || len > 0x1000 || addr + len > 0x11000) {  // the mapped page
      puthex("bad host-call address ", addr);
      puthex("length ", len);
      puthex("pc ", r32(PVM + PC));
      return 8;
    }
    volatile uint8_t* p = (volatile uint8_t*)(WINDOW + addr);
    switch (r32(PVM + HOST_INDEX)) {
      case 2:  // fetch: into PVM memory through the window
        for (unsigned i = 0; i < len && i < 16; ++i) p[i] = (uint8_t)kFetched[i];
        w64(PVM + REGS + 8 * 7, 16);
        ++fetches;
        break;
      case 1:  // log
        puts_("pvm log: ");
        for (unsigned i = 0; i < len; ++i) putc_((char)p[i]);
        putc_('\n');
        ++logs;
        break;
      default: return 9;
    }
    w32(PVM + COMMAND, C_RESUME);
  }
  if (fetches != 1 || logs != 1 || faults != 1) return 10;
  uint64_t lo = 0, hi = 0;
  for (int i = 0; i < 8; ++i) {
    lo |= (uint64_t)(uint8_t)kFetched[i] << (8 * i);
    hi |= (uint64_t)(uint8_t)kFetched[8 + i] << (8 * i);
  }
  if (r64(PVM + REGS + 8 * 7) != lo + hi) return 11;
  if (r64(PVM + REGS + 8 * 8) != 450015000ull) return 12;               // 1 + ... + 30000
  if (*(volatile uint64_t*)(WINDOW + 0x10010) != 450015000ull) return 13;  // the PVM's stores
  if (*(volatile uint64_t*)(WINDOW + 0x11008) != 450015000ull) return 18;
  const uint64_t used = r64(PVM + GAS_USED);
  if (used < 90000 || used > 90100 || r64(PVM + GAS) != 1000000 - used) return 14;
  puts_("pvm firmware: ok\n");
  return 0;
}
