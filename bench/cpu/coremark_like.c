/* A CoreMark-like integer workload, written for vp's benchmarks: every iteration runs
 * linked-list processing (search, reverse, merge sort), small-matrix arithmetic, a
 * token-scanning state machine, and folds all results into a CRC-16. The final CRC
 * is printed on the UART; vs_qemu.py requires vp and QEMU to print the same line (a
 * simulator bug changes it). ITERATIONS sets the length. */
#include <stdint.h>

#include "bench_io.h"

#ifndef ITERATIONS
#define ITERATIONS 15000
#endif

/* ---- CRC-16 (CCITT polynomial 0x1021), bitwise ---- */
static uint16_t crc16_byte(uint16_t crc, uint8_t b) {
  crc ^= (uint16_t)b << 8;
  for (int i = 0; i < 8; i++) crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
  return crc;
}
static uint16_t crc16_u16(uint16_t crc, uint16_t v) { return crc16_byte(crc16_byte(crc, (uint8_t)v), (uint8_t)(v >> 8)); }
static uint16_t crc16_u32(uint16_t crc, uint32_t v) { return crc16_u16(crc16_u16(crc, (uint16_t)v), (uint16_t)(v >> 16)); }

/* ---- pseudo-random numbers (a 32-bit LCG seeded per iteration) ---- */
static uint32_t lcg;
static uint32_t next_rand(void) {
  lcg = lcg * 1103515245u + 12345u;
  return lcg >> 8;
}

/* ---- linked list ---- */
#define LIST_NODES 96
struct item {
  int16_t key;
  int16_t weight;
};
struct node {
  struct node* next;
  struct item* item;
};
static struct node nodes[LIST_NODES];
static struct item items[LIST_NODES];

static struct node* list_build(void) {
  struct node* head = 0;
  for (int i = LIST_NODES - 1; i >= 0; i--) {
    items[i].key = (int16_t)(next_rand() & 0x3ff);
    items[i].weight = (int16_t)((next_rand() & 0xff) - 128);
    nodes[i].item = &items[i];
    nodes[i].next = head;
    head = &nodes[i];
  }
  return head;
}

static struct node* list_find(struct node* n, int16_t key) {
  while (n && n->item->key != key) n = n->next;
  return n;
}

static struct node* list_reverse(struct node* n) {
  struct node* prev = 0;
  while (n) {
    struct node* next = n->next;
    n->next = prev;
    prev = n;
    n = next;
  }
  return prev;
}

typedef int (*item_cmp)(const struct item*, const struct item*);
static int by_key(const struct item* a, const struct item* b) { return a->key - b->key; }
static int by_weight(const struct item* a, const struct item* b) {
  return a->weight != b->weight ? a->weight - b->weight : a->key - b->key;
}

/* Bottom-up merge sort of a singly linked list. */
static struct node* list_sort(struct node* head, item_cmp cmp) {
  for (int width = 1;; width *= 2) {
    struct node* p = head;
    struct node* tail = 0;
    head = 0;
    int merges = 0;
    while (p) {
      merges++;
      struct node* q = p;
      int psize = 0;
      for (int i = 0; i < width && q; i++) {
        psize++;
        q = q->next;
      }
      int qsize = width;
      while (psize > 0 || (qsize > 0 && q)) {
        struct node* e;
        if (psize == 0) {
          e = q, q = q->next, qsize--;
        } else if (qsize == 0 || !q || cmp(p->item, q->item) <= 0) {
          e = p, p = p->next, psize--;
        } else {
          e = q, q = q->next, qsize--;
        }
        if (tail)
          tail->next = e;
        else
          head = e;
        tail = e;
      }
      p = q;
    }
    tail->next = 0;
    if (merges <= 1) return head;
  }
}

static uint16_t list_work(uint16_t crc) {
  struct node* head = list_build();
  int found = 0, missing = 0;
  for (int i = 0; i < 16; i++) {
    struct node* n = list_find(head, (int16_t)(next_rand() & 0x3ff));
    if (n)
      found += n->item->weight;
    else
      missing++;
  }
  head = list_reverse(head);
  head = list_sort(head, by_key);
  int16_t last = -1;
  for (struct node* n = head; n; n = n->next) {
    if (n->item->key < last) return 0xdead;  /* not sorted */
    last = n->item->key;
    crc = crc16_u16(crc, (uint16_t)n->item->key);
  }
  head = list_sort(head, by_weight);
  uint32_t acc = 0;
  int idx = 0;
  for (struct node* n = head; n; n = n->next) acc += (uint32_t)(n->item->weight * ++idx);
  crc = crc16_u32(crc, acc);
  crc = crc16_u16(crc, (uint16_t)found);
  return crc16_u16(crc, (uint16_t)missing);
}

