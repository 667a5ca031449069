// The program the GDB tests debug: a loop that calls a function and stores a
// global (breakpoints, stepping, a watchpoint), floating point (fa0), and a
// second hart that counts. The run ends with (int)(1.5 * 145) & 0x7f = 89,
// unless a debugger sets loop_forever, which keeps hart 0 spinning. A debugger
// of a two-hart platform sets wait_for_hart1 so that hart 1 runs first.
volatile long counter;
volatile int wait_for_hart1;
volatile long hart1_ticks;
volatile long spins;
volatile int loop_forever;
volatile double scale = 1.5;

long compute(long x) { return 3 * x + 1; }

double scaled(long v) { return scale * (double)v; }

int main(void) {
  long sum = 0;
  while (wait_for_hart1 && !hart1_ticks) continue;
  for (long i = 0; i < 10; ++i) {
    sum += compute(i);
    counter = sum;
  }
  while (loop_forever) spins++;
  return (int)scaled(sum) & 0x7f;
}

void secondary(void) {
  for (;;) hart1_ticks++;
}
