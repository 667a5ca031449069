/* A program written only against pvm_vm.h (seed 004's pvm_vm_* API), C99: every vector on both
 * backends (code, bitmask and jump table given separately), then each function of the seed's API:
 * host callbacks (continue / terminate / error, reading and writing registers and shared memory),
 * memory regions shared with the host, the heap pointer, machine state, bulk registers.
 * usage: seed004_pvm_vm_test VECTORS.txt */
#include <pvm_vm.h>

#include "seed_common.h"

/* Seed 004's setters return void: success and refusal show in pvm_vm_last_error. */
#define CHECK_SET_OK(vm, call) \
    do {                       \
        call;                  \
        CHECK(pvm_vm_last_error(vm)[0] == 0); \
    } while (0)
#define CHECK_SET_REFUSED(vm, call) \
    do {                            \
        call;                       \
        CHECK(pvm_vm_last_error(vm)[0] != 0); \
    } while (0)

static pvm_config config_for(pvm_backend backend) {
    pvm_config c;
    memset(&c, 0, sizeof c);
    c.backend = backend;
    return c;
}

/* ---- vectors ---- */

static int run_vector(pvm_backend backend, const seed_vector *v) {
    const int before = g_failures;
    const pvm_config config = config_for(backend);
    pvm_vm_t *vm = pvm_vm_create_ex(&config, 0, v->code, v->code_len, v->regs, 13, v->pc);
    pvm_result_t r, expected = PVM_RESULT_OK;
    const uint64_t *regs;
    uint32_t i;
    CHECK(vm != NULL);
    if (!vm) return 0;
    CHECK_EQ_U64(pvm_vm_get_machine_state(vm), PVM_STATE_READY);
    CHECK_SET_OK(vm, pvm_vm_set_bitmask(vm, v->bitmask, v->bitmask_len));
    CHECK_SET_OK(vm, pvm_vm_set_jump_table(vm, v->jumps, v->njumps));
    for (i = 0; i < v->npages; ++i)
        CHECK(pvm_vm_map_pages(vm, v->page_address[i], v->page_length[i],
                               v->page_writable[i] ? PVM_ACCESS_WRITE : PVM_ACCESS_READ) == 0);
    for (i = 0; i < v->nmem; ++i) CHECK(pvm_vm_write_memory(vm, v->mem[i].address, v->mem[i].bytes, v->mem[i].length) == 0);
    pvm_vm_set_gas(vm, (uint64_t)v->gas);
    r = pvm_vm_execute(vm, v->pc);
    if (strcmp(v->status, "panic") == 0) expected = PVM_RESULT_PANIC;
    else if (strcmp(v->status, "page-fault") == 0) expected = PVM_RESULT_PAGE_FAULT;
    CHECK_EQ_U64(r, expected);
    CHECK_EQ_U64(pvm_vm_get_machine_state(vm), expected == PVM_RESULT_OK      ? PVM_STATE_HALT
                                                : expected == PVM_RESULT_PANIC ? PVM_STATE_PANIC
                                                                               : PVM_STATE_FAULT);
    CHECK_EQ_U64(pvm_vm_get_gas(vm), (uint64_t)v->expected_gas);
    CHECK_EQ_U64(pvm_vm_get_pc(vm), v->expected_pc);
    if (expected == PVM_RESULT_PAGE_FAULT) CHECK_EQ_U64(pvm_vm_get_fault_address(vm), v->fault);
    regs = pvm_vm_get_registers(vm);
    for (i = 0; i < 13; ++i) {
        CHECK_EQ_U64(regs[i], v->expected_regs[i]);
        CHECK_EQ_U64(pvm_vm_get_register(vm, (int)i), v->expected_regs[i]);
    }
    for (i = 0; i < v->nexpected; ++i) {
        uint8_t *got = (uint8_t *)seed_alloc(v->expected[i].length);
        CHECK(pvm_vm_read_memory(vm, v->expected[i].address, got, v->expected[i].length) == 0);
        CHECK(memcmp(got, v->expected[i].bytes, v->expected[i].length) == 0);
        free(got);
    }
    pvm_vm_destroy(vm);
    if (g_failures != before) fprintf(stderr, "  in vector %s (%s)\n", v->name, pvm_backend_name(backend));
    return g_failures == before;
}

