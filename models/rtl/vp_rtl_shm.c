/* Shared-memory transport of the out-of-process RTL bridge (vp_rtl_shm.h). */
#define _GNU_SOURCE
#include "vp_rtl_shm.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define HELLO "VPSHM1"
#define RELAXED __ATOMIC_RELAXED
#define ACQUIRE __ATOMIC_ACQUIRE
#define RELEASE __ATOMIC_RELEASE
#define SEQ_CST __ATOMIC_SEQ_CST

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ volatile("yield");
#endif
}

static int futex_wait(uint32_t* word, uint32_t expected, uint64_t timeout_ns) {
  struct timespec ts = {(time_t)(timeout_ns / 1000000000u), (long)(timeout_ns % 1000000000u)};
  return (int)syscall(SYS_futex, word, FUTEX_WAIT, expected, &ts, NULL, 0);
}

static void futex_wake(uint32_t* word) { syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0); }

static size_t segment_size(uint32_t ring) { return sizeof(vp_shm_layout) + 2 * (size_t)ring; }

static void setup(vp_shm* s, int is_vp) {
  uint8_t* rings = (uint8_t*)(s->seg + 1);
  const uint32_t ring = s->seg->ring_size;
  s->mask = ring - 1;
  s->is_vp = is_vp;
  s->tx = is_vp ? &s->seg->to_peer : &s->seg->to_vp;
  s->rx = is_vp ? &s->seg->to_vp : &s->seg->to_peer;
  s->tx_data = is_vp ? rings : rings + ring;
  s->rx_data = is_vp ? rings + ring : rings;
  s->tx_head = 0;
  s->rx_tail = 0;
  s->tx_tail_seen = 0;
  s->rx_head_seen = 0;
  s->unwoken = 0;
  s->spin_us = 50;
}

int vp_shm_create(vp_shm* s, int sock, uint32_t ring_size) {
  memset(s, 0, sizeof *s);
  s->sock = -1;
  s->memfd = -1;
  if (ring_size == 0) ring_size = 65536;
  if (ring_size < VP_SHM_MIN_RING || ring_size > VP_SHM_MAX_RING || (ring_size & (ring_size - 1)))
    return VP_RTL_ELENGTH;
  const size_t size = segment_size(ring_size);
  int fd = memfd_create("vp-rtl-shm", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return VP_RTL_EIO;
  /* Sealed: the peer can neither shrink nor grow it (no SIGBUS in vp). */
  if (ftruncate(fd, (off_t)size) != 0 ||
      fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    close(fd);
    return VP_RTL_EIO;
  }
  void* p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    close(fd);
    return VP_RTL_EIO;
  }
  s->seg = (vp_shm_layout*)p;
  s->size = size;
  s->memfd = fd;
  memset(p, 0, sizeof(vp_shm_layout));
  s->seg->magic = VP_SHM_MAGIC;
  s->seg->version = VP_SHM_VERSION;
  s->seg->ring_size = ring_size;
  setup(s, 1);
  /* The hello: "VPSHM1", the segment size (u64 LE), the memfd attached. */
  uint8_t hello[16] = HELLO;
  for (int i = 0; i < 8; ++i) hello[8 + i] = (uint8_t)((uint64_t)size >> (8 * i));
  struct iovec iov = {hello, sizeof hello};
  char control[CMSG_SPACE(sizeof(int))];
  memset(control, 0, sizeof control);
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  ssize_t n;
  do n = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n != (ssize_t)sizeof hello) {
    vp_shm_close(s);
    return VP_RTL_EIO;
  }
  s->sock = sock;
  return 0;
}

int vp_shm_attach(vp_shm* s, int sock) {
  memset(s, 0, sizeof *s);
  s->sock = -1;
  s->memfd = -1;
  uint8_t hello[16];
  struct iovec iov = {hello, sizeof hello};
  char control[CMSG_SPACE(sizeof(int))];
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL);
  while (n < 0 && errno == EINTR);
  int fd = -1;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
      memcpy(&fd, CMSG_DATA(c), sizeof fd);
  if (n != (ssize_t)sizeof hello || memcmp(hello, HELLO, sizeof HELLO - 1) != 0 || fd < 0 ||
      (msg.msg_flags & MSG_CTRUNC)) {
    if (fd >= 0) close(fd);
    return n == 0 ? VP_RTL_EIO : VP_RTL_EMAGIC;
  }
  uint64_t size = 0;
  for (int i = 0; i < 8; ++i) size |= (uint64_t)hello[8 + i] << (8 * i);
  struct stat st;
  if (fstat(fd, &st) != 0 || (uint64_t)st.st_size != size || size < sizeof(vp_shm_layout) ||
      size > segment_size(VP_SHM_MAX_RING)) {
    close(fd);
    return VP_RTL_ELENGTH;
  }
  void* p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    close(fd);
    return VP_RTL_EIO;
  }
  s->seg = (vp_shm_layout*)p;
  s->size = (size_t)size;
  s->memfd = fd;
  const uint32_t ring = __atomic_load_n(&s->seg->ring_size, RELAXED);
  if (s->seg->magic != VP_SHM_MAGIC || s->seg->version != VP_SHM_VERSION || ring < VP_SHM_MIN_RING ||
      ring > VP_SHM_MAX_RING || (ring & (ring - 1)) || segment_size(ring) != s->size) {
    vp_shm_close(s);
    return VP_RTL_EVERSION;
  }
  setup(s, 0);
  s->mask = ring - 1; /* from our own checked copy, not re-read */
  s->sock = sock;
  return 0;
}

