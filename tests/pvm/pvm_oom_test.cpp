// Issue 19 item 11: running out of host memory never aborts the process. A large program (the
// report's 450 KB blob: 400,000 `fallthrough` blocks) is created and run in child processes
// under a sweep of address-space limits (RLIMIT_AS), so allocations fail at every stage
// (reservation, parsing, code generation, the first run); each child must either succeed or get
// PVM_ERR_OUT_OF_MEMORY, never die of a signal. Only the C API is used.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "pvm.h"

namespace {

// Header: no jump table, entry size 0, code length 400,002 (E: C6 82 1A); 400,000 `fallthrough`
// (01), `jump_ind r0, 0` (32 00); bitmask: every byte starts an instruction.
std::vector<uint8_t> big_blob() {
    std::vector<uint8_t> b = {0x00, 0x00, 0xC6, 0x82, 0x1A};
    b.insert(b.end(), 400000, 0x01);
    b.push_back(0x32);
    b.push_back(0x00);
    b.insert(b.end(), 50001, 0xFF);
    return b;
}

size_t vm_size_bytes() {
    std::ifstream f("/proc/self/statm");
    size_t pages = 0;
    f >> pages;
    return pages * size_t(sysconf(_SC_PAGESIZE));
}

enum Outcome { kRan = 0, kOutOfMemory = 1, kOtherError = 2, kWrongResult = 3 };

// Child: limit the address space, create and run; the exit code is the Outcome. noexcept: an
// exception out of libpvm ends the child with SIGABRT (as it would a C caller).
// The guard-page model is asked for explicitly (PVM_MEMORY_GUARD_PAGES): by default a VM whose
// 4 GiB cannot be reserved falls back to the checked model, which would hide the failures.
[[noreturn]] void child(size_t limit, pvm_backend backend, const char* model, const std::vector<uint8_t>& blob) noexcept {
    struct rlimit rl = {limit, limit};
    if (setrlimit(RLIMIT_AS, &rl) != 0) _exit(kOtherError);
    pvm_error err;
    std::memset(&err, 0, sizeof err);
    const pvm_memory_model m = !model                          ? PVM_MEMORY_DEFAULT
                               : std::strcmp(model, "guard") == 0 ? PVM_MEMORY_GUARD_PAGES
                                                                : PVM_MEMORY_CHECKED;
    pvm_vm* vm = pvm_create_ex(backend, m, blob.data(), blob.size(), &err);
    if (!vm) _exit(err.code == PVM_ERR_OUT_OF_MEMORY ? kOutOfMemory : kOtherError);
    pvm_set_reg(vm, 0, PVM_HALT_ADDRESS);
    pvm_set_gas(vm, 500000);
    const pvm_status s = pvm_run(vm);
    const bool ok = s == PVM_HALT && pvm_get_gas(vm) == 500000 - 400001;
    pvm_destroy(vm);
    _exit(ok ? kRan : kWrongResult);
}

struct Sweep {
    int ran = 0, out_of_memory = 0;
    std::string bad;
};

void run_child(size_t limit, pvm_backend backend, const char* model, const std::vector<uint8_t>& blob, Sweep& sw) {
    std::fflush(nullptr);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) child(limit, backend, model, blob);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    char what[160];
    if (WIFSIGNALED(status)) {
        std::snprintf(what, sizeof what, "limit %zu MiB: killed by signal %d\n", limit >> 20, WTERMSIG(status));
        sw.bad += what;
    } else if (WEXITSTATUS(status) == kRan) {
        ++sw.ran;
    } else if (WEXITSTATUS(status) == kOutOfMemory) {
        ++sw.out_of_memory;
    } else {
        std::snprintf(what, sizeof what, "limit %zu MiB: outcome %d\n", limit >> 20, WEXITSTATUS(status));
        sw.bad += what;
    }
}

class PvmOutOfMemory : public ::testing::Test {
protected:
    void SetUp() override {
#if defined(__SANITIZE_ADDRESS__)
        GTEST_SKIP() << "address-space limits do not work under AddressSanitizer";
#endif
    }
};

TEST_F(PvmOutOfMemory, ReportedLimitGivesAnErrorOrARunNeverAnAbort) {
    // The report: `ulimit -v` 4250 MiB, the recompiler.
    const auto blob = big_blob();
    for (pvm_backend b : {PVM_BACKEND_RECOMPILER, PVM_BACKEND_INTERPRETER}) {
        if (!pvm_backend_available(b)) continue;
        Sweep sw;
        run_child(size_t(4250) << 20, b, nullptr, blob, sw);
        EXPECT_TRUE(sw.bad.empty()) << pvm_backend_name(b) << ": " << sw.bad;
        EXPECT_EQ(sw.ran + sw.out_of_memory, 1);
    }
}

TEST_F(PvmOutOfMemory, EveryLimitGivesAnErrorOrARun) {
    const auto blob = big_blob();
    const size_t base = vm_size_bytes();
    struct Config {
        pvm_backend backend;
        const char* model;
        size_t from;  // first limit above the current address-space size
    };
    const Config configs[] = {
        {PVM_BACKEND_RECOMPILER, "guard", size_t(4) << 30},
        {PVM_BACKEND_RECOMPILER, "checked", 0},
        {PVM_BACKEND_INTERPRETER, nullptr, 0},
    };
    for (const Config& c : configs) {
        if (!pvm_backend_available(c.backend)) continue;
        SCOPED_TRACE(std::string(pvm_backend_name(c.backend)) + (c.model ? std::string("/") + c.model : ""));
        Sweep sw;
        // 16 limits, 8 MiB apart: from too small for anything to enough for everything.
        for (int k = 0; k < 16; ++k) run_child(base + c.from + size_t(k) * (8u << 20), c.backend, c.model, blob, sw);
        run_child(base + c.from + (size_t(1) << 30), c.backend, c.model, blob, sw);  // plenty
        EXPECT_TRUE(sw.bad.empty()) << sw.bad;
        EXPECT_GT(sw.out_of_memory, 0);
        EXPECT_GT(sw.ran, 0);
        std::printf("%s%s%s: %d limits ran, %d gave PVM_ERR_OUT_OF_MEMORY\n", pvm_backend_name(c.backend),
                    c.model ? "/" : "", c.model ? c.model : "", sw.ran, sw.out_of_memory);
    }
}

}  // namespace