static void run_vectors(const char *path, pvm_backend backend) {
    FILE *f = fopen(path, "r");
    seed_vector v;
    uint32_t total = 0, passed = 0, seen = 0;
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    while (seed_read_vector(f, &v, &total)) {
        passed += (uint32_t)run_vector(backend, &v);
        ++seen;
        seed_free_vector(&v);
    }
    fclose(f);
    printf("%s: %u/%u vectors pass\n", pvm_backend_name(backend), passed, total);
    CHECK(seen == total && total > 0);
    CHECK(passed == total);
}

/* ---- host callbacks and shared memory ---- */

enum { RO_SIZE = 4096, RW_SIZE = 4 * 4096, OUT_SIZE = 4096, STACK_SIZE = 4096 };
#define RO_BASE 0x10000u
#define RW_BASE 0x30000u /* 0x20000 + Z(ro_size) */
#define STACK_TOP 0xFEFE0000u
#define OUT_BASE 0xFEFF0000u

/* Host function 1 "fetch": writes A1 bytes of 0xAB at guest address A0 (in the rw buffer, directly,
 * after checking the range against the heap pointer as the seed's WriteRAMBytes does) and returns
 * the count in A0. Host function 2 "log": appends A0 to the log. 3: terminate. Anything else: error. */
typedef struct {
    uint8_t *rw;
    uint64_t log[8];
    unsigned logged, calls;
    uint8_t state_in_callback;
    pvm_vm_t *expected_vm;
} host_ctx;

static pvm_host_result_t host(pvm_vm_t *vm, int func_id, void *user_data) {
    host_ctx *h = (host_ctx *)user_data;
    ++h->calls;
    CHECK(vm == h->expected_vm);
    h->state_in_callback = pvm_vm_get_machine_state(vm);
    switch (func_id) {
        case 1: {
            const uint64_t addr = pvm_vm_get_register(vm, 7), len = pvm_vm_get_register(vm, 8);
            if (addr < RW_BASE || addr + len > pvm_vm_get_heap_pointer(vm)) {
                pvm_vm_set_register(vm, 7, (uint64_t)-1); /* out of bounds */
                return PVM_HOST_CONTINUE;
            }
            memset(h->rw + (addr - RW_BASE), 0xAB, (size_t)len);
            pvm_vm_set_register(vm, 7, len);
            return PVM_HOST_CONTINUE;
        }
        case 2:
            if (h->logged < 8) h->log[h->logged++] = pvm_vm_get_registers(vm)[7];
            return PVM_HOST_CONTINUE;
        case 3: return PVM_HOST_TERMINATE;
        default: return PVM_HOST_ERROR;
    }
}

/* main: A0 = RW_BASE + 64; A1 = 16; fetch; log A0; A2 = u64 [RO_BASE]; A0 = 2 * A2; log A0;
 *       push A2 (SP -= 8); A3 = u64 [A4] (A4 = the output region); log A3; u64 [RW_BASE] = A3; ret.
 * sbrk: A0 = sbrk(A1); ret.   term: ecalli 3 (terminate); trap; ecalli 9 (error); ret. */
typedef struct {
    seed_asm a;
    uint32_t pc_main, pc_sbrk, pc_term;
} program;

