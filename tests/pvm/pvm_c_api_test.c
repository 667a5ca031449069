/* libpvm C API test, in C99: host callbacks that read arguments from registers and memory and
 * write results back, terminate and error paths, and two VMs run from two threads at once.
 * Returns nonzero on failure. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "pvm.h"

static int failures = 0;
#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            ++failures;                                                      \
        }                                                                    \
    } while (0)

/* Hand-assembled program (GP 0.7.2 opcodes), 3-byte header, no jump table:
 *   0: ecalli 1              ; host: r7 = sum of the r8 bytes at [r7], writes r8 bytes reversed at r9
 *   2: ecalli 2              ; host: decides CONTINUE / TERMINATE / ERROR from r10
 *   4: load_imm r2, -65536   ; 0xFFFF0000
 *   9: jump_ind r2, 0        ; halt
 */
static uint8_t blob[3 + 12 + 2];
static const size_t kBlobLen = sizeof blob;

static void build_blob(void) {
    /* code: 10 1 | 10 2 | 51 2 00 00 FF | 50 2 : 12 bytes */
    static const uint8_t code[12] = {10, 1, 10, 2, 51, 2, 0x00, 0x00, 0xFF, 50, 2, 0};
    size_t n = 0;
    blob[n++] = 0;
    blob[n++] = 0;
    blob[n++] = 12;
    memcpy(blob + n, code, sizeof code);
    n += sizeof code;
    blob[n++] = 0x15; /* bitmask: instruction starts at 0, 2, 4 */
    blob[n++] = 0x02; /* and 9 */
}

struct host_state {
    int calls;
    uint32_t last_index;
};

static pvm_host_result host(pvm_vm *vm, uint32_t index, void *user) {
    struct host_state *hs = (struct host_state *)user;
    hs->calls++;
    hs->last_index = index;
    if (index == 1) {
        uint32_t addr = (uint32_t)pvm_get_reg(vm, 7);
        uint32_t len = (uint32_t)pvm_get_reg(vm, 8);
        uint32_t out = (uint32_t)pvm_get_reg(vm, 9);
        uint8_t buf[64], rev[64];
        uint64_t sum = 0;
        uint32_t i;
        if (len > sizeof buf || pvm_read_memory(vm, addr, buf, len) != 0) return PVM_HOST_ERROR;
        for (i = 0; i < len; ++i) {
            sum += buf[i];
            rev[i] = buf[len - 1 - i];
        }
        if (pvm_write_memory(vm, out, rev, len) != 0) return PVM_HOST_ERROR;
        pvm_set_reg(vm, 7, sum);
        pvm_set_gas(vm, pvm_get_gas(vm) - 10); /* host calls cost gas */
        return PVM_HOST_CONTINUE;
    }
    if (index == 2) {
        switch (pvm_get_reg(vm, 10)) {
            case 0: return PVM_HOST_CONTINUE;
            case 1: return PVM_HOST_TERMINATE;
            default: return PVM_HOST_ERROR;
        }
    }
    return PVM_HOST_ERROR;
}

static pvm_vm *make_vm(uint64_t mode, struct host_state *hs) {
    pvm_error err;
    pvm_vm *vm = pvm_create(PVM_BACKEND_INTERPRETER, blob, kBlobLen, &err);
    const uint8_t input[5] = {1, 2, 3, 4, 250};
    if (!vm) {
        fprintf(stderr, "pvm_create: %s\n", err.message);
        return NULL;
    }
    CHECK(pvm_map_pages(vm, 0x20000, 0x1000, PVM_ACCESS_READ) == 0);
    CHECK(pvm_map_pages(vm, 0x30000, 0x1000, PVM_ACCESS_WRITE) == 0);
    CHECK(pvm_poke_memory(vm, 0x20000, input, sizeof input) == 0);
    pvm_set_reg(vm, 7, 0x20000);
    pvm_set_reg(vm, 8, sizeof input);
    pvm_set_reg(vm, 9, 0x30000);
    pvm_set_reg(vm, 10, mode);
    pvm_set_gas(vm, 1000);
    pvm_set_host_callback(vm, host, hs);
    return vm;
}

