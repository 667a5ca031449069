// The guard-page model's SIGSEGV handler coexists with the embedding process: a fault in host
// code goes to the handler installed before libpvm's (SA_SIGINFO or plain), or, without one,
// gets the default action; guest faults never reach them. Each case runs in a child process.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "assembler.h"
#include "pvm.h"

namespace {

volatile sig_atomic_t g_host_faults = 0;
void* g_host_page = nullptr;

void fix_page() {
    ++g_host_faults;
    mprotect(g_host_page, 4096, PROT_READ | PROT_WRITE);  // let the access complete
}
void on_segv_info(int, siginfo_t*, void*) { fix_page(); }
void on_segv_plain(int) { fix_page(); }

// A guest that stores to an unmapped page (a page fault through the handler).
std::vector<uint8_t> faulting_guest() {
    pvm::Assembler a;
    a.reg_imm(pvm::op_store_u32, 7, 0x30000);
    a.halt_via(2);
    return a.blob();
}

constexpr int kNoGuardPages = 20;

// Child (libpvm's handler is not installed yet: the parent never creates a VM): guest faults go to libpvm, the host fault to the previous handler (if any). Exit code
// 0 when everything behaved.
[[noreturn]] void child(int handler) {
    if (handler == 1) {
        struct sigaction sa {};
        sa.sa_sigaction = on_segv_info;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGSEGV, &sa, nullptr);
    } else if (handler == 2) {
        signal(SIGSEGV, on_segv_plain);
    }
    g_host_page = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    const auto blob = faulting_guest();
    pvm_error err{};
    pvm_vm* vm = pvm_create_ex(PVM_BACKEND_RECOMPILER, PVM_MEMORY_GUARD_PAGES, blob.data(), blob.size(), &err);
    if (!vm) _exit(kNoGuardPages);
    for (int round = 0; round < 2; ++round) {
        pvm_set_pc(vm, 0);
        pvm_set_gas(vm, 100);
        if (pvm_run(vm) != PVM_PAGE_FAULT || pvm_fault_address(vm) != 0x30000) _exit(11);
        if (g_host_faults != round) _exit(12);  // the guest fault did not reach the host handler
        // A fault in host code: the previous handler (or the default action).
        *static_cast<volatile uint32_t*>(g_host_page) = 1;
        if (g_host_faults != round + 1) _exit(13);
        mprotect(g_host_page, 4096, PROT_NONE);
    }
    pvm_destroy(vm);
    _exit(0);
}

int run_child(int handler) {
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0) child(handler);
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

#define SKIP_WITHOUT_GUARD_PAGES(st) \
    if (WIFEXITED(st) && WEXITSTATUS(st) == kNoGuardPages) GTEST_SKIP() << "no guard-page model on this host"

TEST(PvmSignals, HostFaultsReachThePreviousSigInfoHandler) {
    const int st = run_child(1);
    SKIP_WITHOUT_GUARD_PAGES(st);
    ASSERT_TRUE(WIFEXITED(st)) << "signal " << WTERMSIG(st);
    EXPECT_EQ(WEXITSTATUS(st), 0);
}

TEST(PvmSignals, HostFaultsReachThePreviousPlainHandler) {
    const int st = run_child(2);
    SKIP_WITHOUT_GUARD_PAGES(st);
    ASSERT_TRUE(WIFEXITED(st)) << "signal " << WTERMSIG(st);
    EXPECT_EQ(WEXITSTATUS(st), 0);
}

TEST(PvmSignals, HostFaultWithoutHandlerGetsTheDefaultAction) {
    const int st = run_child(0);
    SKIP_WITHOUT_GUARD_PAGES(st);
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer's handler was there first: it reports the SEGV and exits non-zero.
    EXPECT_TRUE(WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) != 0 && WEXITSTATUS(st) < 10));
#else
    ASSERT_TRUE(WIFSIGNALED(st)) << "exit " << WEXITSTATUS(st);
    EXPECT_EQ(WTERMSIG(st), SIGSEGV);
#endif
}

}  // namespace