static program build_program(void) {
    program p;
    memset(&p, 0, sizeof p);
    p.pc_main = asm_load_imm(&p.a, 7, RW_BASE + 64);
    asm_load_imm(&p.a, 8, 16);
    asm_ecalli(&p.a, 1);
    asm_ecalli(&p.a, 2);
    asm_load_imm(&p.a, 12, RO_BASE);
    asm_load(&p.a, 9, 12, 0);
    asm_add(&p.a, 7, 9, 9);
    asm_ecalli(&p.a, 2); /* logs 2 * ro[0] */
    asm_add_imm(&p.a, 1, 1, (uint32_t)-8);
    asm_store(&p.a, 9, 1, 0);
    asm_load(&p.a, 10, 11, 0);
    asm_add_imm(&p.a, 7, 10, 0);
    asm_ecalli(&p.a, 2);
    asm_load_imm(&p.a, 12, RW_BASE);
    asm_store(&p.a, 10, 12, 0);
    asm_ret(&p.a);
    p.pc_sbrk = asm_sbrk(&p.a, 7, 8);
    asm_ret(&p.a);
    p.pc_term = asm_ecalli(&p.a, 3);
    asm_trap(&p.a);
    asm_ecalli(&p.a, 9); /* unknown: host error */
    asm_ret(&p.a);
    return p;
}

static void *aligned(size_t n) {
    uint8_t *p = (uint8_t *)seed_alloc(n + 8);
    memset(p, 0, n + 8);
    return p;
}

