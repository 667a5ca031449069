// A guest built for QEMU's -semihosting with picolibc (--oslib=semihost):
// console output, a file read and a file written inside the host directory,
// paths that would leave it refused, and exit(7) as the run's exit code.
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  printf("hello from the guest\n");
  char line[64] = {0};
  FILE* in = fopen("input.txt", "r");
  if (!in || !fgets(line, sizeof line, in)) {
    printf("cannot read input.txt\n");
    exit(2);
  }
  fclose(in);
  printf("input: %s", line);
  FILE* out = fopen("sub/output.txt", "w");
  if (!out) {
    printf("cannot write sub/output.txt\n");
    exit(3);
  }
  fprintf(out, "copied: %s", line);
  fclose(out);
  if (fopen("../escape.txt", "w")) exit(4);       // above the root
  if (fopen("/../../escape2.txt", "w")) exit(5);  // above the root, spelt absolute
  if (fopen("link_out/escape3.txt", "w")) exit(6);// through a symbolic link that leaves the root
  printf("outside refused\n");
  exit(7);
}
