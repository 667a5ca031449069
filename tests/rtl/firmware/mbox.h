/* The vhost mailbox from firmware (docs/rtl.md): a request block, its address
 * in REQUEST, DOORBELL rung; the platform serves the request before the
 * doorbell store completes. */
#ifndef VP_TEST_MBOX_H
#define VP_TEST_MBOX_H
#include <stdint.h>

#define MBOX_BASE 0x10012000UL
#define MBOX_REQUEST (MBOX_BASE + 0x08)
#define MBOX_DOORBELL (MBOX_BASE + 0x10)

enum { MBOX_EXIT = 1, MBOX_PRINT = 2, MBOX_MEMMOVE = 3, MBOX_MEMSET = 4, MBOX_MEMCMP = 5, MBOX_CALL = 6,
       MBOX_OPEN = 7, MBOX_READ = 8, MBOX_WRITE = 9, MBOX_CLOSE = 10 };

struct mbox_req {
  uint32_t command;
  volatile uint32_t status;
  volatile uint64_t result;
  uint64_t arg[6];
} __attribute__((aligned(64)));

static struct mbox_req mbox_block;

static inline uint32_t mbox4(uint32_t command, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                             uint64_t *result) {
  mbox_block.command = command;
  mbox_block.status = 0xffffffffu;
  mbox_block.arg[0] = a0;
  mbox_block.arg[1] = a1;
  mbox_block.arg[2] = a2;
  mbox_block.arg[3] = a3;
  *(volatile uint64_t *)MBOX_REQUEST = (uint64_t)(uintptr_t)&mbox_block;
  __asm__ volatile("fence" ::: "memory");
  *(volatile uint32_t *)MBOX_DOORBELL = 1;
  if (result) *result = mbox_block.result;
  return mbox_block.status;
}

static inline uint32_t mbox(uint32_t command, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t *result) {
  return mbox4(command, a0, a1, a2, 0, result);
}

static inline unsigned mbox_strlen(const char *s) {
  unsigned n = 0;
  while (s[n]) ++n;
  return n;
}

static inline void mbox_print(const char *s) { mbox(MBOX_PRINT, (uintptr_t)s, mbox_strlen(s), 0, 0); }

/* CALL by name (id 0 then) or by number (name NULL). */
static inline uint32_t mbox_call(const char *name, uint32_t id, const uint64_t *argv, unsigned argc,
                                 uint64_t *result) {
  return mbox4(MBOX_CALL, id, (uintptr_t)argv, argc, (uintptr_t)name, result);
}
#endif