static void test_host_and_regions(pvm_backend backend) {
    const pvm_config config = config_for(backend);
    program p = build_program();
    uint8_t packed[64];
    const uint32_t packed_len = seed_pack(&p.a, packed);
    /* malloc'd buffers are 16-byte aligned; the regions need 8. */
    uint8_t *rw = (uint8_t *)aligned(RW_SIZE), *ro = (uint8_t *)aligned(RO_SIZE), *out = (uint8_t *)aligned(OUT_SIZE),
            *stack = (uint8_t *)aligned(STACK_SIZE);
    const uint64_t ro_value = 0x0102030405060708ull, out_value = 0x55AA55AA00000001ull;
    uint64_t initial[13] = {0xFFFF0000u, STACK_TOP, 0, 0, 0, 0, 0, 0, 0, 0, 0, OUT_BASE, 0};
    host_ctx h;
    pvm_vm_t *vm = pvm_vm_create_ex(&config, 42, p.a.code, p.a.len, initial, 13, p.pc_main);
    uint64_t v;
    uint32_t heap, got;
    int i;
    CHECK(vm != NULL);
    if (!vm) return;
    memset(&h, 0, sizeof h);
    h.rw = rw;
    h.expected_vm = vm;
    memcpy(ro, &ro_value, 8);
    memcpy(out, &out_value, 8);
    CHECK_EQ_U64(pvm_vm_get_service_index(vm), 42);
    CHECK_EQ_U64(pvm_vm_get_pc(vm), p.pc_main);
    CHECK_EQ_U64(pvm_vm_get_register(vm, 1), STACK_TOP);
    /* Until the bitmask is set every byte traps. */
    pvm_vm_set_gas(vm, 1000);
    CHECK_EQ_U64(pvm_vm_execute(vm, p.pc_main), PVM_RESULT_PANIC);
    CHECK_EQ_U64(pvm_vm_get_machine_state(vm), PVM_STATE_PANIC);
    /* Bad inputs are refused with a reason. */
    CHECK_SET_REFUSED(vm, pvm_vm_set_bitmask(vm, packed, packed_len + 1));
    CHECK_SET_REFUSED(vm, pvm_vm_set_memory_regions(vm, rw, 100, NULL, 0, NULL, 0, NULL, 0));
    CHECK_SET_REFUSED(vm, pvm_vm_set_memory_regions(vm, rw + 1, 4096, NULL, 0, NULL, 0, NULL, 0));
    CHECK_SET_REFUSED(vm, pvm_vm_set_memory_regions(vm, NULL, 4096, NULL, 0, NULL, 0, NULL, 0));
    /* Packed and unpacked bitmasks give the same program. */
    CHECK_SET_OK(vm, pvm_vm_set_bitmask(vm, p.a.starts, p.a.len));
    CHECK_SET_OK(vm, pvm_vm_set_bitmask(vm, packed, packed_len));
    CHECK_SET_OK(vm, pvm_vm_set_jump_table(vm, NULL, 0));
    CHECK_SET_OK(vm, pvm_vm_set_memory_regions(vm, rw, RW_SIZE, ro, RO_SIZE, out, OUT_SIZE, stack, STACK_SIZE));
    CHECK_EQ_U64(pvm_vm_get_heap_pointer(vm), RW_BASE + RW_SIZE); /* the whole rw buffer is mapped */

    /* No callback: the VM stops at the first ecalli; the host answers and resumes. */
    pvm_vm_set_gas(vm, 1000);
    CHECK_EQ_U64(pvm_vm_execute(vm, p.pc_main), PVM_RESULT_HOST_CALL);
    CHECK_EQ_U64(pvm_vm_get_machine_state(vm), PVM_STATE_HOST);
    CHECK_EQ_U64(pvm_vm_get_host_call(vm), 1);
    pvm_vm_set_register(vm, 7, 1234);
    CHECK_EQ_U64(pvm_vm_resume(vm), PVM_RESULT_HOST_CALL);
    CHECK_EQ_U64(pvm_vm_get_host_call(vm), 2);
    CHECK_EQ_U64(pvm_vm_get_register(vm, 7), 1234);

    /* With the callback: the whole program runs in one execute. */
    pvm_vm_set_host_callback(vm, host, &h);
    for (i = 0; i < 13; ++i) pvm_vm_set_register(vm, i, initial[i]);
    pvm_vm_set_gas(vm, 1000);
    CHECK_EQ_U64(pvm_vm_execute(vm, p.pc_main), PVM_RESULT_OK);
    CHECK_EQ_U64(pvm_vm_get_machine_state(vm), PVM_STATE_HALT);
    CHECK_EQ_U64(h.state_in_callback, PVM_STATE_HOST);
    CHECK_EQ_U64(h.calls, 4);
    CHECK_EQ_U64(h.logged, 3);
    CHECK_EQ_U64(h.log[0], 16);             /* fetch returned the count */
    CHECK_EQ_U64(h.log[1], 2 * ro_value);   /* the guest read the host's ro buffer */
    CHECK_EQ_U64(h.log[2], out_value);      /* and the output buffer */
    CHECK(rw[63] == 0 && rw[64] == 0xAB && rw[79] == 0xAB && rw[80] == 0); /* the host wrote rw */
    memcpy(&v, rw, 8);
    CHECK_EQ_U64(v, out_value); /* the guest's store is in the host's buffer */
    memcpy(&v, stack + STACK_SIZE - 8, 8);
    CHECK_EQ_U64(v, ro_value); /* the push landed in the stack buffer */
    CHECK(pvm_vm_get_gas(vm) < 1000 && pvm_vm_get_gas(vm) > 900);
    /* Host writes seen by the guest at once, through the API too. */
    rw[100] = 0x5A;
    CHECK(pvm_vm_read_memory(vm, RW_BASE + 100, &rw[200], 1) == 0 && rw[200] == 0x5A);
    /* The host may write the (guest read-only) output region through the API too. */
    CHECK(pvm_vm_write_memory(vm, OUT_BASE, "x", 1) == 0);
    CHECK(out[0] == 'x');

    /* Heap pointer: lowered, the guest's sbrk grows it again inside the rw buffer. */
    CHECK_SET_OK(vm, pvm_vm_set_heap_pointer(vm, RW_BASE + 4096));
    CHECK_EQ_U64(pvm_vm_get_heap_pointer(vm), RW_BASE + 4096);
    CHECK(pvm_vm_read_memory(vm, RW_BASE + 4096, &rw[200], 1) == -1); /* above the heap pointer */
    pvm_vm_set_register(vm, 8, 8192);
    pvm_vm_set_gas(vm, 100);
    CHECK_EQ_U64(pvm_vm_execute(vm, p.pc_sbrk), PVM_RESULT_OK);
    got = (uint32_t)pvm_vm_get_register(vm, 7);
    CHECK_EQ_U64(got, RW_BASE + 4096);
    heap = pvm_vm_get_heap_pointer(vm);
    CHECK_EQ_U64(heap, RW_BASE + 3 * 4096);
    rw[4096 + 8] = 0x77; /* the new pages are the rw buffer's */
    CHECK(pvm_vm_read_memory(vm, RW_BASE + 4096 + 8, &rw[200], 1) == 0 && rw[200] == 0x77);
    pvm_vm_set_register(vm, 8, 2 * 8192); /* past the rw buffer: sbrk fails (0) */
    pvm_vm_set_gas(vm, 100);
    CHECK_EQ_U64(pvm_vm_execute(vm, p.pc_sbrk), PVM_RESULT_OK);
    CHECK_EQ_U64(pvm_vm_get_register(vm, 7), 0);
    CHECK_EQ_U64(pvm_vm_get_heap_pointer(vm), heap);
    CHECK_SET_REFUSED(vm, pvm_vm_set_heap_pointer(vm, RW_BASE + RW_SIZE + 4096)); /* outside the heap */

    /* TERMINATE halts at the ecalli; ERROR (unknown host function) panics. */
    pvm_vm_set_gas(vm, 100);
    CHECK_EQ_U64(pvm_vm_execute(vm, p.pc_term), PVM_RESULT_OK);
    CHECK_EQ_U64(pvm_vm_get_pc(vm), p.pc_term);
    pvm_vm_set_gas(vm, 100);
    CHECK_EQ_U64(pvm_vm_execute(vm, p.pc_term + 5 + 1), PVM_RESULT_PANIC);
    CHECK_EQ_U64(pvm_vm_get_machine_state(vm), PVM_STATE_PANIC);
    /* Out of gas. */
    pvm_vm_set_gas(vm, 1);
    CHECK_EQ_U64(pvm_vm_execute(vm, p.pc_main), PVM_RESULT_OOG);
    CHECK_EQ_U64(pvm_vm_get_machine_state(vm), PVM_STATE_OOG);
    CHECK_EQ_U64(pvm_vm_get_gas(vm), 1);
    pvm_vm_destroy(vm);

    /* Regions replaced: the old buffers are no longer the guest's. */
    vm = pvm_vm_create_ex(&config, 0, p.a.code, p.a.len, NULL, 0, 0);
    CHECK(vm != NULL);
    CHECK_SET_OK(vm, pvm_vm_set_memory_regions(vm, rw, RW_SIZE, NULL, 0, NULL, 0, NULL, 0));
    CHECK(pvm_vm_read_memory(vm, 0x20000, &v, 8) == 0); /* no ro region: rw at 0x20000 + Z(0) */
    CHECK_SET_OK(vm, pvm_vm_set_memory_regions(vm, NULL, 0, ro, RO_SIZE, NULL, 0, NULL, 0));
    CHECK(pvm_vm_read_memory(vm, 0x20000, &v, 8) == -1);
    CHECK(pvm_vm_read_memory(vm, RO_BASE, &v, 8) == 0);
    CHECK_EQ_U64(v, ro_value);
    pvm_vm_destroy(vm);
    free(rw);
    free(ro);
    free(out);
    free(stack);
}

