/* A program written only against polkavm_ffi.h (seed 003's engine/module/instance API), C99:
 * every vector on both engines, then each function of the seed's API reference: host calls,
 * step tracing, exports, memory info, reset, sbrk/heap size, containers and malformed blobs.
 * usage: seed003_polkavm_ffi_test VECTORS.txt */
#include <polkavm_ffi.h>

#include "seed_common.h"

/* ---- vectors ---- */

static int run_vector(PvmEngine engine, const seed_vector *v) {
    const int before = g_failures;
    uint32_t i;
    PvmModule module = pvm_module_new(engine, v->blob, v->blob_len);
    PvmInstance inst;
    PvmResult r;
    uint32_t expected_status = 0;
    if (!module) {
        fprintf(stderr, "%s: %s\n", v->name, pvm_ffi_last_error());
        return 0;
    }
    inst = pvm_instance_new(engine, module);
    CHECK(inst != NULL);
    /* Pages writable first (to load them), then read-only where the vector says. */
    for (i = 0; i < v->npages; ++i) CHECK(pvm_instance_map_memory(inst, v->page_address[i], v->page_length[i], 2) == 0);
    for (i = 0; i < v->nmem; ++i)
        CHECK(pvm_instance_write_memory(inst, v->mem[i].address, v->mem[i].bytes, v->mem[i].length) == 0);
    for (i = 0; i < v->npages; ++i)
        if (!v->page_writable[i]) CHECK(pvm_instance_map_memory(inst, v->page_address[i], v->page_length[i], 1) == 0);
    pvm_instance_prepare_call(inst, v->pc);
    for (i = 0; i < 13; ++i) pvm_instance_set_reg(inst, i, v->regs[i]);
    pvm_instance_set_gas(inst, v->gas);
    r = pvm_instance_run(inst);
    if (strcmp(v->status, "panic") == 0) expected_status = PVM_FFI_PANIC;
    else if (strcmp(v->status, "page-fault") == 0) expected_status = PVM_FFI_FAULT;
    CHECK_EQ_U64(r.status, expected_status);
    CHECK_EQ_U64(r.gas_remaining, v->expected_gas);
    CHECK_EQ_U64(pvm_instance_get_gas(inst), v->expected_gas);
    CHECK_EQ_U64(pvm_instance_get_pc(inst), v->expected_pc);
    if (expected_status == PVM_FFI_FAULT) CHECK_EQ_U64(pvm_instance_fault_address(inst), v->fault);
    for (i = 0; i < 13; ++i) CHECK_EQ_U64(pvm_instance_get_reg(inst, i), v->expected_regs[i]);
    for (i = 0; i < v->nexpected; ++i) {
        uint8_t *got = (uint8_t *)seed_alloc(v->expected[i].length);
        CHECK(pvm_instance_read_memory(inst, v->expected[i].address, got, v->expected[i].length) == 0);
        CHECK(memcmp(got, v->expected[i].bytes, v->expected[i].length) == 0);
        free(got);
    }
    pvm_instance_free(inst);
    pvm_module_free(module);
    if (g_failures != before) fprintf(stderr, "  in vector %s\n", v->name);
    return g_failures == before;
}

static void run_vectors(const char *path, PvmEngine engine, const char *label) {
    FILE *f = fopen(path, "r");
    seed_vector v;
    uint32_t total = 0, passed = 0, seen = 0;
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    while (seed_read_vector(f, &v, &total)) {
        passed += (uint32_t)run_vector(engine, &v);
        ++seen;
        seed_free_vector(&v);
    }
    fclose(f);
    printf("%s: %u/%u vectors pass\n", label, passed, total);
    CHECK(seen == total && total > 0);
    CHECK(passed == total);
}

/* ---- a .polkavm container built here ---- */

typedef struct {
    uint8_t bytes[4096];
    uint32_t len;
} buffer;

