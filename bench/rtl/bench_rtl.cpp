// Transactions per second through the RTL bridges: the Verilated CRC-32 in
// process (APB and AXI4-Lite) and in a second process (rtl_peer) over a Unix
// socket, TCP and shared memory (futex sleep at once, futex wake-ups after
// 50 us of polling, busy polling on both sides): blocking reads, and batched
// posted writes. Then the shared-memory transport alone and the machine's
// ceiling for a hand-off between CPUs, to read the figures by.
//   bench_rtl [in-process transactions] [out-of-process reads] [pin] [shm]
// (posted writes: 10x the reads). "pin": vp's process (and thread) on CPU 0,
// the other process (or thread) on CPU 1, as `taskset -c` would. "shm": the
// shared-memory figures and the baseline only (no in-process, no sockets).
// For shared memory, the system calls vp's side made while waiting are
// printed per transaction (futex sleeps and wakes, sched_yield).
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <thread>

#include <systemc>

#include "models/rtl/rtl_bridge.h"
#include "models/rtl/socket_bridge.h"
#include "models/rtl/vp_rtl_shm.h"
#include "tests/support/test_initiator.h"

std::unique_ptr<vp::rtl::RtlModel> vp_rtl_make_crc32();
std::unique_ptr<vp::rtl::RtlModel> vp_rtl_make_crc32_axil();

namespace {

using Clock = std::chrono::steady_clock;

bool g_pin = false;

// With "pin": this process or thread on `cpu` only.
void pin_to(int cpu) {
  if (!g_pin) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) std::perror("sched_setaffinity");
}

void print_syscalls(const vp_shm& s, uint64_t n) {
  std::printf("%-66s %8.3f futex sleeps, %.3f futex wakes, %.3f yields per transaction\n", "    vp side:",
              double(s.futex_waits) / double(n), double(s.futex_wakes) / double(n), double(s.yields) / double(n));
}

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

// Wall-clock rate, and the CPU time this process spent per transaction (on a
// loaded machine the wall-clock rate shows the scheduler more than the code).
template <typename F>
void report(const char* what, uint64_t n, F&& body) {
  const auto t0 = Clock::now();
  const double c0 = cpu_seconds();
  body();
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  const double c = cpu_seconds() - c0;
  std::printf("%-66s %8.3f M transactions/s  (%llu in %.3f s; vp CPU %.3f us each)\n", what, double(n) / s / 1e6,
              (unsigned long long)n, s, c / double(n) * 1e6);
}

void in_process(const char* label, std::unique_ptr<vp::rtl::RtlModel> model, uint64_t n, const char* tag) {
  auto& bridge = *new vp::rtl::RtlBridge((std::string("rtl_") + tag).c_str(), std::move(model), {});
  auto& init = *new vp::test::TestInitiator((std::string("init_") + tag).c_str());
  init.socket.bind(bridge.socket);
  volatile uint32_t sink = 0;
  report((std::string(label) + ", reads").c_str(), n, [&] {
    for (uint64_t i = 0; i < n; ++i) sink = sink + init.read32(0x10);
  });
  report((std::string(label) + ", writes").c_str(), n, [&] {
    for (uint64_t i = 0; i < n; ++i) init.write32(0x00, 0);
  });
}

// `spin_us`: shared memory only, busy polling before sleeping on both sides (-1: never sleep).
void out_of_process(const std::string& label, const std::string& address, bool posted, uint64_t n,
                    const std::string& tag, int spin_us = 50) {
  vp::rtl::SocketBridgeConfig c;
  c.address = address;
  c.posted_writes = posted;
  c.spin_us = spin_us;
  auto* bridge = new vp::rtl::SocketBridge(("sock_" + tag).c_str(), c);
  auto& init = *new vp::test::TestInitiator(("sinit_" + tag).c_str());
  init.socket.bind(bridge->socket);
  const std::string spin = std::to_string(spin_us);
  const pid_t pid = fork();
  if (pid == 0) {
    pin_to(1);
    execl(VP_RTL_PEER, VP_RTL_PEER, bridge->address().c_str(), spin.c_str(), (char*)nullptr);
    _exit(127);
  }
  init.read32(0x10);  // connect
  if (posted) {
    report(label.c_str(), n, [&] {
      for (uint64_t i = 0; i < n; ++i) init.write32(0x00, 0);
      init.read32(0x10);  // drains the posted writes
    });
  } else {
    volatile uint32_t sink = 0;
    report(label.c_str(), n, [&] {
      for (uint64_t i = 0; i < n; ++i) sink = sink + init.read32(0x10);
    });
  }
  if (auto* shm = dynamic_cast<const vp::rtl::ShmTransport*>(bridge->transport())) print_syscalls(shm->shm(), n);
  delete bridge;
  int status = 0;
  waitpid(pid, &status, 0);
}

