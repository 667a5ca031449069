/* Fixed pattern: loop branches and always-taken / never-taken branches. */
#include "uarch.h"
int main(void) {
  uint64_t a = 0, b = 0;
  for (uint64_t i = 0; i < 200000; i++) {
    BRANCH_IF(1, a);
    BRANCH_IF(0, b);
  }
  put_hex(a + b);
  return a == 200000 ? 0 : 1;
}