/* ---- small matrices ---- */
#define MAT 12
static int16_t ma[MAT][MAT], mb[MAT][MAT];
static int32_t mc[MAT][MAT];

static uint16_t matrix_work(uint16_t crc) {
  for (int i = 0; i < MAT; i++)
    for (int j = 0; j < MAT; j++) {
      ma[i][j] = (int16_t)((next_rand() & 0xfff) - 0x800);
      mb[i][j] = (int16_t)((next_rand() & 0xfff) - 0x800);
    }
  /* add a constant, multiply by a vector, multiply matrices, extract bit fields */
  int16_t k = (int16_t)(next_rand() & 0xf);
  for (int i = 0; i < MAT; i++)
    for (int j = 0; j < MAT; j++) ma[i][j] = (int16_t)(ma[i][j] + k);
  int32_t vec[MAT];
  for (int i = 0; i < MAT; i++) {
    int32_t s = 0;
    for (int j = 0; j < MAT; j++) s += ma[i][j] * mb[j][0];
    vec[i] = s;
  }
  for (int i = 0; i < MAT; i++)
    for (int j = 0; j < MAT; j++) {
      int32_t s = 0;
      for (int x = 0; x < MAT; x++) s += ma[i][x] * mb[x][j];
      mc[i][j] = s;
    }
  uint32_t fields = 0, maxv = 0;
  for (int i = 0; i < MAT; i++)
    for (int j = 0; j < MAT; j++) {
      uint32_t v = (uint32_t)mc[i][j];
      fields += ((v >> 3) & 0xf) * ((v >> 11) & 0x7f);
      if (v > maxv) maxv = v;
    }
  for (int i = 0; i < MAT; i++) crc = crc16_u32(crc, (uint32_t)vec[i]);
  crc = crc16_u32(crc, fields);
  return crc16_u32(crc, maxv);
}

/* ---- a state machine that classifies number-like tokens ---- */
enum state { S_START, S_SIGN, S_INT, S_POINT, S_FRAC, S_EXP, S_EXP_SIGN, S_EXP_INT, S_BAD, S_COUNT };
#define TEXT_LEN 256
static char text[TEXT_LEN + 1];
static const char alphabet[] = "0123456789+-.e,x ";

static enum state step(enum state s, char c) {
  int digit = c >= '0' && c <= '9';
  switch (s) {
    case S_START: return digit ? S_INT : (c == '+' || c == '-') ? S_SIGN : c == '.' ? S_POINT : S_BAD;
    case S_SIGN: return digit ? S_INT : c == '.' ? S_POINT : S_BAD;
    case S_INT: return digit ? S_INT : c == '.' ? S_POINT : (c == 'e') ? S_EXP : S_BAD;
    case S_POINT: return digit ? S_FRAC : S_BAD;
    case S_FRAC: return digit ? S_FRAC : c == 'e' ? S_EXP : S_BAD;
    case S_EXP: return digit ? S_EXP_INT : (c == '+' || c == '-') ? S_EXP_SIGN : S_BAD;
    case S_EXP_SIGN: return digit ? S_EXP_INT : S_BAD;
    case S_EXP_INT: return digit ? S_EXP_INT : S_BAD;
    default: return S_BAD;
  }
}

static uint16_t state_work(uint16_t crc) {
  for (int i = 0; i < TEXT_LEN; i++) {
    uint32_t r = next_rand();
    /* mostly digits, some punctuation and separators */
    text[i] = (r & 3) ? (char)('0' + (r >> 2) % 10) : alphabet[(r >> 4) % (sizeof alphabet - 1)];
  }
  text[TEXT_LEN] = 0;
  uint32_t final_count[S_COUNT] = {0}, transitions[S_COUNT] = {0};
  enum state s = S_START;
  for (const char* p = text;; p++) {
    char c = *p;
    if (c == ',' || c == ' ' || c == 0) {
      final_count[s]++;
      s = S_START;
      if (!c) break;
      continue;
    }
    enum state n = step(s, c);
    if (n != s) transitions[n]++;
    s = n;
  }
  for (int i = 0; i < S_COUNT; i++) crc = crc16_u32(crc, final_count[i] * 31 + transitions[i]);
  return crc;
}

int main(void) {
  uint16_t crc = 0;
  for (uint32_t it = 0; it < ITERATIONS; it++) {
    lcg = it * 2654435761u + 1;
    crc = list_work(crc);
    crc = matrix_work(crc);
    crc = state_work(crc);
  }
  put_str("coremark-like: iterations ");
  put_hex32(ITERATIONS);
  put_str(" crc ");
  put_hex32(crc);
  put_str("\n");
  return 0;
}