// The shared-memory transport alone (no SystemC, no RTL): READ/RESP round
// trips with a forked echo process, busy polling or sleeping after spin_us.
void shm_round_trips(const std::string& label, uint64_t n, int spin_us) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return;
  const pid_t pid = fork();
  if (pid == 0) {
    close(sv[0]);
    pin_to(1);
    vp_shm s;
    if (vp_shm_attach(&s, sv[1]) != 0) _exit(1);
    vp_shm_set_spin(&s, spin_us);
    vp_rtl_header h;
    uint8_t data[8] = {};
    while (vp_shm_recv(&s, &h, data, sizeof data, -1) == 0) {
      h.type = VP_RTL_MSG_RESP;
      if (vp_shm_send(&s, &h, data, 1) != 0) break;
    }
    _exit(0);
  }
  close(sv[1]);
  vp_shm s;
  if (vp_shm_create(&s, sv[0], 0) != 0) return;
  vp_shm_set_spin(&s, spin_us);
  vp_rtl_header h{VP_RTL_MAGIC, VP_RTL_VERSION, VP_RTL_MSG_READ, 0, 0, 1, 4, 0, 0};
  uint8_t data[8];
  report(label.c_str(), n, [&] {
    for (uint64_t i = 0; i < n; ++i) {
      h.type = VP_RTL_MSG_READ;
      vp_rtl_header r;
      if (vp_shm_send(&s, &h, nullptr, 1) != 0 || vp_shm_recv(&s, &r, data, sizeof data, -1) != 0) break;
    }
  });
  print_syscalls(s, n);
  vp_shm_close(&s);
  waitpid(pid, nullptr, 0);
}

// The machine's ceiling for any hand-off between two CPUs: two threads taking
// turns on one atomic word, spinning (no system calls, no vp code).
void spin_baseline(const std::string& label, uint64_t n) {
  std::atomic<uint64_t> turn{0};
  std::atomic<bool> started{false};
  std::thread other([&] {
    pin_to(1);
    started = true;
    for (uint64_t i = 1; i < 2 * n; i += 2) {
      while (turn.load(std::memory_order_acquire) != i) {
      }
      turn.store(i + 1, std::memory_order_release);
    }
  });
  // Let the thread move to its CPU first (under chrt -f both share CPU 0 until then).
  while (!started) std::this_thread::yield();
  report(label.c_str(), n, [&] {
    for (uint64_t i = 0; i < 2 * n; i += 2) {
      while (turn.load(std::memory_order_acquire) != i) {
      }
      turn.store(i + 1, std::memory_order_release);
    }
    while (turn.load(std::memory_order_acquire) != 2 * n) {
    }
  });
  other.join();
}

// The transport's own cost: both ends in this thread (no hand-off between CPUs).
void shm_one_thread(const std::string& label, uint64_t n) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return;
  vp_shm vp, peer;
  if (vp_shm_create(&vp, sv[0], 0) != 0 || vp_shm_attach(&peer, sv[1]) != 0) return;
  vp_rtl_header h{VP_RTL_MAGIC, VP_RTL_VERSION, VP_RTL_MSG_READ, 0, 0, 1, 4, 0, 0};
  uint8_t data[8] = {};
  report(label.c_str(), n, [&] {
    for (uint64_t i = 0; i < n; ++i) {
      vp_rtl_header q, r;
      h.type = VP_RTL_MSG_READ;
      vp_shm_send(&vp, &h, nullptr, 1);
      vp_shm_recv(&peer, &q, data, sizeof data, 0);
      q.type = VP_RTL_MSG_RESP;
      vp_shm_send(&peer, &q, data, 1);
      vp_shm_recv(&vp, &r, data, sizeof data, 0);
    }
  });
  vp_shm_close(&peer);
  vp_shm_close(&vp);
}

}  // namespace

// SystemC prints its banner when the kernel starts; a benchmark's output should not.
static const int kQuietSystemC = (setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0), 0);

int sc_main(int argc, char** argv) {
  const uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 5'000'000;
  const uint64_t m = argc > 2 ? std::strtoull(argv[2], nullptr, 0) : 100'000;
  bool shm_only = false;
  for (int i = 3; i < argc; ++i) {
    const std::string option = argv[i];
    if (option == "pin") g_pin = true;
    else if (option == "shm") shm_only = true;
    else {
      std::fprintf(stderr, "usage: bench_rtl [transactions] [reads] [pin] [shm]\n");
      return 2;
    }
  }
  pin_to(0);
  if (!shm_only) {
    in_process("in-process, APB (crc32)", vp_rtl_make_crc32(), n, "apb");
    in_process("in-process, AXI4-Lite (crc32_axil)", vp_rtl_make_crc32_axil(), n, "axi");
  }
  const std::string path = "/tmp/vp-bench-rtl-" + std::to_string(getpid());
  struct Transport {
    const char* name;
    std::string address;
    int spin_us;
  };
  const Transport transports[] = {
      {"Unix socket", "unix:" + path + ".sock", 0},
      {"TCP 127.0.0.1", "tcp:127.0.0.1:0", 0},
      {"shared memory (futex at once)", "shm:" + path + ".shm0", 0},
      {"shared memory (futex after 50us)", "shm:" + path + ".shm", 50},
      {"shared memory (busy polling)", "shm:" + path + ".busy", -1},
  };
  int k = 0;
  for (const auto& t : transports) {
    if (shm_only && t.address.rfind("shm:", 0) != 0) continue;
    const std::string what = std::string("out-of-process, ") + t.name;
    out_of_process(what + ", reads", t.address, false, m, "r" + std::to_string(k), t.spin_us);
    out_of_process(what + ", posted writes", t.address, true, m * 10, "w" + std::to_string(k), t.spin_us);
    ++k;
  }
  spin_baseline("baseline: two threads spinning on one atomic: round trips", m);
  shm_one_thread("shared memory alone, both ends in one thread: round trips", m * 10);
  shm_round_trips("shared memory alone (no RTL): round trips, busy polling", m, -1);
  shm_round_trips("shared memory alone (no RTL): round trips, futex after 50us", m, 50);
  shm_round_trips("shared memory alone (no RTL): round trips, futex at once", m, 0);
  return 0;
}