static void put(buffer *b, const void *p, uint32_t n) {
    memcpy(b->bytes + b->len, p, n);
    b->len += n;
}
static void put_varint(buffer *b, uint64_t x) { b->len += seed_natural(b->bytes + b->len, x); }
static void section(buffer *b, uint8_t id, const buffer *payload) {
    put(b, &id, 1);
    put_varint(b, payload->len);
    put(b, payload->bytes, payload->len);
}
/* Header with the final length patched in. */
static void finish(buffer *b) {
    uint32_t i;
    for (i = 0; i < 8; ++i) b->bytes[5 + i] = (uint8_t)((uint64_t)b->len >> (8 * i));
}

/* Entry "add" (pc 0): A0 = A0 + A1 + ro[0] (a u64), stores A0 at rw[8], returns.
 * Entry "host" : A0 = 5; ecalli 7; A0 += 1; returns.
 * Entry "grow" : A0 = sbrk(A1); u64 [A0] = A1; returns. */
static uint32_t pc_add, pc_host, pc_grow, pc_host_after_ecalli;
static seed_asm program(void) {
    seed_asm a;
    memset(&a, 0, sizeof a);
    pc_add = asm_add(&a, 7, 7, 8);
    asm_load(&a, 9, 10, 0);  /* A2 = ro[0] (A3 = ro address, set by the host) */
    asm_add(&a, 7, 7, 9);
    asm_store(&a, 7, 11, 8); /* rw[8] = A0 (A4 = rw address) */
    asm_ret(&a);
    pc_host = asm_load_imm(&a, 7, 5);
    asm_ecalli(&a, 7);
    pc_host_after_ecalli = asm_add_imm(&a, 7, 7, 1);
    asm_ret(&a);
    pc_grow = asm_sbrk(&a, 7, 8);
    asm_store(&a, 8, 7, 0);
    asm_ret(&a);
    return a;
}

static const uint64_t kRoValue = 0x1122334455667788ull;

/* version 0, memory config (ro 8 bytes, rw 16 bytes, stack 4096), ro data, rw data, exports, code. */
static buffer container(uint8_t version, int with_code, int ro_too_big) {
    buffer b, p;
    uint8_t blob[1024], ro[8];
    const seed_asm a = program();
    const char *names[3] = {"add", "host", "grow"};
    const uint32_t pcs[3] = {pc_add, pc_host, pc_grow};
    uint32_t i;
    memset(&b, 0, sizeof b);
    put(&b, "PVM\0", 4);
    put(&b, &version, 1);
    put(&b, "\0\0\0\0\0\0\0\0", 8);
    memset(&p, 0, sizeof p);
    put_varint(&p, ro_too_big ? 4 : 8);
    put_varint(&p, 16);
    put_varint(&p, 4096);
    section(&b, 1, &p);
    memset(&p, 0, sizeof p);
    for (i = 0; i < 8; ++i) ro[i] = (uint8_t)(kRoValue >> (8 * i));
    put(&p, ro, 8);
    section(&b, 2, &p);
    memset(&p, 0, sizeof p);
    put(&p, "rw-data!", 8);
    section(&b, 3, &p);
    memset(&p, 0, sizeof p);
    put_varint(&p, 3);
    for (i = 0; i < 3; ++i) {
        put_varint(&p, pcs[i]);
        put_varint(&p, strlen(names[i]));
        put(&p, names[i], (uint32_t)strlen(names[i]));
    }
    section(&b, 5, &p);
    if (with_code) {
        memset(&p, 0, sizeof p);
        put(&p, blob, seed_program_blob(&a, NULL, 0, blob));
        section(&b, 6, &p);
    }
    put(&b, "\0", 1);
    finish(&b);
    return b;
}

static uint32_t export_index(PvmModule m, const char *name) {
    uint32_t i;
    char buf[32];
    for (i = 0; i < pvm_module_exports_count(m); ++i) {
        CHECK(pvm_module_export_name(m, i, buf, sizeof buf) == (int)strlen(buf));
        if (strcmp(buf, name) == 0) return i;
    }
    CHECK(!"export not found");
    return 0;
}

