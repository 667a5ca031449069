// Bare-metal RISC-V firmware driving pvm.core (configs/virt-pvm.yaml), interrupt-driven: the
// PVM's interrupt (PLIC source 11) traps to an M-mode handler (mtvec, machine external
// interrupt), which claims it at the PLIC, services the stop and completes the claim; main sleeps
// in WFI meanwhile and never reads the claim register.
//  1. loads the PVM program (pvm_program.h, made with libpvm's assembler) from its own image, maps
//     one PVM page onto the RAM window and starts the PVM. The handler services its host calls,
//     "fetch" (2: writes 16 bytes into PVM memory through the window) and "log" (1: prints PVM
//     memory to the UART), and a page fault (maps the page, resumes). Then main checks the result
//     registers and PVM memory.
//  2. loads a GP A.7 standard program (pvm_layout_program): LOAD places its layout in the window
//     (read-only data read-only, read-write data read-write, initial bytes copied); its write to
//     the read-only data stops it with a page fault at 0x10000 and changes nothing; started again
//     at its second entry it touches a gap of the layout (a page fault at 0x40000), which the
//     handler maps and fills before resuming.
//  3. loads a standard program with 16 bytes of arguments (ARGS_ADDR/ARGS_LEN): the region
//     registers give each layout region's window offset (arguments at the top of the window, the
//     stack below them, data and heap at offset = PVM address); the arguments are in the window
//     and r7/r8/r1 as GP A.7 sets them. The program sums the arguments, pushes values on its
//     stack, grows its heap with sbrk and stores there; at its host call 3 the handler reads the
//     pushed values and the heap value through the window and writes replies into both, which
//     the program adds up. Then: a program too big for the window is refused (ERROR 6), and
//     arguments for a bare A.2 program too (ERROR 7).
// Exit code (HTIF): 0 pass, else the number of the failed check.
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
  MAP_ACCESS = 0x40, ERROR = 0x44, GAS_USED = 0x48, PROG_FORMAT = 0x50, ARGS_LEN = 0x54, ARGS_ADDR = 0x58,
  REGION = 0x60, HEAP_POINTER = 0xA0, REGS = 0x100,
};
// REGION + 16 * i (0 read-only data, 1 read-write data and heap, 2 stack, 3 arguments) + field.
enum { R_RO = 0, R_RW = 1, R_STACK = 2, R_ARGS = 3 };
enum { F_ADDR = 0, F_SIZE = 4, F_OFFSET = 8, F_ACCESS = 12 };
enum { S_IDLE = 0, S_RUNNING = 1, S_HALT = 2, S_PAGE_FAULT = 5, S_HOST_CALL = 6, S_FAILED = 7 };
enum { C_LOAD = 1, C_MAP = 2, C_START = 3, C_RESUME = 4 };

static inline void w32(uintptr_t a, uint32_t v) { *(volatile uint32_t*)a = v; }
static inline uint32_t r32(uintptr_t a) { return *(volatile uint32_t*)a; }
static inline void w64(uintptr_t a, uint64_t v) { *(volatile uint64_t*)a = v; }
static inline uint64_t r64(uintptr_t a) { return *(volatile uint64_t*)a; }
static inline uint32_t region(unsigned i, unsigned field) { return r32(PVM + REGION + 16 * i + field); }
// The platform address of PVM address a inside layout region i.
static inline uintptr_t window_of(unsigned i, uint64_t a) {
  return WINDOW + region(i, F_OFFSET) + (uintptr_t)(a - region(i, F_ADDR));
}

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
static const char kArgs[17] __attribute__((aligned(8))) = "PVM args: hello!";

extern volatile uint64_t tohost;
static void fail(unsigned code) {  // from the handler: end the run at once through HTIF
  tohost = ((uint64_t)code << 1) | 1;
  for (;;) {
  }
}

#define CSR_SET(csr, bits) __asm__ volatile("csrs " #csr ", %0" ::"r"(bits))
#define CSR_CLEAR(csr, bits) __asm__ volatile("csrc " #csr ", %0" ::"r"(bits))
#define MSTATUS_MIE 8u
#define MSTATUS_FS_INITIAL (1u << 13)
#define MIE_MEIE (1u << 11)

// State shared with the interrupt handler.
static volatile int phase;              // 1: the first program, 2: the layout program, 3: arguments
static volatile uint32_t stop;          // a stop left for main (status; 0: none yet)
static volatile unsigned fetches, logs, faults, interrupts;

