/* Shared-memory transport of the out-of-process RTL bridge ("shm:/path"):
 * the messages of vp_rtl_peer.h (same headers, same data) through two
 * single-producer single-consumer byte rings in one sealed memfd segment,
 * with busy polling and futex wake-ups. The peer connects to the Unix socket
 * at /path; vp answers with the memfd (SCM_RIGHTS). The socket then only
 * tells either side that the other one is gone (end of stream).
 *
 * Segment: a 64-byte header (magic "VSHM", version, ring size), the control
 * block of the ring to the peer and of the ring to vp (head, tail, futex
 * words, each on its own cache line), then the two rings' bytes. A message is
 * its 32-byte header and data, padded to 8 bytes; it may wrap around.
 *
 * Nothing read from the segment is trusted: each side keeps its own indices,
 * checks the other side's (a head that runs ahead of the ring, a tail beyond
 * the head), masks every offset into the ring, copies a message out before
 * decoding it, and checks its length against what was published and against
 * the receiver's buffer. A violation returns VP_RTL_ERING. The segment is
 * sealed against resizing, so a peer cannot make vp's mapping fault.
 * Plain C99 (GCC atomics), Linux. */
#ifndef VP_RTL_SHM_H
#define VP_RTL_SHM_H
#include <stddef.h>
#include <stdint.h>

#include "vp_rtl_peer.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VP_SHM_MAGIC 0x4d485356u /* "VSHM" */
#define VP_SHM_VERSION 1
#define VP_SHM_MIN_RING 16384u
#define VP_SHM_MAX_RING (64u << 20)

typedef struct vp_shm_ctl {
  uint64_t head; /* bytes published by the producer */
  uint8_t pad0[56];
  uint64_t tail; /* bytes consumed by the consumer */
  uint8_t pad1[56];
  uint32_t data_seq, data_waiting;   /* the consumer sleeps on data_seq */
  uint32_t space_seq, space_waiting; /* the producer sleeps on space_seq */
  uint8_t pad2[48];
} vp_shm_ctl;

typedef struct vp_shm_layout {
  uint32_t magic, version, ring_size, closed; /* closed: 1 by vp, 2 by the peer */
  uint8_t pad[48];
  vp_shm_ctl to_peer, to_vp;
  /* then: uint8_t ring_to_peer[ring_size], ring_to_vp[ring_size] */
} vp_shm_layout;

/* One side's private view (never in shared memory). */
typedef struct vp_shm {
  vp_shm_layout* seg;
  size_t size;
  vp_shm_ctl *tx, *rx;
  uint8_t *tx_data, *rx_data;
  uint32_t mask;
  uint64_t tx_head, rx_tail; /* this side's own indices: authoritative */
  uint64_t tx_tail_seen, rx_head_seen; /* the other side's, last read (checked) */
  int unwoken;               /* messages published without a wake-up (batch) */
  int is_vp;
  int sock;    /* the rendezvous connection */
  int memfd;
  int spin_us; /* busy polling before sleeping; < 0: never sleep */
  uint64_t futex_waits, futex_wakes, yields; /* statistics: system calls made while waiting */
} vp_shm;

/* vp: creates the segment (ring_size: a power of two, 0 = 64 KiB) and sends
 * it over the accepted connection `sock`. Returns 0 or a VP_RTL_E* code. */
int vp_shm_create(vp_shm* s, int sock, uint32_t ring_size);
/* Peer: receives the segment over `sock` (connected to vp) and maps it after
 * checking its header and size. */
int vp_shm_attach(vp_shm* s, int sock);
/* Marks the segment closed (the other side's waits end), unmaps, closes both descriptors. */
void vp_shm_close(vp_shm* s);
/* How a side waits for the other one (messages, or room in a full ring):
 *   spin_us > 0  polls (pause instruction) for spin_us, then sleeps on a futex
 *                (the default, 50 us);
 *   spin_us = 0  sleeps at once (lowest CPU use, a futex wake per message);
 *   spin_us < 0  busy polling: never sleeps. After VP_SHM_YIELD_AFTER_US
 *                without progress it calls sched_yield() between polls, so a
 *                peer sharing this CPU gets to run.
 * A sender makes the futex-wake system call only when the receiver has said
 * it sleeps: with both sides polling, a message costs no system call. */
#define VP_SHM_YIELD_AFTER_US 20
void vp_shm_set_spin(vp_shm* s, int spin_us);

/* Publishes one message; waits for room when the ring is full. `wake` = 0
 * defers the wake-up of a sleeping consumer (batched posted writes; a later
 * send with wake, or vp_shm_wake, delivers it). */
int vp_shm_send(vp_shm* s, const vp_rtl_header* h, const void* data, int wake);
void vp_shm_wake(vp_shm* s);
/* Receives one message (validated; data of WRITE and RESP into `data`, at
 * most `capacity` bytes). timeout_ms < 0 waits until the other side goes. */
int vp_shm_recv(vp_shm* s, vp_rtl_header* h, void* data, size_t capacity, int timeout_ms);

#ifdef __cplusplus
}
#endif
#endif