static void test_container(PvmEngine engine) {
    const buffer c = container(0, 1, 0);
    PvmModule m = pvm_module_new(engine, c.bytes, c.len);
    PvmInstance inst;
    PvmMemoryInfo info;
    PvmResult r;
    char small[3];
    uint8_t rw[16];
    uint64_t stored = 0;
    uint32_t heap0, got;
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "container: %s\n", pvm_ffi_last_error());
        return;
    }
    /* Exports. */
    CHECK_EQ_U64(pvm_module_exports_count(m), 3);
    CHECK_EQ_U64(pvm_module_export_pc(m, export_index(m, "add")), pc_add);
    CHECK_EQ_U64(pvm_module_export_pc(m, export_index(m, "host")), pc_host);
    CHECK_EQ_U64(pvm_module_export_pc(m, export_index(m, "grow")), pc_grow);
    CHECK(pvm_module_export_name(m, 1, small, sizeof small) == 4 && strcmp(small, "ho") == 0); /* truncated */
    CHECK(pvm_module_export_name(m, 3, small, sizeof small) == -1);
    CHECK_EQ_U64(pvm_module_export_pc(m, 3), 0xFFFFFFFFu);
    /* Memory map: PolkaVM's (ro at 64 KiB, rw after a guard zone, stack below 0xFFFE0000). */
    info = pvm_module_memory_info(m);
    CHECK_EQ_U64(info.page_size, 4096);
    CHECK_EQ_U64(info.ro_data_address, 0x10000);
    CHECK_EQ_U64(info.ro_data_size, 4096);
    CHECK_EQ_U64(info.rw_data_address, 0x30000);
    CHECK_EQ_U64(info.rw_data_size, 4096);
    CHECK_EQ_U64(info.stack_address_high, 0xFFFE0000u);
    CHECK_EQ_U64(info.stack_address_low, 0xFFFE0000u - 4096);
    CHECK_EQ_U64(info.heap_base, 0x30000 + 16);
    CHECK(info.max_heap_size > 0);

    inst = pvm_instance_new(engine, m);
    CHECK(inst != NULL);
    CHECK_EQ_U64(pvm_instance_get_reg(inst, 1), 0xFFFE0000u); /* SP */
    CHECK(pvm_instance_read_memory(inst, info.rw_data_address, rw, 8) == 0 && memcmp(rw, "rw-data!", 8) == 0);
    CHECK(pvm_instance_write_memory(inst, info.ro_data_address, rw, 1) == -1); /* read-only */
    CHECK(pvm_instance_read_memory(inst, 0x20000, rw, 1) == -1);                /* guard zone */

    /* "add": A0 = 1 + 2 + ro[0], stored at rw[8]. */
    pvm_instance_prepare_call(inst, pvm_module_export_pc(m, export_index(m, "add")));
    CHECK_EQ_U64(pvm_instance_get_pc(inst), pc_add);
    CHECK_EQ_U64(pvm_instance_get_reg(inst, 0), 0xFFFF0000u);
    pvm_instance_set_reg(inst, 7, 1);
    pvm_instance_set_reg(inst, 8, 2);
    pvm_instance_set_reg(inst, 10, info.ro_data_address);
    pvm_instance_set_reg(inst, 11, info.rw_data_address);
    pvm_instance_set_gas(inst, 100);
    r = pvm_instance_run(inst);
    CHECK_EQ_U64(r.status, PVM_FFI_HALT);
    CHECK_EQ_U64(pvm_instance_get_reg(inst, 7), 3 + kRoValue);
    CHECK_EQ_U64(r.gas_remaining, 100 - 5); /* one block of 5 instructions, GP 0.7.2 */
    CHECK_EQ_U64(pvm_instance_get_gas(inst), 100 - 5);
    CHECK(pvm_instance_read_memory(inst, info.rw_data_address + 8, (uint8_t *)&stored, 8) == 0);
    CHECK_EQ_U64(stored, 3 + kRoValue);

    /* "host": stops at ecalli 7 (no callbacks in this API), the host answers, run continues. */
    pvm_instance_prepare_call(inst, pc_host);
    pvm_instance_set_gas(inst, 100);
    r = pvm_instance_run(inst);
    CHECK_EQ_U64(r.status, PVM_FFI_HOST);
    CHECK_EQ_U64(r.host_call, 7);
    CHECK_EQ_U64(pvm_instance_get_reg(inst, 7), 5);
    pvm_instance_set_reg(inst, 7, 40);
    r = pvm_instance_run(inst);
    CHECK_EQ_U64(r.status, PVM_FFI_HALT);
    CHECK_EQ_U64(pvm_instance_get_reg(inst, 7), 41);

    /* Heap: host sbrk and the guest's, both from the heap top. */
    heap0 = pvm_instance_heap_size(inst);
    got = pvm_instance_sbrk(inst, 2);
    CHECK(got != 0);
    CHECK_EQ_U64(pvm_instance_heap_size(inst), heap0 + 2 * 4096 + (got - info.heap_base - heap0));
    CHECK(pvm_instance_write_memory(inst, got + 2 * 4096 - 8, rw, 8) == 0);
    CHECK(pvm_instance_sbrk(inst, 0) == got + 2 * 4096);
    CHECK(pvm_instance_sbrk(inst, 0xFFFFFu) == 0); /* does not fit */
    pvm_instance_prepare_call(inst, pc_grow);
    pvm_instance_set_reg(inst, 8, 4096);
    pvm_instance_set_gas(inst, 100);
    r = pvm_instance_run(inst);
    CHECK_EQ_U64(r.status, PVM_FFI_HALT);
    CHECK_EQ_U64(pvm_instance_get_reg(inst, 7), got + 2 * 4096);
    CHECK(pvm_instance_read_memory(inst, got + 2 * 4096, (uint8_t *)&stored, 8) == 0);
    CHECK_EQ_U64(stored, 4096);
    CHECK(pvm_instance_heap_size(inst) > heap0 + 2 * 4096);

    /* Reset: initial memory (rw data back, heap gone), registers, gas 0. */
    pvm_instance_reset(inst);
    CHECK_EQ_U64(pvm_instance_get_gas(inst), 0);
    CHECK_EQ_U64(pvm_instance_get_reg(inst, 7), 0);
    CHECK_EQ_U64(pvm_instance_get_reg(inst, 1), 0xFFFE0000u);
    CHECK_EQ_U64(pvm_instance_heap_size(inst), heap0);
    stored = 1;
    CHECK(pvm_instance_read_memory(inst, info.rw_data_address + 8, (uint8_t *)&stored, 8) == 0);
    CHECK_EQ_U64(stored, 0);
    CHECK(pvm_instance_read_memory(inst, got, rw, 1) == -1);

    /* Out of gas: the block is not entered, gas unchanged. */
    pvm_instance_prepare_call(inst, pc_add);
    pvm_instance_set_gas(inst, 3);
    r = pvm_instance_run(inst);
    CHECK_EQ_U64(r.status, PVM_FFI_OOG);
    CHECK_EQ_U64(r.gas_remaining, 3);

    /* A page fault: "add" with the rw pointer on an unmapped page. */
    pvm_instance_prepare_call(inst, pc_add);
    pvm_instance_set_reg(inst, 10, info.ro_data_address);
    pvm_instance_set_reg(inst, 11, 0x50000);
    pvm_instance_set_gas(inst, 100);
    r = pvm_instance_run(inst);
    CHECK_EQ_U64(r.status, PVM_FFI_FAULT);
    CHECK_EQ_U64(pvm_instance_fault_address(inst), 0x50000);

    /* Two instances of one module do not share memory; the module outlives being freed first. */
    {
        PvmInstance other = pvm_instance_new(engine, m);
        pvm_module_free(m);
        CHECK(pvm_instance_write_memory(inst, info.rw_data_address, (const uint8_t *)"changed!", 8) == 0);
        CHECK(pvm_instance_read_memory(other, info.rw_data_address, rw, 8) == 0 && memcmp(rw, "rw-data!", 8) == 0);
        pvm_instance_free(other);
    }
    pvm_instance_free(inst);
}