// Services one stop of the PVM in phase 1: host calls and the page fault are answered here
// (then RESUME); a halt (or anything else) goes to main.
static int service_program(uint32_t status) {
  if (status == S_PAGE_FAULT) {  // map the page the PVM touched (read-write), then retry
    if (r32(PVM + FAULT_ADDR) != 0x11000 || r32(PVM + PC) == 0) fail(17);
    w32(PVM + MAP_ADDR, 0x11000);
    w32(PVM + MAP_LEN, 0x1000);
    w32(PVM + MAP_ACCESS, 3);
    w32(PVM + COMMAND, C_MAP);
    ++faults;
    return 1;
  }
  if (status != S_HOST_CALL) return 0;
  const uint64_t addr = r64(PVM + REGS + 8 * 7), len = r64(PVM + REGS + 8 * 8);
  if (addr < 0x10000 || len > 0x1000 || addr + len > 0x11000) {  // the mapped page
    puthex("bad host-call address ", addr);
    puthex("length ", len);
    puthex("pc ", r32(PVM + PC));
    fail(8);
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
    default: fail(9);
  }
  return 1;
}

// Phase 2: the page fault in the layout's gap is mapped and its page filled (41), then resumed.
static int service_layout(uint32_t status) {
  if (status != S_PAGE_FAULT || r32(PVM + FAULT_ADDR) != 0x40000) return 0;
  w32(PVM + MAP_ADDR, 0x40000);
  w32(PVM + MAP_LEN, 0x1000);
  w32(PVM + MAP_ACCESS, 3);
  w32(PVM + COMMAND, C_MAP);
  if (r32(PVM + ERROR) != 0) fail(30);
  *(volatile uint64_t*)(WINDOW + 0x40000) = 41;
  ++faults;
  return 1;
}

// Phase 3: host call 3 ("inspect"). The program pushed [SP+8] = the arguments' sum and [SP] = their
// length, and stored the sum at its sbrk'd heap (r12 + 0x1008): read all through the window, then
// reply 0x5EED into the heap (r12 + 0x10) and 0xCAFE over [SP].
static uint64_t args_sum;
static int service_args(uint32_t status) {
  if (status != S_HOST_CALL || r32(PVM + HOST_INDEX) != 3) return 0;
  const uint64_t sp = r64(PVM + REGS + 8 * 1), heap = r64(PVM + REGS + 8 * 12);
  if (sp != 0xFEFE0000u - 16) fail(50);
  if (sp - region(R_STACK, F_ADDR) >= region(R_STACK, F_SIZE)) fail(51);
  const uintptr_t stack = window_of(R_STACK, sp);
  if (*(volatile uint64_t*)(stack + 8) != args_sum || *(volatile uint64_t*)stack != 16) fail(52);
  // The heap grew by sbrk: two pages after the read-write data, in the read-write region's slice.
  if (heap != 0x31000 || r32(PVM + HEAP_POINTER) != 0x33000) fail(53);
  if (heap + 0x2000 - region(R_RW, F_ADDR) > region(R_RW, F_SIZE)) fail(54);
  const uintptr_t h = window_of(R_RW, heap);
  if (h != WINDOW + heap || *(volatile uint64_t*)(h + 0x1008) != args_sum) fail(55);
  *(volatile uint64_t*)(h + 0x10) = 0x5EED;
  *(volatile uint64_t*)stack = 0xCAFE;
  ++fetches;
  return 1;
}

// The machine-external-interrupt handler: claim, acknowledge at the device, service, complete.
__attribute__((interrupt("machine"), aligned(4))) void trap_handler(void) {
  uint64_t cause;
  __asm__ volatile("csrr %0, mcause" : "=r"(cause));
  if (cause != ((1ull << 63) | 11)) fail(20);  // only the machine external interrupt is expected
  const uint32_t claim = r32(PLIC + 0x200004);
  if (claim != PVM_IRQ) fail(6);
  ++interrupts;
  const uint32_t status = r32(PVM + STATUS);
  w32(PVM + IRQ_STATUS, 1);
  const int resumed = phase == 1   ? service_program(status)
                      : phase == 2 ? service_layout(status)
                                   : service_args(status);
  if (resumed) {
    w32(PVM + COMMAND, C_RESUME);
    if (r32(PVM + ERROR) != 0) fail(21);
  } else {
    stop = status;
  }
  w32(PLIC + 0x200004, claim);
}

