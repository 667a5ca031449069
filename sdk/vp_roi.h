/* vp region-of-interest markers for RISC-V guest programs (docs/architecture.md,
 * "Fast-forward, then detail"), in the spirit of gem5's m5ops.
 *
 * Each marker is one instruction, `slti x0, x0, 0x7f0 + op`: a HINT (RISC-V
 * unprivileged spec, "HINT Instructions": SLTI with rd = x0 is designated for
 * custom use). It writes nothing, so the program behaves the same on hardware
 * and on other simulators; vp reacts to it after it retires.
 *
 *   0x7f1  ROI begin    with `vp run --detail-start marker`: leave fast-forward, time from here
 *                       (after --warmup); otherwise: reset the statistics
 *   0x7f2  ROI end      end the measured region: statistics are held, functional again
 *   0x7f3  reset stats  every counter counts from here
 *   0x7f4  dump stats   add a statistics snapshot (an interval of the --stats output)
 *   0x7f5  exit         end the simulation; the exit code is a0 & 0xff
 */
#ifndef VP_ROI_H
#define VP_ROI_H

#define VP_MARKER_(op) __asm__ volatile("slti x0, x0, " #op ::: "memory")

static inline void vp_roi_begin(void) { VP_MARKER_(0x7f1); }
static inline void vp_roi_end(void) { VP_MARKER_(0x7f2); }
static inline void vp_reset_stats(void) { VP_MARKER_(0x7f3); }
static inline void vp_dump_stats(void) { VP_MARKER_(0x7f4); }
static inline void vp_exit(long code) {
  register long a0 __asm__("a0") = code;
  __asm__ volatile("slti x0, x0, 0x7f5" : : "r"(a0) : "memory");
  for (;;) {
  }
}

#endif