/* Step tracing: one instruction per run; the gas of a block is charged on entering it. */
static void test_step(PvmEngine engine) {
    const buffer c = container(2, 1, 0);
    PvmModule m = pvm_module_new_step(engine, c.bytes, c.len);
    PvmInstance inst;
    PvmResult r;
    unsigned steps = 0;
    CHECK(m != NULL);
    if (!m) return;
    inst = pvm_instance_new(engine, m);
    pvm_instance_prepare_call(inst, pc_host);
    pvm_instance_set_gas(inst, 100);
    /* load_imm (step), ecalli (host call), add_imm (step), ret (halt): an instruction that ends
     * the run reports that instead of a step. */
    {
        const uint32_t expected[4] = {PVM_FFI_STEP, PVM_FFI_HOST, PVM_FFI_STEP, PVM_FFI_HALT};
        unsigned i;
        for (i = 0; i < 4; ++i) {
            r = pvm_instance_run(inst);
            CHECK_EQ_U64(r.status, expected[i]);
            steps += r.status == PVM_FFI_STEP;
        }
    }
    CHECK_EQ_U64(r.host_call, 7);
    CHECK_EQ_U64(steps, 2);
    CHECK_EQ_U64(pvm_instance_get_reg(inst, 7), 6);
    CHECK_EQ_U64(r.gas_remaining, 100 - 4);
    pvm_instance_free(inst);
    pvm_module_free(m);
}