// Sleeps until the handler leaves a stop for main. Interrupts are off while the flag is checked
// (so none slips in between the check and WFI); WFI wakes on the pending interrupt regardless.
static uint32_t wait_stop(void) {
  for (;;) {
    CSR_CLEAR(mstatus, MSTATUS_MIE);
    const uint32_t s = stop;
    if (s) {
      stop = 0;
      CSR_SET(mstatus, MSTATUS_MIE);
      return s;
    }
    __asm__ volatile("wfi");
    CSR_SET(mstatus, MSTATUS_MIE);  // the handler runs here
  }
}

static int layout_test(void) {
  phase = 2;
  w64(PVM + PROG_ADDR, (uintptr_t)pvm_layout_program);
  w32(PVM + PROG_LEN, sizeof pvm_layout_program);
  w32(PVM + PROG_FORMAT, 2);  // GP A.7 standard program
  w32(PVM + COMMAND, C_LOAD);
  if (r32(PVM + ERROR) != 0 || r32(PVM + STATUS) != S_IDLE) return 31;
  if (r64(PVM + REGS + 8 * 0) != 0xFFFF0000u) return 32;  // registers as the layout sets them
  // The layout's initial bytes are in the window: read-only data at 0x10000, read-write at 0x30000.
  if (*(volatile uint64_t*)(WINDOW + 0x10000) != 0x2161746164204f52ull) return 33;  // "RO data!"
  if (*(volatile uint64_t*)(WINDOW + 0x30000) != 0x2161746164205752ull) return 34;  // "RW data!"
  w32(PVM + ENTRY_PC, 0);
  w64(PVM + GAS, 1000);
  w32(PVM + COMMAND, C_START);
  // The write to the read-only data: a page fault at its page, reported, nothing written.
  if (wait_stop() != S_PAGE_FAULT || r32(PVM + FAULT_ADDR) != 0x10000) return 35;
  if (r32(PVM + PC) == 0) return 36;
  if (*(volatile uint64_t*)(WINDOW + 0x10008) != 0) return 37;
  if (*(volatile uint64_t*)(WINDOW + 0x30008) != 0x2161746164204f52ull) return 38;  // the RW write landed
  // The second entry touches the gap at 0x40000: the handler maps it and resumes; then a halt.
  w32(PVM + ENTRY_PC, PVM_LAYOUT_GAP_PC);
  w32(PVM + COMMAND, C_START);
  if (wait_stop() != S_HALT) return 39;
  if (r64(PVM + REGS + 8 * 9) != 42 || *(volatile uint64_t*)(WINDOW + 0x40008) != 42) return 40;
  return 0;
}