void vp_shm_close(vp_shm* s) {
  if (s->seg) {
    __atomic_store_n(&s->seg->closed, s->is_vp ? 1u : 2u, SEQ_CST);
    /* Wake the other side wherever it sleeps. */
    __atomic_fetch_add(&s->rx->space_seq, 1, SEQ_CST);
    __atomic_fetch_add(&s->tx->data_seq, 1, SEQ_CST);
    futex_wake(&s->rx->space_seq);
    futex_wake(&s->tx->data_seq);
    munmap(s->seg, s->size);
  }
  if (s->memfd >= 0) close(s->memfd);
  if (s->sock >= 0) close(s->sock);
  s->seg = NULL;
  s->memfd = -1;
  s->sock = -1;
}

void vp_shm_set_spin(vp_shm* s, int spin_us) { s->spin_us = spin_us; }

/* The other side closed the segment, or its process is gone (end of stream on the socket). */
static int peer_gone(vp_shm* s) {
  const uint32_t closed = __atomic_load_n(&s->seg->closed, RELAXED);
  if (closed && closed != (s->is_vp ? 1u : 2u)) return 1;
  struct pollfd p = {s->sock, POLLIN, 0};
  if (poll(&p, 1, 0) == 1) {
    char c;
    if (p.revents & (POLLHUP | POLLERR)) return 1;
    if (recv(s->sock, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0) return 1;
  }
  return 0;
}

/* Waits until `ready(s)` holds: polls (pause) for spin_us, then sleeps on the
 * futex word (seq) with `waiting` raised; with spin_us < 0 polls forever,
 * yielding the CPU between polls after VP_SHM_YIELD_AFTER_US. Returns 0,
 * VP_RTL_EIO (the other side is gone) or VP_RTL_ETIMEOUT. */
typedef int (*ready_fn)(vp_shm* s, uint64_t need);
static int wait_until(vp_shm* s, ready_fn ready, uint64_t need, uint32_t* seq, uint32_t* waiting, int timeout_ms) {
  const uint64_t start = now_ns();
  const uint64_t deadline = timeout_ms < 0 ? UINT64_MAX : start + (uint64_t)timeout_ms * 1000000u;
  const int busy = s->spin_us < 0;
  const uint64_t spin_end = busy ? UINT64_MAX : start + (uint64_t)s->spin_us * 1000u;
  const uint64_t yield_from = start + (uint64_t)VP_SHM_YIELD_AFTER_US * 1000u;
  uint64_t next_liveness = start + 20000000u; /* 20 ms */
  for (unsigned i = 1;; ++i) {
    if (ready(s, need)) return 0;
    cpu_relax();
    if ((i & 63) == 0) {
      const uint64_t t = now_ns();
      if (t >= deadline) return VP_RTL_ETIMEOUT;
      if (t >= spin_end) break;
      if (t >= next_liveness) {
        if (peer_gone(s)) return VP_RTL_EIO;
        next_liveness = t + 20000000u;
      }
      if (busy && t >= yield_from) {
        ++s->yields;
        sched_yield();
      }
    }
  }
  for (;;) {
    const uint32_t v = __atomic_load_n(seq, SEQ_CST);
    __atomic_store_n(waiting, 1u, SEQ_CST);
    if (ready(s, need)) {
      __atomic_store_n(waiting, 0u, RELAXED);
      return 0;
    }
    const uint64_t t = now_ns();
    if (t >= deadline) {
      __atomic_store_n(waiting, 0u, RELAXED);
      return VP_RTL_ETIMEOUT;
    }
    uint64_t slice = 20000000u; /* 20 ms: liveness checks in between */
    if (deadline - t < slice) slice = deadline - t;
    ++s->futex_waits;
    futex_wait(seq, v, slice);
    __atomic_store_n(waiting, 0u, RELAXED);
    if (ready(s, need)) return 0;
    if (peer_gone(s)) return VP_RTL_EIO;
  }
}

static void copy_in(vp_shm* s, uint64_t at, const void* src, size_t n) {
  const size_t off = (size_t)(at & s->mask), first = n < s->mask + 1 - off ? n : s->mask + 1 - off;
  memcpy(s->tx_data + off, src, first);
  memcpy(s->tx_data, (const uint8_t*)src + first, n - first);
}

static void copy_out(vp_shm* s, uint64_t at, void* dst, size_t n) {
  const size_t off = (size_t)(at & s->mask), first = n < s->mask + 1 - off ? n : s->mask + 1 - off;
  memcpy(dst, s->rx_data + off, first);
  memcpy((uint8_t*)dst + first, s->rx_data, n - first);
}

static size_t padded(size_t n) { return (n + 7) & ~(size_t)7; }

static int carries_data(const vp_rtl_header* h) {
  return (h->type == VP_RTL_MSG_WRITE || h->type == VP_RTL_MSG_RESP) && h->length > 0;
}

/* Room for `need` bytes in the ring to the other side (a bad tail ends the wait; the caller checks it). */
static int has_room(vp_shm* s, uint64_t need) {
  const uint64_t tail = __atomic_load_n(&s->tx->tail, ACQUIRE);
  s->tx_tail_seen = tail;
  const uint64_t used = s->tx_head - tail;
  return used > s->mask + 1 || (s->mask + 1) - used >= need;
}

/* Room by the tail last seen (no shared-memory read): the other side's tail
 * only grows, so this never overstates the room. */
static int has_room_seen(vp_shm* s, uint64_t need) {
  const uint64_t used = s->tx_head - s->tx_tail_seen;
  return used <= s->mask + 1 && (s->mask + 1) - used >= need;
}

static void wake_consumer(vp_shm* s) {
  __atomic_thread_fence(SEQ_CST);
  if (__atomic_load_n(&s->tx->data_waiting, RELAXED)) {
    __atomic_fetch_add(&s->tx->data_seq, 1, SEQ_CST);
    futex_wake(&s->tx->data_seq);
    ++s->futex_wakes;
  }
  s->unwoken = 0;
}

void vp_shm_wake(vp_shm* s) {
  if (s->seg && s->unwoken) wake_consumer(s);
}

int vp_shm_send(vp_shm* s, const vp_rtl_header* h, const void* data, int wake) {
  if (!s->seg) return VP_RTL_EIO;
  const size_t n = carries_data(h) && data ? h->length : 0;
  if (n > VP_RTL_MAX_DATA) return VP_RTL_ELENGTH;
  const size_t total = padded(VP_RTL_HEADER_SIZE + n);
  if (!has_room_seen(s, total) && !has_room(s, total)) {
    vp_shm_wake(s); /* the consumer must drain what is there */
    int rc = wait_until(s, has_room, total, &s->tx->space_seq, &s->tx->space_waiting, -1);
    if (rc) return rc;
  }
  if (s->tx_head - s->tx_tail_seen > s->mask + 1) return VP_RTL_ERING; /* a tail beyond the head */
  uint8_t hdr[VP_RTL_HEADER_SIZE];
  vp_rtl_encode(h, hdr);
  copy_in(s, s->tx_head, hdr, sizeof hdr);
  if (n) copy_in(s, s->tx_head + VP_RTL_HEADER_SIZE, data, n);
  s->tx_head += total;
  __atomic_store_n(&s->tx->head, s->tx_head, RELEASE);
  ++s->unwoken;
  if (wake) wake_consumer(s);
  return 0;
}

/* Reads the other side's head only when what was seen of it is consumed.
 * While polling, prefetches where the next message will be, so that its
 * cache line moves over together with the head's, not after it. */
static int has_data(vp_shm* s, uint64_t need) {
  (void)need;
  if (s->rx_head_seen != s->rx_tail) return 1;
  s->rx_head_seen = __atomic_load_n(&s->rx->head, ACQUIRE);
  if (s->rx_head_seen != s->rx_tail) return 1;
  __builtin_prefetch(s->rx_data + (s->rx_tail & s->mask));
  return 0;
}

int vp_shm_recv(vp_shm* s, vp_rtl_header* h, void* data, size_t capacity, int timeout_ms) {
  if (!s->seg) return VP_RTL_EIO;
  if (!has_data(s, 0)) {
    vp_shm_wake(s); /* anything batched must reach the other side before we wait for it */
    int rc = wait_until(s, has_data, 0, &s->rx->data_seq, &s->rx->data_waiting, timeout_ms);
    if (rc) return rc;
  }
  const uint64_t avail = s->rx_head_seen - s->rx_tail;
  /* The producer publishes whole messages: anything else is a corrupt ring. */
  if (avail > s->mask + 1 || avail < VP_RTL_HEADER_SIZE) return VP_RTL_ERING;
  uint8_t hdr[VP_RTL_HEADER_SIZE];
  copy_out(s, s->rx_tail, hdr, sizeof hdr);
  int rc = vp_rtl_decode(hdr, h);
  if (rc) return rc;
  const size_t n = carries_data(h) ? h->length : 0;
  const size_t total = padded(VP_RTL_HEADER_SIZE + n);
  if (total > avail) return VP_RTL_ERING;
  if (n > capacity || (n && !data)) return VP_RTL_ELENGTH;
  if (n) copy_out(s, s->rx_tail + VP_RTL_HEADER_SIZE, data, n);
  s->rx_tail += total;
  __atomic_store_n(&s->rx->tail, s->rx_tail, RELEASE);
  __atomic_thread_fence(SEQ_CST);
  if (__atomic_load_n(&s->rx->space_waiting, RELAXED)) {
    __atomic_fetch_add(&s->rx->space_seq, 1, SEQ_CST);
    futex_wake(&s->rx->space_seq);
  }
  return 0;
}