static void expect_malformed(PvmEngine engine, const uint8_t *blob, size_t len, const char *what, const char *part) {
    PvmModule m = pvm_module_new(engine, blob, len);
    CHECK(m == NULL);
    if (m) {
        fprintf(stderr, "  accepted: %s\n", what);
        pvm_module_free(m);
        return;
    }
    if (!strstr(pvm_ffi_last_error(), part)) {
        fprintf(stderr, "%s: message '%s' lacks '%s'\n", what, pvm_ffi_last_error(), part);
        ++g_failures;
    }
}

static void test_malformed(PvmEngine engine) {
    buffer c = container(0, 1, 0);
    char small[4];
    buffer t;
    expect_malformed(engine, c.bytes, 8, "truncated header", "header truncated");
    t = c;
    t.bytes[4] = 1;
    expect_malformed(engine, t.bytes, t.len, "version 1", "version 1");
    t.bytes[4] = 9;
    expect_malformed(engine, t.bytes, t.len, "version 9", "unknown version");
    expect_malformed(engine, c.bytes, c.len - 1, "wrong length", "length");
    t = container(0, 0, 0);
    expect_malformed(engine, t.bytes, t.len, "no code section", "no code section");
    t = container(0, 1, 1);
    expect_malformed(engine, t.bytes, t.len, "ro data too big", "exceeds ro_data_size");
    t = c; /* an unknown required section in place of the end marker */
    t.bytes[t.len - 1] = 7;
    t.bytes[t.len++] = 0;
    t.bytes[t.len++] = 0;
    finish(&t);
    expect_malformed(engine, t.bytes, t.len, "unknown section", "unknown required section");
    t = c; /* bytes after the end marker */
    t.bytes[t.len++] = 0;
    finish(&t);
    expect_malformed(engine, t.bytes, t.len, "trailing bytes", "after the end");
    {
        const uint8_t garbage[] = {0x05, 0x04, 0x7F, 1, 2};
        expect_malformed(engine, garbage, sizeof garbage, "garbage program blob", "");
        CHECK(strlen(pvm_ffi_last_error()) > 0);
    }
    expect_malformed(engine, NULL, 0, "empty blob", "");
    CHECK(pvm_module_new(NULL, c.bytes, c.len) == NULL);
    /* NULL handles (a failed creation passed on) are refused, never dereferenced. */
    CHECK(pvm_instance_new(engine, NULL) == NULL && strlen(pvm_ffi_last_error()) > 0);
    CHECK_EQ_U64(pvm_instance_run(NULL).status, PVM_FFI_PANIC);
    CHECK_EQ_U64(pvm_instance_get_reg(NULL, 7), 0);
    CHECK(pvm_instance_read_memory(NULL, 0x10000, (uint8_t *)small, 1) == -1);
    CHECK_EQ_U64(pvm_module_exports_count(NULL), 0);
    CHECK(pvm_module_export_name(NULL, 0, small, sizeof small) == -1);
    pvm_instance_set_gas(NULL, 1);
    pvm_instance_free(NULL);
    pvm_module_free(NULL);
}

