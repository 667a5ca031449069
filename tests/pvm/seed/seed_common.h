/* Shared by the seed-API tests (C99, no libpvm header): a reader for the vectors file written by
 * vectors_to_text.py, a tiny PVM instruction encoder (GP A.5 formats, 4-byte immediates) and
 * check macros. Each test program includes it once. */
#ifndef SEED_COMMON_H
#define SEED_COMMON_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_failures;
#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            ++g_failures;                                                            \
        }                                                                            \
    } while (0)
#define CHECK_EQ_U64(a, b)                                                                                  \
    do {                                                                                                    \
        uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                                                   \
        if (a_ != b_) {                                                                                     \
            fprintf(stderr, "%s:%d: %s == %s: 0x%" PRIx64 " != 0x%" PRIx64 "\n", __FILE__, __LINE__, #a, #b, \
                    a_, b_);                                                                                \
            ++g_failures;                                                                                   \
        }                                                                                                   \
    } while (0)

/* ---- vectors ---- */

typedef struct {
    uint32_t address, length;
    uint8_t *bytes;
} seed_chunk;

typedef struct {
    char name[128];
    uint64_t regs[13], expected_regs[13];
    uint32_t pc, expected_pc, fault;
    int64_t gas, expected_gas;
    char status[32]; /* "halt", "panic", "page-fault" */
    uint32_t npages, nmem, nexpected;
    uint32_t page_address[16], page_length[16];
    int page_writable[16];
    seed_chunk mem[64], expected[64];
    uint8_t *blob, *code, *bitmask;
    uint32_t blob_len, code_len, bitmask_len;
    uint32_t *jumps;
    uint32_t njumps;
} seed_vector;

static inline void seed_bad(int line) {
    fprintf(stderr, "vectors file: unexpected contents (reader line %d)\n", line);
    exit(2);
}

static inline void *seed_alloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

static inline int seed_expect(FILE *f, const char *word) {
    char w[64];
    if (fscanf(f, "%63s", w) != 1 || strcmp(w, word) != 0) {
        fprintf(stderr, "vectors file: expected '%s'\n", word);
        exit(2);
    }
    return 1;
}

static inline uint8_t *seed_hex(FILE *f, uint32_t len) {
    uint8_t *p = (uint8_t *)seed_alloc(len);
    uint32_t i;
    if (len == 0) {
        seed_expect(f, "-");
        return p;
    }
    for (i = 0; i < len; ++i) {
        if (fscanf(f, "%2hhx", &p[i]) != 1) {
            fprintf(stderr, "vectors file: bad hex\n");
            seed_bad(__LINE__);
        }
    }
    return p;
}

static inline void seed_chunks(FILE *f, seed_chunk *c, uint32_t *n) {
    uint32_t i;
    seed_expect(f, "mem");
    if (fscanf(f, "%" SCNu32, n) != 1 || *n > 64) seed_bad(__LINE__);
    for (i = 0; i < *n; ++i) {
        if (fscanf(f, "%" SCNu32 " %" SCNu32, &c[i].address, &c[i].length) != 2) seed_bad(__LINE__);
        c[i].bytes = seed_hex(f, c[i].length);
    }
}

