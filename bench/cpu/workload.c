// Bare-metal integer workload for the hart benchmark: quicksort, CRC-32 and
// matrix multiply, repeated. Returns 0 when the self-checks pass.
#include <stdint.h>

#define N_SORT 16384
#define N_CRC 65536
#define N_MAT 48
#ifndef ROUNDS
#define ROUNDS 40
#endif

static uint32_t sort_buf[N_SORT];
static uint8_t crc_buf[N_CRC];
static int32_t ma[N_MAT][N_MAT], mb[N_MAT][N_MAT], mc[N_MAT][N_MAT];
static uint32_t seed = 12345;

static uint32_t rnd(void) {
  seed = seed * 1664525u + 1013904223u;
  return seed;
}

static void quicksort(uint32_t* a, int lo, int hi) {
  while (lo < hi) {
    uint32_t p = a[(lo + hi) / 2];
    int i = lo, j = hi;
    while (i <= j) {
      while (a[i] < p) i++;
      while (a[j] > p) j--;
      if (i <= j) {
        uint32_t t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (j - lo < hi - i) {
      quicksort(a, lo, j);
      lo = i;
    } else {
      quicksort(a, i, hi);
      hi = j;
    }
  }
}

static uint32_t crc32(const uint8_t* p, int n) {
  uint32_t c = 0xffffffffu;
  for (int i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
  }
  return ~c;
}

static void matmul(void) {
  for (int i = 0; i < N_MAT; i++)
    for (int j = 0; j < N_MAT; j++) {
      int32_t s = 0;
      for (int k = 0; k < N_MAT; k++) s += ma[i][k] * mb[k][j];
      mc[i][j] = s;
    }
}

int main(void) {
  uint32_t check = 0;
  for (int r = 0; r < ROUNDS; r++) {
    for (int i = 0; i < N_SORT; i++) sort_buf[i] = rnd();
    quicksort(sort_buf, 0, N_SORT - 1);
    for (int i = 1; i < N_SORT; i++)
      if (sort_buf[i - 1] > sort_buf[i]) return 1;
    for (int i = 0; i < N_CRC / 8; i++) crc_buf[i] = (uint8_t)rnd();
    check ^= crc32(crc_buf, N_CRC / 8);
    for (int i = 0; i < N_MAT; i++)
      for (int j = 0; j < N_MAT; j++) {
        ma[i][j] = (int32_t)(rnd() & 0xff);
        mb[i][j] = (int32_t)(rnd() & 0xff);
      }
    matmul();
    check += (uint32_t)mc[N_MAT / 2][N_MAT / 3];
  }
  // Known-answer check of the CRC itself.
  const uint8_t msg[9] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  if (crc32(msg, 9) != 0xcbf43926u) return 2;
  return check == 0 ? 3 : 0;
}