int main(int argc, char **argv) {
    PvmEngine engines[2];
    const char *names[2] = {"interpreter", "recompiler (pvm_engine_new)"};
    int e;
    if (argc != 2) {
        fprintf(stderr, "usage: %s VECTORS.txt\n", argv[0]);
        return 2;
    }
    engines[0] = pvm_engine_new_interpreter();
    engines[1] = pvm_engine_new();
    CHECK(engines[0] != NULL);
    if (!engines[1]) printf("recompiler unavailable here: %s\n", pvm_ffi_last_error());
    for (e = 0; e < 2; ++e) {
        if (!engines[e]) continue;
        run_vectors(argv[1], engines[e], names[e]);
        test_container(engines[e]);
        test_step(engines[e]);
        test_malformed(engines[e]);
        pvm_engine_free(engines[e]);
    }
    {
        /* Gray Paper profiles: `unlikely` (opcode 3) exists only in the new-gas draft; under
         * GP 0.7.2 it is an undefined opcode (a trap). */
        seed_asm a;
        uint8_t blob[64];
        uint32_t len, gp, backend;
        memset(&a, 0, sizeof a);
        seed_op(&a, 3);
        asm_load_imm(&a, 7, 5);
        asm_ret(&a);
        len = seed_program_blob(&a, NULL, 0, blob);
        for (backend = 0; backend < 2; ++backend) {
            for (gp = 0; gp < 2; ++gp) {
                PvmEngine engine = pvm_engine_new_with(backend, gp);
                PvmModule m;
                PvmInstance inst;
                PvmResult r;
                if (!engine) continue; /* no recompiler here */
                m = pvm_module_new(engine, blob, len);
                CHECK(m != NULL);
                if (!m) continue;
                inst = pvm_instance_new(engine, m);
                pvm_instance_prepare_call(inst, 0);
                pvm_instance_set_gas(inst, 100);
                r = pvm_instance_run(inst);
                CHECK_EQ_U64(r.status, gp ? PVM_FFI_HALT : PVM_FFI_PANIC);
                CHECK_EQ_U64(pvm_instance_get_reg(inst, 7), gp ? 5 : 0);
                if (!gp) CHECK_EQ_U64(r.gas_remaining, 100 - 1); /* the trap ends its block */
                pvm_instance_free(inst);
                pvm_module_free(m);
                pvm_engine_free(engine);
            }
        }
        CHECK(pvm_engine_new_with(0, 2) == NULL && strlen(pvm_ffi_last_error()) > 0);
    }
    if (g_failures) {
        fprintf(stderr, "%d check(s) failed\n", g_failures);
        return 1;
    }
    printf("seed 003 (polkavm-ffi) API: all checks pass\n");
    return 0;
}