/* Reads the next vector; 0 at the end ("count N" line, N returned in *total). */
static inline int seed_read_vector(FILE *f, seed_vector *v, uint32_t *total) {
    char w[64];
    uint32_t i;
    memset(v, 0, sizeof *v);
    if (fscanf(f, "%63s", w) != 1) seed_bad(__LINE__);
    if (strcmp(w, "count") == 0) {
        if (fscanf(f, "%" SCNu32, total) != 1) seed_bad(__LINE__);
        return 0;
    }
    if (strcmp(w, "vector") != 0 || fscanf(f, "%127s", v->name) != 1) seed_bad(__LINE__);
    seed_expect(f, "regs");
    for (i = 0; i < 13; ++i)
        if (fscanf(f, "%" SCNu64, &v->regs[i]) != 1) seed_bad(__LINE__);
    if (fscanf(f, " pc %" SCNu32 " gas %" SCNd64, &v->pc, &v->gas) != 2) seed_bad(__LINE__);
    seed_expect(f, "pages");
    if (fscanf(f, "%" SCNu32, &v->npages) != 1 || v->npages > 16) seed_bad(__LINE__);
    for (i = 0; i < v->npages; ++i)
        if (fscanf(f, "%" SCNu32 " %" SCNu32 " %d", &v->page_address[i], &v->page_length[i], &v->page_writable[i]) != 3)
            seed_bad(__LINE__);
    seed_chunks(f, v->mem, &v->nmem);
    seed_expect(f, "blob");
    if (fscanf(f, "%" SCNu32, &v->blob_len) != 1) seed_bad(__LINE__);
    v->blob = seed_hex(f, v->blob_len);
    seed_expect(f, "code");
    if (fscanf(f, "%" SCNu32, &v->code_len) != 1) seed_bad(__LINE__);
    v->code = seed_hex(f, v->code_len);
    seed_expect(f, "bitmask");
    if (fscanf(f, "%" SCNu32, &v->bitmask_len) != 1) seed_bad(__LINE__);
    v->bitmask = seed_hex(f, v->bitmask_len);
    seed_expect(f, "jumps");
    if (fscanf(f, "%" SCNu32, &v->njumps) != 1 || v->njumps > (1u << 20)) seed_bad(__LINE__);
    v->jumps = (uint32_t *)seed_alloc(4 * (size_t)v->njumps);
    for (i = 0; i < v->njumps; ++i)
        if (fscanf(f, "%" SCNu32, &v->jumps[i]) != 1) seed_bad(__LINE__);
    if (fscanf(f, " expect %31s pc %" SCNu32 " gas %" SCNd64 " fault %" SCNu32, v->status, &v->expected_pc,
               &v->expected_gas, &v->fault) != 4)
        exit(2);
    seed_expect(f, "regs");
    for (i = 0; i < 13; ++i)
        if (fscanf(f, "%" SCNu64, &v->expected_regs[i]) != 1) seed_bad(__LINE__);
    seed_chunks(f, v->expected, &v->nexpected);
    return 1;
}

static inline void seed_free_vector(seed_vector *v) {
    uint32_t i;
    for (i = 0; i < v->nmem; ++i) free(v->mem[i].bytes);
    for (i = 0; i < v->nexpected; ++i) free(v->expected[i].bytes);
    free(v->blob);
    free(v->code);
    free(v->bitmask);
    free(v->jumps);
}

/* ---- a tiny encoder: code bytes and their bitmask bits ---- */

typedef struct {
    uint8_t code[512];
    uint8_t starts[512]; /* 1 where an instruction starts (an unpacked bitmask) */
    uint32_t len;
} seed_asm;

static inline uint32_t seed_op(seed_asm *a, uint8_t op) {
    const uint32_t pc = a->len;
    a->starts[a->len] = 1;
    a->code[a->len++] = op;
    return pc;
}
static inline void seed_byte(seed_asm *a, uint8_t b) { a->code[a->len++] = b; }
static inline void seed_imm32(seed_asm *a, uint32_t x) {
    int i;
    for (i = 0; i < 4; ++i) seed_byte(a, (uint8_t)(x >> (8 * i)));
}

/* Opcodes (GP 0.7.2 numbering, A.5). */
enum { OP_TRAP = 0, OP_FALLTHROUGH = 1, OP_ECALLI = 10, OP_JUMP_IND = 50, OP_LOAD_IMM = 51, OP_SBRK = 101,
       OP_STORE_IND_U64 = 123, OP_LOAD_IND_U64 = 130, OP_ADD_IMM_64 = 149, OP_ADD_64 = 200 };