static int args_test(void) {
  phase = 3;
  args_sum = 0;
  for (int i = 0; i < 8; ++i)
    args_sum += ((uint64_t)(uint8_t)kArgs[i] << (8 * i)) + ((uint64_t)(uint8_t)kArgs[8 + i] << (8 * i));
  w64(PVM + PROG_ADDR, (uintptr_t)pvm_args_program);
  w32(PVM + PROG_LEN, sizeof pvm_args_program);
  w32(PVM + PROG_FORMAT, 2);
  w64(PVM + ARGS_ADDR, (uintptr_t)kArgs);
  w32(PVM + ARGS_LEN, 16);
  w32(PVM + COMMAND, C_LOAD);
  if (r32(PVM + ERROR) != 0 || r32(PVM + STATUS) != S_IDLE) return 60;
  // GP A.7 registers: r0 halt address, r1 stack top, r7 the arguments' address, r8 their length.
  if (r64(PVM + REGS + 8 * 0) != 0xFFFF0000u || r64(PVM + REGS + 8 * 1) != 0xFEFE0000u ||
      r64(PVM + REGS + 8 * 7) != 0xFEFF0000u || r64(PVM + REGS + 8 * 8) != 16)
    return 61;
  // The region map in a 16 MiB window: arguments (one page) at the top, the stack (8 KiB) below,
  // the data and heap at offset = PVM address, the heap region ending at the stack's offset.
  if (region(R_ARGS, F_ADDR) != 0xFEFF0000u || region(R_ARGS, F_SIZE) != 0x1000 ||
      region(R_ARGS, F_OFFSET) != 0xFFF000 || region(R_ARGS, F_ACCESS) != 1)
    return 62;
  if (region(R_STACK, F_ADDR) != 0xFEFDE000u || region(R_STACK, F_SIZE) != 0x2000 ||
      region(R_STACK, F_OFFSET) != 0xFFD000 || region(R_STACK, F_ACCESS) != 3)
    return 63;
  if (region(R_RW, F_ADDR) != 0x30000 || region(R_RW, F_OFFSET) != 0x30000 ||
      region(R_RW, F_SIZE) != 0xFFD000 - 0x30000 || region(R_RO, F_OFFSET) != 0x10000 || region(R_RO, F_ACCESS) != 1)
    return 64;
  if (r32(PVM + HEAP_POINTER) != 0x31000) return 65;
  for (int i = 0; i < 16; ++i)  // the arguments are in the window
    if (*(volatile uint8_t*)(window_of(R_ARGS, 0xFEFF0000u + i)) != (uint8_t)kArgs[i]) return 66;
  w32(PVM + ENTRY_PC, 0);
  w64(PVM + GAS, 1000);
  w32(PVM + COMMAND, C_START);
  if (wait_stop() != S_HALT || fetches != 2) return 67;  // host call 3 in the handler
  if (r64(PVM + REGS + 8 * 9) != args_sum) return 68;
  if (r64(PVM + REGS + 8 * 7) != 0x5EED + 0xCAFE) return 69;  // the program saw the handler's writes
  if (*(volatile uint64_t*)(window_of(R_STACK, 0xFEFE0000u - 8)) != args_sum) return 70;

  // Too big for the window: refused with ERROR 6 (no fit), nothing loaded.
  w64(PVM + PROG_ADDR, (uintptr_t)pvm_nofit_program);
  w32(PVM + PROG_LEN, sizeof pvm_nofit_program);
  w32(PVM + ARGS_LEN, 0);
  w32(PVM + COMMAND, C_LOAD);
  if (r32(PVM + STATUS) != S_FAILED || r32(PVM + ERROR) != 6 || region(R_STACK, F_SIZE) != 0) return 71;
  // Arguments for a bare A.2 program: ERROR 7.
  w64(PVM + PROG_ADDR, (uintptr_t)pvm_program);
  w32(PVM + PROG_LEN, sizeof pvm_program);
  w32(PVM + PROG_FORMAT, 1);
  w32(PVM + ARGS_LEN, 16);
  w32(PVM + COMMAND, C_LOAD);
  if (r32(PVM + STATUS) != S_FAILED || r32(PVM + ERROR) != 7) return 72;
  w32(PVM + ARGS_LEN, 0);
  return 0;
}

int main(void) {
  if (r32(PVM + ID) != 0x314D5650) return 1;
  // PLIC: source 11 priority 1, enabled for context 0 (M-mode), threshold 0; the hart takes the
  // machine external interrupt in trap_handler.
  w32(PLIC + 4 * PVM_IRQ, 1);
  w32(PLIC + 0x2000, 1u << PVM_IRQ);
  w32(PLIC + 0x200000, 0);
  // The handler saves the FP registers too (it calls functions; -march=rv64gc): the FPU must be
  // on (mstatus.FS = initial) or its first FP store traps again.
  CSR_SET(mstatus, MSTATUS_FS_INITIAL);
  __asm__ volatile("csrw mtvec, %0" ::"r"((uintptr_t)&trap_handler));
  CSR_SET(mie, MIE_MEIE);
  CSR_SET(mstatus, MSTATUS_MIE);

  // A malformed program is refused with a reason, not run.
  w64(PVM + PROG_ADDR, (uintptr_t)kFetched);
  w32(PVM + PROG_LEN, 16);
  w32(PVM + COMMAND, C_LOAD);
  if (r32(PVM + STATUS) != S_FAILED || r32(PVM + ERROR) != 1) return 15;
  w32(PVM + COMMAND, C_START);
  if (r32(PVM + ERROR) != 3) return 16;  // not loaded

  phase = 1;
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

  if (wait_stop() != S_HALT) return 7;  // host calls and the page fault: in the handler
  if (fetches != 1 || logs != 1 || faults != 1 || interrupts != 4) return 10;
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

  const int layout = layout_test();
  if (layout) return layout;
  if (faults != 2 || interrupts != 7) return 41;
  const int args = args_test();
  if (args) return args;
  if (interrupts != 9) return 42;
  puts_("pvm firmware: ok\n");
  return 0;
}