/* A dynamic jump through the jump table set after creation. */
static void test_jump_table(pvm_backend backend) {
    const pvm_config config = config_for(backend);
    seed_asm a;
    uint32_t target, table[2];
    pvm_vm_t *vm;
    memset(&a, 0, sizeof a);
    asm_load_imm(&a, 7, 4); /* jump address 4 = table entry 2 */
    seed_op(&a, OP_JUMP_IND);
    seed_byte(&a, 7);
    asm_trap(&a);
    target = asm_load_imm(&a, 8, 99);
    asm_ret(&a);
    table[0] = 0;
    table[1] = target;
    vm = pvm_vm_create_ex(&config, 0, a.code, a.len, NULL, 0, 0);
    CHECK(vm != NULL);
    CHECK_SET_OK(vm, pvm_vm_set_bitmask(vm, a.starts, a.len));
    pvm_vm_set_register(vm, 0, 0xFFFF0000u);
    pvm_vm_set_gas(vm, 100);
    CHECK_EQ_U64(pvm_vm_execute(vm, 0), PVM_RESULT_PANIC); /* no table yet */
    CHECK_SET_OK(vm, pvm_vm_set_jump_table(vm, table, 2));
    pvm_vm_set_register(vm, 7, 0);
    pvm_vm_set_gas(vm, 100);
    CHECK_EQ_U64(pvm_vm_execute(vm, 0), PVM_RESULT_OK);
    CHECK_EQ_U64(pvm_vm_get_register(vm, 8), 99);
    table[1] = 1; /* not a basic-block start: the jump panics (GP A.4 djump) */
    CHECK_SET_OK(vm, pvm_vm_set_jump_table(vm, table, 2));
    pvm_vm_set_register(vm, 8, 0);
    pvm_vm_set_gas(vm, 100);
    CHECK_EQ_U64(pvm_vm_execute(vm, 0), PVM_RESULT_PANIC);
    CHECK_EQ_U64(pvm_vm_get_register(vm, 8), 0);
    /* A bitmask of the wrong length is refused and says why. */
    CHECK_SET_REFUSED(vm, pvm_vm_set_bitmask(vm, a.starts, a.len - 1));
    pvm_vm_destroy(vm);
    /* Creation refuses impossible arguments. */
    CHECK(pvm_vm_create(0, NULL, 4, NULL, 0, 0) == NULL);
    {
        const uint64_t regs[14] = {0};
        CHECK(pvm_vm_create(0, a.code, a.len, regs, 14, 0) == NULL);
    }
    CHECK(pvm_vm_create(0, a.code, a.len, NULL, 0, (uint64_t)1 << 32) == NULL);
    vm = pvm_vm_create(0, a.code, a.len, NULL, 0, 0); /* the seed's own signature: interpreter */
    CHECK(vm != NULL);
    pvm_vm_destroy(vm);
    /* NULL handles (a failed creation passed on) are refused, never dereferenced. */
    CHECK_EQ_U64(pvm_vm_execute(NULL, 0), PVM_RESULT_PANIC);
    CHECK_EQ_U64(pvm_vm_get_register(NULL, 7), 0);
    CHECK(pvm_vm_get_registers(NULL) == NULL);
    pvm_vm_set_bitmask(NULL, a.starts, a.len);
    pvm_vm_set_gas(NULL, 5);
    pvm_vm_set_host_callback(NULL, NULL, NULL);
    pvm_vm_destroy(NULL);
}

int main(int argc, char **argv) {
    const pvm_backend backends[2] = {PVM_BACKEND_INTERPRETER, PVM_BACKEND_RECOMPILER};
    int b;
    if (argc != 2) {
        fprintf(stderr, "usage: %s VECTORS.txt\n", argv[0]);
        return 2;
    }
    for (b = 0; b < 2; ++b) {
        if (!pvm_backend_available(backends[b])) {
            printf("%s unavailable here\n", pvm_backend_name(backends[b]));
            continue;
        }
        run_vectors(argv[1], backends[b]);
        test_host_and_regions(backends[b]);
        test_jump_table(backends[b]);
    }
    if (g_failures) {
        fprintf(stderr, "%d check(s) failed\n", g_failures);
        return 1;
    }
    printf("seed 004 (pvm_vm) API: all checks pass\n");
    return 0;
}
