// The "RTL simulator in another process" of the socket tests and benchmark:
// the Verilated CRC-32 (APB) served through the C peer library.
//   rtl_peer ADDRESS [SPIN_US]   (shm: polling before sleeping; 0: sleep at once; -1: never sleep)
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "models/rtl/rtl_model.h"
#include "models/rtl/vp_rtl_peer.h"

std::unique_ptr<vp::rtl::RtlModel> vp_rtl_make_crc32();

namespace {

constexpr uint64_t kPeriodPs = 10000;  // 100 MHz

struct Peer {
  std::unique_ptr<vp::rtl::RtlModel> model = vp_rtl_make_crc32();
  vp_rtl_peer* peer = nullptr;
  uint64_t now = 0;  // ps
  bool irq = false;

  void advance(uint64_t t) {
    if (t <= now) return;
    uint64_t n = (t - now + kPeriodPs - 1) / kPeriodPs;
    if (n > 1000000) n = 1000000;
    model->idle(n);
    now = t;
  }
  void report_irq() {
    if (model->irq() != irq) {
      irq = model->irq();
      vp_rtl_peer_irq(peer, 0, irq, now);
    }
  }
  static int status(vp::rtl::BusStatus s) {
    return s == vp::rtl::BusStatus::Ok ? VP_RTL_OK
           : s == vp::rtl::BusStatus::DecodeError ? VP_RTL_DECERR : VP_RTL_SLVERR;
  }
};

int on_read(void* user, uint64_t addr, uint8_t* data, uint32_t len, uint64_t* t) {
  auto& p = *static_cast<Peer*>(user);
  p.advance(*t);
  int st = VP_RTL_OK;
  for (uint32_t i = 0; i < len && st == VP_RTL_OK;) {
    const uint64_t a = addr + i, beat = a & ~uint64_t(3);
    const unsigned first = unsigned(a - beat), n = std::min<unsigned>(4 - first, len - i);
    uint32_t w = 0;
    const auto r = p.model->read(beat, w, 100000);
    p.now += r.cycles * kPeriodPs;
    st = Peer::status(r.status);
    for (unsigned k = 0; k < n; ++k) data[i + k] = uint8_t(w >> (8 * (first + k)));
    i += n;
  }
  *t = p.now;
  p.report_irq();
  return st;
}

int on_write(void* user, uint64_t addr, const uint8_t* data, uint32_t len, uint64_t* t) {
  auto& p = *static_cast<Peer*>(user);
  p.advance(*t);
  int st = VP_RTL_OK;
  for (uint32_t i = 0; i < len && st == VP_RTL_OK;) {
    const uint64_t a = addr + i, beat = a & ~uint64_t(3);
    const unsigned first = unsigned(a - beat), n = std::min<unsigned>(4 - first, len - i);
    uint32_t w = 0;
    unsigned strobe = 0;
    for (unsigned k = 0; k < n; ++k) {
      w |= uint32_t(data[i + k]) << (8 * (first + k));
      strobe |= 1u << (first + k);
    }
    const auto r = p.model->write(beat, w, strobe, 100000);
    p.now += r.cycles * kPeriodPs;
    st = Peer::status(r.status);
    i += n;
  }
  *t = p.now;
  p.report_irq();
  return st;
}

uint64_t on_sync(void* user, uint64_t t) {
  auto& p = *static_cast<Peer*>(user);
  p.advance(t);
  p.report_irq();
  return p.now;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: %s ADDRESS [SPIN_US]\n", argv[0]);
    return 2;
  }
  Peer p;
  p.model->reset(4);
  for (int attempt = 0; attempt < 200 && !p.peer; ++attempt) {
    p.peer = vp_rtl_peer_connect(argv[1]);
    if (!p.peer) usleep(10000);
  }
  if (!p.peer) {
    std::fprintf(stderr, "rtl_peer: cannot connect to %s\n", argv[1]);
    return 1;
  }
  if (argc == 3) vp_rtl_peer_set_spin(p.peer, std::atoi(argv[2]));
  const vp_rtl_peer_ops ops{on_read, on_write, on_sync};
  const int rc = vp_rtl_peer_serve(p.peer, &ops, &p);
  vp_rtl_peer_close(p.peer);
  if (rc) std::fprintf(stderr, "rtl_peer: %s\n", vp_rtl_strerror(rc));
  return rc ? 1 : 0;
}

// The CRC model's library links SystemC (for the bridge), whose shared library
// wants an sc_main; this process never starts a SystemC kernel.
extern "C" int sc_main(int, char**) { return 0; }
