/* Firmware for the Python callback test (tests/rtl/python/test_mailbox_call.py):
 * mailbox CALLs by name and by number reach functions registered with
 * vp.mailbox.register; their results, their writes into guest memory and
 * their error statuses come back here. main's return value is the exit code
 * (0: every check passed; N: check N failed). */
#include <stdint.h>

#include "mbox.h"

static char greeting[32] = "hello, python";
static char shout[32];

int main(void) {
  uint64_t r = 0;
  static const uint64_t three[] = {1, 20, 300};
  /* By name: the arguments in, the result out. */
  if (mbox_call("py_sum", 0, three, 3, &r) != 0) return 1;
  if (r != 321) return 2;
  /* By number; 64-bit results (negative numbers wrap). */
  static const uint64_t one[] = {5};
  if (mbox_call(0, 42, one, 1, &r) != 0) return 3;
  if (r != (uint64_t)-5) return 4;
  /* The callback reads guest memory and writes into it. */
  static uint64_t ptrs[2];
  ptrs[0] = (uintptr_t)greeting;
  ptrs[1] = (uintptr_t)shout;
  if (mbox_call("py_upper", 0, ptrs, 2, &r) != 0) return 5;
  if (r != mbox_strlen(greeting)) return 6;
  for (unsigned i = 0; greeting[i]; ++i) {
    const char c = greeting[i];
    if (shout[i] != (c >= 'a' && c <= 'z' ? c - 32 : c)) return 7;
  }
  /* Errors: the callback's own status, an exception, no such callback. */
  if (mbox_call("py_refuses", 0, 0, 0, &r) != 6) return 8;      /* MailboxError(BAD_ARGUMENT) */
  if (mbox_call("py_raises", 0, 0, 0, &r) != 5) return 9;       /* CALLBACK_FAILED */
  if (mbox_call("nobody", 0, 0, 0, &r) != 4) return 10;         /* NO_CALLBACK after every layer */
  if (mbox_call(0, 43, 0, 0, &r) != 4) return 11;
  /* The result of one call as the argument of the next. */
  uint64_t acc[1] = {0};
  for (int i = 0; i < 10; ++i) {
    if (mbox_call("py_inc", 0, acc, 1, &r) != 0) return 12;
    acc[0] = r;
  }
  if (acc[0] != 10) return 13;
  mbox_print("mbox_call firmware: python callbacks ok\n");
  return 0;
}