static void test_host_paths(void) {
    uint64_t mode;
    for (mode = 0; mode < 3; ++mode) {
        struct host_state hs = {0, 0};
        pvm_vm *vm = make_vm(mode, &hs);
        pvm_status s;
        uint8_t out[5];
        if (!vm) {
            ++failures;
            return;
        }
        s = pvm_run(vm);
        CHECK(hs.calls == 2);
        CHECK(hs.last_index == 2);
        CHECK(pvm_get_reg(vm, 7) == 260);
        CHECK(pvm_read_memory(vm, 0x30000, out, 5) == 0);
        CHECK(out[0] == 250 && out[1] == 4 && out[4] == 1);
        if (mode == 0) {
            CHECK(s == PVM_HALT);
            CHECK(pvm_get_pc(vm) == 9);
            CHECK(pvm_get_gas(vm) == 1000 - 4 - 10);
        } else if (mode == 1) {
            CHECK(s == PVM_HALT); /* terminated by the host at the ecalli */
            CHECK(pvm_get_pc(vm) == 2);
        } else {
            CHECK(s == PVM_PANIC);
            CHECK(pvm_get_pc(vm) == 2);
        }
        pvm_destroy(vm);
    }
}

static void test_no_callback(void) {
    pvm_error err;
    pvm_vm *vm = pvm_create(PVM_BACKEND_INTERPRETER, blob, kBlobLen, &err);
    CHECK(vm != NULL);
    if (!vm) return;
    pvm_set_gas(vm, 100);
    CHECK(pvm_run(vm) == PVM_HOST_CALL);
    CHECK(pvm_host_call_index(vm) == 1);
    CHECK(pvm_get_pc(vm) == 0);
    CHECK(pvm_run(vm) == PVM_HOST_CALL);
    CHECK(pvm_host_call_index(vm) == 2);
    CHECK(pvm_run(vm) == PVM_HALT);
    CHECK(pvm_get_gas(vm) == 96);
    pvm_destroy(vm);

    /* Errors are reported, never a crash. */
    CHECK(pvm_create(PVM_BACKEND_INTERPRETER, blob, 5, &err) == NULL);
    CHECK(err.code == PVM_ERR_MALFORMED_BLOB);
    if (!pvm_backend_available(PVM_BACKEND_RECOMPILER)) {
        CHECK(pvm_create(PVM_BACKEND_RECOMPILER, blob, kBlobLen, &err) == NULL);
        CHECK(err.code == PVM_ERR_BACKEND_UNAVAILABLE);
    } else {
        /* The recompiler runs the same program through the C API, host calls included. */
        vm = pvm_create(PVM_BACKEND_RECOMPILER, blob, kBlobLen, &err);
        CHECK(vm != NULL);
        if (vm) {
            pvm_set_gas(vm, 100);
            CHECK(pvm_run(vm) == PVM_HOST_CALL);
            CHECK(pvm_host_call_index(vm) == 1);
            CHECK(pvm_get_pc(vm) == 0);
            CHECK(pvm_run(vm) == PVM_HOST_CALL);
            CHECK(pvm_host_call_index(vm) == 2);
            CHECK(pvm_run(vm) == PVM_HALT);
            CHECK(pvm_get_gas(vm) == 96);
            pvm_destroy(vm);
        }
    }
}

/* Two threads, each with its own VM, running a loop of host calls concurrently. */
struct thread_arg {
    int iterations;
    int ok;
};

static void *thread_main(void *p) {
    struct thread_arg *ta = (struct thread_arg *)p;
    int i;
    ta->ok = 1;
    for (i = 0; i < ta->iterations; ++i) {
        struct host_state hs = {0, 0};
        pvm_vm *vm = make_vm(0, &hs);
        if (!vm || pvm_run(vm) != PVM_HALT || pvm_get_reg(vm, 7) != 260 || hs.calls != 2) ta->ok = 0;
        pvm_destroy(vm);
    }
    return NULL;
}

static void test_threads(void) {
    pthread_t t[2];
    struct thread_arg a[2] = {{200, 0}, {200, 0}};
    int i;
    for (i = 0; i < 2; ++i) CHECK(pthread_create(&t[i], NULL, thread_main, &a[i]) == 0);
    for (i = 0; i < 2; ++i) CHECK(pthread_join(t[i], NULL) == 0);
    CHECK(a[0].ok && a[1].ok);
}

int main(void) {
    build_blob();
    test_host_paths();
    test_no_callback();
    test_threads();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("pvm C API test: all checks passed\n");
    return 0;
}