static inline uint32_t asm_trap(seed_asm *a) { return seed_op(a, OP_TRAP); }
static inline uint32_t asm_ecalli(seed_asm *a, uint32_t index) {
    uint32_t pc = seed_op(a, OP_ECALLI);
    seed_imm32(a, index);
    return pc;
}
static inline uint32_t asm_load_imm(seed_asm *a, unsigned reg, uint32_t x) { /* reg = sign-extended x */
    uint32_t pc = seed_op(a, OP_LOAD_IMM);
    seed_byte(a, (uint8_t)reg);
    seed_imm32(a, x);
    return pc;
}
static inline uint32_t asm_ret(seed_asm *a) { /* jump_ind r0 + 0 (returns to RA) */
    uint32_t pc = seed_op(a, OP_JUMP_IND);
    seed_byte(a, 0);
    return pc;
}
static inline uint32_t asm_add(seed_asm *a, unsigned d, unsigned x, unsigned y) { /* d = x + y (A.5.13) */
    uint32_t pc = seed_op(a, OP_ADD_64);
    seed_byte(a, (uint8_t)(x | y << 4));
    seed_byte(a, (uint8_t)d);
    return pc;
}
static inline uint32_t asm_add_imm(seed_asm *a, unsigned d, unsigned x, uint32_t imm) { /* d = x + imm (A.5.10) */
    uint32_t pc = seed_op(a, OP_ADD_IMM_64);
    seed_byte(a, (uint8_t)(d | x << 4));
    seed_imm32(a, imm);
    return pc;
}
static inline uint32_t asm_store(seed_asm *a, unsigned value, unsigned base, uint32_t off) { /* u64 [base+off] = value */
    uint32_t pc = seed_op(a, OP_STORE_IND_U64);
    seed_byte(a, (uint8_t)(value | base << 4));
    seed_imm32(a, off);
    return pc;
}
static inline uint32_t asm_load(seed_asm *a, unsigned d, unsigned base, uint32_t off) { /* d = u64 [base+off] */
    uint32_t pc = seed_op(a, OP_LOAD_IND_U64);
    seed_byte(a, (uint8_t)(d | base << 4));
    seed_imm32(a, off);
    return pc;
}
static inline uint32_t asm_sbrk(seed_asm *a, unsigned d, unsigned size) { /* d = sbrk(size) (A.5.9) */
    uint32_t pc = seed_op(a, OP_SBRK);
    seed_byte(a, (uint8_t)(d | size << 4));
    return pc;
}

/* Packed bitmask (GP A.2: bit i of byte i/8, LSB first). */
static inline uint32_t seed_pack(const seed_asm *a, uint8_t *out) {
    uint32_t i, n = (a->len + 7) / 8;
    memset(out, 0, n);
    for (i = 0; i < a->len; ++i)
        if (a->starts[i]) out[i / 8] |= (uint8_t)(1u << (i % 8));
    return n;
}

/* GP C.6 natural-number encoding. */
static inline uint32_t seed_natural(uint8_t *out, uint64_t x) {
    unsigned l, i;
    for (l = 0; l < 8; ++l) {
        if (x < ((uint64_t)1 << (7 * (l + 1)))) {
            out[0] = (uint8_t)(256 - (1u << (8 - l)) + (x >> (8 * l)));
            for (i = 0; i < l; ++i) out[1 + i] = (uint8_t)(x >> (8 * i));
            return l + 1;
        }
    }
    out[0] = 0xFF;
    for (i = 0; i < 8; ++i) out[1 + i] = (uint8_t)(x >> (8 * i));
    return 9;
}

/* The program blob (GP A.2) with a jump table of 4-byte entries. Returns its length. */
static inline uint32_t seed_program_blob(const seed_asm *a, const uint32_t *jumps, uint32_t njumps, uint8_t *out) {
    uint32_t n = 0, i;
    n += seed_natural(out + n, njumps);
    out[n++] = 4;
    n += seed_natural(out + n, a->len);
    for (i = 0; i < njumps; ++i) {
        out[n++] = (uint8_t)jumps[i];
        out[n++] = (uint8_t)(jumps[i] >> 8);
        out[n++] = (uint8_t)(jumps[i] >> 16);
        out[n++] = (uint8_t)(jumps[i] >> 24);
    }
    memcpy(out + n, a->code, a->len);
    n += a->len;
    n += seed_pack(a, out + n);
    return n;
}

#endif
