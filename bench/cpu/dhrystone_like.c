/* A Dhrystone-like workload, written for vp's benchmarks: the same kind of mix of
 * record copies through pointers, enumerations, string copies and comparisons, small
 * integer arithmetic, global arrays and many short procedure calls. Its own string
 * routines keep it free of a C library. ROUNDS sets the length; the result summary is
 * printed on the UART (vp and QEMU must print the same line). */
#include <stdint.h>

#include "bench_io.h"

#ifndef ROUNDS
#define ROUNDS 2000000
#endif

enum color { RED, GREEN, BLUE, YELLOW, BLACK };

struct record {
  struct record* link;
  enum color hue;
  int number;
  int tally;
  char label[32];
};

static struct record rec_a, rec_b, rec_scratch;
static struct record* current;
static int table1[64];
static int table2[64][64];
static int global_count;
static char global_flag;
static char letter_a, letter_b;

__attribute__((noinline)) static void str_copy(char* d, const char* s) {
  while ((*d++ = *s++) != 0) {
  }
}

__attribute__((noinline)) static int str_compare(const char* a, const char* b) {
  while (*a && *a == *b) a++, b++;
  return (unsigned char)*a - (unsigned char)*b;
}

__attribute__((noinline)) static enum color shade(enum color c, int n) {
  switch (c) {
    case RED: return n > 10 ? GREEN : RED;
    case GREEN: return BLUE;
    case BLUE: return n & 1 ? YELLOW : GREEN;
    case YELLOW: return BLACK;
    default: return RED;
  }
}

__attribute__((noinline)) static int letters_equal(char a, char b) {
  char c = a;
  return c == b;
}

__attribute__((noinline)) static void add_to_tables(int base, int value) {
  int i = base + 5;
  table1[i & 63] = value;
  table1[(i + 1) & 63] = table1[i & 63];
  table1[(i + 30) & 63] = i;
  for (int j = i; j <= i + 1; j++) table2[i & 63][j & 63] = i;
  table2[i & 63][(i - 1) & 63] += 1;
  table2[(i + 20) & 63][i & 63] = table1[i & 63];
  global_count = 5;
}

__attribute__((noinline)) static int small_sum(int a, int b) { return a + b + 2; }

__attribute__((noinline)) static void update_record(struct record* r) {
  struct record* next = r->link;
  *next = *current;  /* record copy */
  r->number = 5;
  next->number = r->number;
  next->link = r->link;
  if (next->hue == RED) {
    next->number = 6;
    next->hue = shade(r->hue, next->number);
    next->link = current->link;
    next->number = small_sum(next->number, 10);
  } else {
    *r = *next;
  }
}

__attribute__((noinline)) static int text_score(const char* a, const char* b) {
  int score = 0;
  char ca = 'A';
  while (score < 2) {
    if (letters_equal(a[score + 1], b[score + 2]) == 0) {
      ca = 'A';
      score++;
    } else {
      score += 2;
    }
  }
  if (ca >= 'W' && ca < 'Z') score = 7;
  if (str_compare(a, b) > 0) {
    score += 7;
    global_count = score;
    return 1;
  }
  return 0;
}

int main(void) {
  char text1[32], text2[32];
  rec_a.link = &rec_b;
  rec_a.hue = RED;
  rec_a.number = 40;
  str_copy(rec_a.label, "A RECORD OF THE BENCHMARK, ONE");
  rec_b.link = &rec_scratch;
  current = &rec_a;
  str_copy(text1, "A STRING OF THE BENCHMARK, ONE");
  uint32_t check = 0;
  for (int round = 1; round <= ROUNDS; round++) {
    letter_a = 'A';
    letter_b = 'B';
    global_flag = letter_a == 'A';
    str_copy(text2, "A STRING OF THE BENCHMARK, TWO");
    int x = 2, y = 3, z;
    global_flag = !text_score(text1, text2);
    while (x < y) {
      z = 5 * x - y;
      z = small_sum(x, y) + z;
      x++;
    }
    add_to_tables(x, z);
    rec_a.hue = RED;
    update_record(&rec_a);
    for (char c = 'A'; c <= letter_b; c++)
      if (letters_equal(c, 'C')) rec_b.hue = shade(rec_b.hue, round);
    y = x * z;
    x = y / (z | 1);
    y = 7 * (y - x) - z;
    check = check * 31 + (uint32_t)(x + y + z + global_count + rec_b.number + rec_b.hue);
  }
  put_str("dhrystone-like: rounds ");
  put_hex32(ROUNDS);
  put_str(" check ");
  put_hex32(check);
  put_str(" tables ");
  put_hex32((uint32_t)(table1[10] + table2[8][7]));
  put_str("\n");
  return 0;
}
