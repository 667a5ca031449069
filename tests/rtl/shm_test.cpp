// The shared-memory transport (vp_rtl_shm.h) on its own: messages of every
// size wrapping around a small ring with the producer waiting for room and
// the consumer sleeping on the futex, batched wake-ups, a sealed segment, the
// other side going away, and a peer writing garbage into the ring (fuzzed):
// every receive returns a valid message or an error, never a crash.
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "models/rtl/vp_rtl_peer.h"
#include "models/rtl/vp_rtl_shm.h"

namespace {

// vp's end and the peer's end of one segment, over a socket pair.
struct Pair {
  vp_shm vp{}, peer{};
  explicit Pair(uint32_t ring = VP_SHM_MIN_RING) {
    int sv[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    EXPECT_EQ(vp_shm_create(&vp, sv[0], ring), 0);
    EXPECT_EQ(vp_shm_attach(&peer, sv[1]), 0);
  }
  ~Pair() {
    if (vp.seg) vp_shm_close(&vp);
    if (peer.seg) vp_shm_close(&peer);
  }
};

vp_rtl_header make(uint8_t type, uint32_t id, uint32_t length) {
  vp_rtl_header h{};
  h.magic = VP_RTL_MAGIC;
  h.version = VP_RTL_VERSION;
  h.type = type;
  h.id = id;
  h.length = length;
  h.addr = 0x1000 + id;
  h.time_ps = id * 10ull;
  return h;
}

TEST(Shm, MessagesWrapAroundASmallRing) {
  for (int spin : {50, 0, -1}) {  // 0: every wait sleeps on the futex; -1: busy polling
    Pair p;
    vp_shm_set_spin(&p.vp, spin);
    vp_shm_set_spin(&p.peer, spin);
    constexpr unsigned kCount = 3000;
    std::thread producer([&] {
      std::mt19937 rng(1);
      std::vector<uint8_t> data(VP_RTL_MAX_DATA);
      for (unsigned i = 0; i < kCount; ++i) {
        const uint32_t len = rng() % (VP_RTL_MAX_DATA + 1);
        for (uint32_t k = 0; k < len; ++k) data[k] = uint8_t(i + k);
        const vp_rtl_header h = make(VP_RTL_MSG_RESP, i, len);
        ASSERT_EQ(vp_shm_send(&p.peer, &h, data.data(), 1), 0) << i;
      }
    });
    std::mt19937 rng(1);
    std::vector<uint8_t> got(VP_RTL_MAX_DATA);
    for (unsigned i = 0; i < kCount; ++i) {
      vp_rtl_header h;
      ASSERT_EQ(vp_shm_recv(&p.vp, &h, got.data(), got.size(), 10000), 0) << i;
      const uint32_t len = rng() % (VP_RTL_MAX_DATA + 1);
      ASSERT_EQ(h.id, i);
      ASSERT_EQ(h.length, len);
      ASSERT_EQ(h.time_ps, i * 10ull);
      for (uint32_t k = 0; k < len; ++k) ASSERT_EQ(got[k], uint8_t(i + k)) << i << " " << k;
    }
    producer.join();
    if (spin == 0) {
      EXPECT_GT(p.vp.futex_waits + p.peer.futex_waits, 0u);  // the sleeping path was taken
    }
  }
}

// Busy polling on both sides: round trips make no futex system call at all
// (the fast path), and a wait longer than VP_SHM_YIELD_AFTER_US yields the CPU.
TEST(Shm, BusyPollingOnBothSidesMakesNoFutexCalls) {
  Pair p;
  vp_shm_set_spin(&p.vp, -1);
  vp_shm_set_spin(&p.peer, -1);
  constexpr unsigned kCount = 20000;
  std::thread echo([&] {
    uint8_t data[8];
    for (unsigned i = 0; i < kCount; ++i) {
      vp_rtl_header h;
      ASSERT_EQ(vp_shm_recv(&p.peer, &h, data, sizeof data, 60000), 0);
      h.type = VP_RTL_MSG_RESP;
      h.length = 4;
      std::memcpy(data, &h.id, 4);
      ASSERT_EQ(vp_shm_send(&p.peer, &h, data, 1), 0);
    }
  });
  for (unsigned i = 0; i < kCount; ++i) {
    const vp_rtl_header q = make(VP_RTL_MSG_READ, i, 4);
    ASSERT_EQ(vp_shm_send(&p.vp, &q, nullptr, 1), 0);
    vp_rtl_header r;
    uint32_t got = ~0u;
    ASSERT_EQ(vp_shm_recv(&p.vp, &r, &got, sizeof got, 60000), 0);
    ASSERT_EQ(r.type, VP_RTL_MSG_RESP);
    ASSERT_EQ(r.id, i);
    ASSERT_EQ(got, i);
  }
  echo.join();
  EXPECT_EQ(p.vp.futex_waits + p.vp.futex_wakes, 0u);
  EXPECT_EQ(p.peer.futex_waits + p.peer.futex_wakes, 0u);
  // Nothing comes: the busy wait ends by its timeout, having yielded the CPU.
  vp_rtl_header h;
  EXPECT_EQ(vp_shm_recv(&p.vp, &h, nullptr, 0, 5), VP_RTL_ETIMEOUT);
  EXPECT_GT(p.vp.yields, 0u);
  EXPECT_EQ(p.vp.futex_waits, 0u);
}

// A busy-polling sender still wakes a receiver that sleeps (mixed modes).
TEST(Shm, BusySenderWakesASleepingReceiver) {
  Pair p;
  vp_shm_set_spin(&p.vp, -1);
  vp_shm_set_spin(&p.peer, 0);
  uint32_t id = 0;
  std::thread consumer([&] {
    vp_rtl_header h;
    if (vp_shm_recv(&p.peer, &h, nullptr, 0, 60000) == 0) id = h.id;
  });
  // Send only once the receiver has said it sleeps.
  while (!__atomic_load_n(&p.vp.seg->to_peer.data_waiting, __ATOMIC_ACQUIRE)) std::this_thread::yield();
  const vp_rtl_header q = make(VP_RTL_MSG_READ, 77, 4);
  ASSERT_EQ(vp_shm_send(&p.vp, &q, nullptr, 1), 0);
  consumer.join();
  EXPECT_EQ(id, 77u);
  EXPECT_EQ(p.vp.futex_wakes, 1u);
  EXPECT_GE(p.peer.futex_waits, 1u);
}

TEST(Shm, BatchedMessagesArriveWhenWoken) {
  Pair p;
  vp_shm_set_spin(&p.peer, 0);
  std::vector<uint32_t> ids;
  std::thread consumer([&] {
    for (int i = 0; i < 100; ++i) {
      vp_rtl_header h;
      uint8_t data[8];
      if (vp_shm_recv(&p.peer, &h, data, sizeof data, 10000) != 0) return;
      ids.push_back(h.id);
    }
  });
  const uint8_t word[4] = {1, 2, 3, 4};
  for (uint32_t i = 0; i < 100; ++i) {
    vp_rtl_header h = make(VP_RTL_MSG_WRITE, i, 4);
    h.flags = VP_RTL_FLAG_POSTED;
    ASSERT_EQ(vp_shm_send(&p.vp, &h, word, 0), 0);  // no wake-up per message
  }
  vp_shm_wake(&p.vp);
  consumer.join();
  ASSERT_EQ(ids.size(), 100u);
  for (uint32_t i = 0; i < 100; ++i) EXPECT_EQ(ids[i], i);
  EXPECT_LE(p.vp.futex_wakes, 2u);  // one batch, not one wake-up per write
}

TEST(Shm, SegmentIsSealedAndValidated) {
  Pair p;
  EXPECT_NE(ftruncate(p.peer.memfd, 4096), 0);  // a peer cannot shrink vp's mapping away
  EXPECT_EQ(errno, EPERM);
  EXPECT_NE(ftruncate(p.peer.memfd, 1 << 30), 0);
  // Bad ring sizes, and a hello that is not one.
  vp_shm s;
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  EXPECT_EQ(vp_shm_create(&s, sv[0], 12345), VP_RTL_ELENGTH);
  EXPECT_EQ(vp_shm_create(&s, sv[0], 1024), VP_RTL_ELENGTH);
  ASSERT_EQ(write(sv[0], "VPSHM1\0\0garbage!", 16), 16);
  EXPECT_EQ(vp_shm_attach(&s, sv[1]), VP_RTL_EMAGIC);  // no descriptor attached
  close(sv[0]);
  close(sv[1]);
}

TEST(Shm, OtherSideGoneEndsTheWait) {
  Pair p;
  vp_shm_set_spin(&p.vp, 0);
  std::thread quitter([&] {
    usleep(50000);
    vp_shm_close(&p.peer);
  });
  vp_rtl_header h;
  EXPECT_EQ(vp_shm_recv(&p.vp, &h, nullptr, 0, -1), VP_RTL_EIO);  // returns, does not hang
  quitter.join();
}

// The peer scribbles on the ring to vp (data and control words); every
// receive must return 0 with a message that fits, or an error code.
TEST(Shm, GarbageInTheRingNeverCrashes) {
  std::mt19937_64 rng(2024);
  unsigned errors = 0, messages = 0;
  std::vector<uint8_t> buf(VP_RTL_MAX_DATA);
  for (int round = 0; round < 300; ++round) {
    Pair p;
    uint8_t* ring = p.peer.tx_data;
    const uint32_t size = p.peer.mask + 1;
    for (int step = 0; step < 40; ++step) {
      switch (rng() % 6) {
        case 0:  // random bytes anywhere in the ring
          for (int k = 0; k < 64; ++k) ring[rng() % size] = uint8_t(rng());
          break;
        case 1:  // a plausible header with a random length
        {
          vp_rtl_header h = make(uint8_t(1 + rng() % 8), uint32_t(rng()), uint32_t(rng() % 3 ? rng() % 5000 : rng()));
          uint8_t bytes[VP_RTL_HEADER_SIZE];
          vp_rtl_encode(&h, bytes);
          const uint64_t at = p.vp.rx_tail + rng() % 2 * 8;
          for (unsigned k = 0; k < sizeof bytes; ++k) ring[(at + k) & p.peer.mask] = bytes[k];
          break;
        }
        case 2:  // the head anywhere: ahead, behind, by a little
          __atomic_store_n(&p.peer.tx->head, p.vp.rx_tail + (rng() % 4 ? rng() % 256 : rng()), __ATOMIC_RELEASE);
          break;
        case 3:  // the control words vp reads or writes
          p.peer.tx->tail = rng();
          p.peer.rx->head = rng() % 2 ? p.peer.rx->head : rng();
          p.peer.tx->data_seq = uint32_t(rng());
          break;
        case 4:  // a well-formed message
        {
          const uint32_t len = uint32_t(rng() % 64);
          const vp_rtl_header h = make(VP_RTL_MSG_RESP, 1, len);
          vp_shm_send(&p.peer, &h, buf.data(), 1);
          break;
        }
        default:
          break;
      }
      vp_rtl_header h;
      const int rc = vp_shm_recv(&p.vp, &h, buf.data(), 256, 0);
      if (rc == 0) {
        ++messages;
        ASSERT_EQ(h.magic, VP_RTL_MAGIC);
        if (h.type == VP_RTL_MSG_RESP || h.type == VP_RTL_MSG_WRITE) {
          ASSERT_LE(h.length, 256u);
        }
      } else if (rc != VP_RTL_ETIMEOUT) {
        ++errors;
        break;  // vp drops the connection at the first error
      }
      // vp's own sends must not be misled by a garbage tail either.
      const vp_rtl_header req = make(VP_RTL_MSG_READ, 7, 4);
      const int src = vp_shm_send(&p.vp, &req, nullptr, 1);
      ASSERT_TRUE(src == 0 || src == VP_RTL_ERING || src == VP_RTL_EIO) << src;
      if (src) {
        ++errors;
        break;
      }
    }
  }
  EXPECT_GT(errors, 100u);   // garbage was noticed...
  EXPECT_GT(messages, 50u);  // ...and good messages still went through
}

}  // namespace
