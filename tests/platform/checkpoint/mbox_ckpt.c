/* Guest of the mailbox checkpoint test (check_mailbox_checkpoint.py,
 * docs/checkpoints.md): in 32 steps it reads 16 bytes of input.txt through
 * the mailbox's file services, mixes them into a checksum (some computing
 * between the requests, so a checkpoint lands mid-run), checks MEMSET and
 * MEMCMP, PRINTs a line and WRITEs it to output.txt. Then it reads
 * output.txt back, compares it with what it wrote and ends with the
 * mailbox's EXIT: 7 when every check passed, else the number of the check
 * that failed (10 + n). */
#include <stdint.h>

#include "mbox.h"

#define STEPS 32

static uint8_t chunk[16];
static uint8_t scratch[256];
static char line[32];
static char written[STEPS * 32];
static char back[STEPS * 32 + 16];

static void fail(unsigned n) {
  mbox(MBOX_EXIT, 10 + n, 0, 0, 0);
  for (;;) {
  }
}

static uint32_t mix(uint32_t x, unsigned rounds) {
  for (unsigned i = 0; i < rounds; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
  }
  return x;
}

static unsigned format(char *p, unsigned step, uint32_t sum) {
  static const char hex[] = "0123456789abcdef";
  const char head[] = "step ";
  unsigned n = 0;
  for (unsigned i = 0; head[i]; ++i) p[n++] = head[i];
  p[n++] = (char)('0' + step / 10);
  p[n++] = (char)('0' + step % 10);
  p[n++] = ' ';
  for (int s = 28; s >= 0; s -= 4) p[n++] = hex[(sum >> s) & 15];
  p[n++] = '\n';
  p[n] = 0;
  return n;
}

int main(void) {
  uint64_t in, out, r;
  if (mbox(MBOX_OPEN, (uintptr_t)"input.txt", 0, 0, &in)) fail(1);
  if (mbox(MBOX_OPEN, (uintptr_t)"output.txt", 1, 0, &out)) fail(2);
  uint32_t sum = 1;
  unsigned total = 0;
  for (unsigned step = 0; step < STEPS; ++step) {
    if (mbox(MBOX_READ, in, (uintptr_t)chunk, sizeof chunk, &r) || r != sizeof chunk) fail(3);
    for (unsigned i = 0; i < sizeof chunk; ++i) sum = sum * 31 + chunk[i];
    sum = mix(sum, 3000);
    if (mbox(MBOX_MEMSET, (uintptr_t)scratch, sum & 0xff, sizeof scratch, 0)) fail(4);
    if (mbox(MBOX_MEMCMP, (uintptr_t)scratch, (uintptr_t)scratch + 128, 128, &r) || r != 0) fail(5);
    const unsigned n = format(line, step, sum);
    mbox_print(line);
    if (mbox(MBOX_WRITE, out, (uintptr_t)line, n, &r) || r != n) fail(6);
    for (unsigned i = 0; i < n; ++i) written[total + i] = line[i];
    total += n;
  }
  if (mbox(MBOX_CLOSE, in, 0, 0, 0) || mbox(MBOX_CLOSE, out, 0, 0, 0)) fail(7);
  if (mbox(MBOX_OPEN, (uintptr_t)"output.txt", 0, 0, &in)) fail(8);
  if (mbox(MBOX_READ, in, (uintptr_t)back, sizeof back, &r) || r != total) fail(9);
  if (mbox(MBOX_MEMCMP, (uintptr_t)back, (uintptr_t)written, total, &r) || r != 0) fail(10);
  mbox(MBOX_CLOSE, in, 0, 0, 0);
  mbox_print("mbox_ckpt: output.txt read back ok\n");
  mbox(MBOX_EXIT, 7, 0, 0, 0);
  for (;;) {
  }
}
