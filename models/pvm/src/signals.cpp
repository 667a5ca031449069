#include "signals.h"

#include <signal.h>

#include <cerrno>
#include <mutex>

namespace pvm {

namespace {

// Initial-exec TLS: reading it in the handler never allocates.
__thread ActiveRun* t_run __attribute__((tls_model("initial-exec"))) = nullptr;

struct sigaction g_previous;
bool g_installed = false;
const char* g_failure = nullptr;

// Hands a fault that is not ours to the handler that was installed before libpvm's.
void chain(int sig, siginfo_t* info, void* uc) {
    const struct sigaction& p = g_previous;
    if (p.sa_flags & SA_SIGINFO) {
        if (p.sa_sigaction) p.sa_sigaction(sig, info, uc);
        return;
    }
    if (p.sa_handler == SIG_DFL || p.sa_handler == SIG_IGN) {
        // The default action: restore it and let the faulting instruction run again (or raise
        // a signal that was sent rather than caused by a fault).
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        sigaction(sig, &dfl, nullptr);
        if (info->si_code <= 0) raise(sig);
        return;
    }
    p.sa_handler(sig);
}

void on_segv(int sig, siginfo_t* info, void* ucv) {
    const int saved_errno = errno;
    ucontext_t* uc = static_cast<ucontext_t*>(ucv);
    ActiveRun* run = t_run;
    if (run && info->si_code > 0) {
        const unsigned char* rip = reinterpret_cast<const unsigned char*>(uc->uc_mcontext.gregs[REG_RIP]);
        if (rip >= run->code_begin && rip < run->code_end && run->resolve(run, uc, info->si_addr)) {
            errno = saved_errno;
            return;
        }
    }
    chain(sig, info, ucv);
    errno = saved_errno;
}

}  // namespace

bool install_fault_handler(const char** why) {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction sa {};
        sa.sa_sigaction = on_segv;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGSEGV, &sa, &g_previous) != 0) {
            g_failure = "cannot install the SIGSEGV handler";
            return;
        }
        g_installed = true;
    });
    if (!g_installed && why) *why = g_failure;
    return g_installed;
}

void push_run(ActiveRun* run) {
    run->prev = t_run;
    t_run = run;
}

void pop_run(ActiveRun* run) { t_run = run->prev; }

}  // namespace pvm
