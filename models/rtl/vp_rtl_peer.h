/* Out-of-process RTL bridge: the wire protocol and the peer library that an
 * RTL simulator (Verilator, Icarus through VPI, a commercial simulator through
 * DPI-C) links to act as a target of vp's `rtl.socket` component.
 * Plain C99, no dependencies. See docs/rtl.md.
 *
 * Every message is a fixed 32-byte little-endian header, followed by `length`
 * data bytes for WRITE requests and READ responses only:
 *
 *   off size field
 *     0   4  magic    0x54525056 ("VPRT")
 *     4   1  version  1
 *     5   1  type     VP_RTL_MSG_*
 *     6   1  status   VP_RTL_OK / _SLVERR / _DECERR (responses)
 *     7   1  flags    VP_RTL_FLAG_POSTED (write: no response), VP_RTL_FLAG_DEBUG
 *     8   4  id       request id, echoed in the response; IRQ: line number
 *    12   4  length   access size in bytes (<= VP_RTL_MAX_DATA); IRQ: level
 *    16   8  addr     offset in the component's window
 *    24   8  time_ps  request: vp's local time; response: completion time;
 *                     SYNC: time the peer may run up to; SYNC_ACK/IRQ: peer time
 *
 * vp is the master: it sends READ, WRITE and SYNC; the peer answers RESP (for
 * reads and non-posted writes) and SYNC_ACK, and may send IRQ and ERROR at
 * any time before an answer. A malformed header (bad magic, version, type, or
 * a length above VP_RTL_MAX_DATA) is rejected and ends the connection. */
#ifndef VP_RTL_PEER_H
#define VP_RTL_PEER_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VP_RTL_MAGIC 0x54525056u
#define VP_RTL_VERSION 1
#define VP_RTL_HEADER_SIZE 32
#define VP_RTL_MAX_DATA 4096

enum vp_rtl_msg_type {
  VP_RTL_MSG_READ = 1,
  VP_RTL_MSG_WRITE = 2,
  VP_RTL_MSG_RESP = 3,
  VP_RTL_MSG_IRQ = 4,
  VP_RTL_MSG_SYNC = 5,
  VP_RTL_MSG_SYNC_ACK = 6,
  VP_RTL_MSG_ERROR = 7,
  VP_RTL_MSG_BYE = 8
};
enum { VP_RTL_OK = 0, VP_RTL_SLVERR = 1, VP_RTL_DECERR = 2 };
enum { VP_RTL_FLAG_POSTED = 1, VP_RTL_FLAG_DEBUG = 2 };

typedef struct vp_rtl_header {
  uint32_t magic;
  uint8_t version, type, status, flags;
  uint32_t id;
  uint32_t length;
  uint64_t addr;
  uint64_t time_ps;
} vp_rtl_header;

/* Header <-> bytes. decode returns 0, or a negative VP_RTL_E* code. */
enum {
  VP_RTL_EMAGIC = -1,
  VP_RTL_EVERSION = -2,
  VP_RTL_ETYPE = -3,
  VP_RTL_ELENGTH = -4,
  VP_RTL_EIO = -5,
  VP_RTL_ERING = -6,    /* shared memory: indices or lengths that cannot be right */
  VP_RTL_ETIMEOUT = -7
};
void vp_rtl_encode(const vp_rtl_header* h, uint8_t out[VP_RTL_HEADER_SIZE]);
int vp_rtl_decode(const uint8_t in[VP_RTL_HEADER_SIZE], vp_rtl_header* h);
const char* vp_rtl_strerror(int code);
/* Whole-buffer socket I/O; 0 on success, VP_RTL_EIO on error or end of stream. */
int vp_rtl_send_all(int fd, const void* data, size_t len);
int vp_rtl_recv_all(int fd, void* data, size_t len);
/* Sends a header and its data; receives one header (validated) and its data
 * (into `data`, at most `capacity` bytes, else VP_RTL_ELENGTH). */
int vp_rtl_send(int fd, const vp_rtl_header* h, const void* data);
int vp_rtl_recv(int fd, vp_rtl_header* h, void* data, size_t capacity);

/* "unix:/path", "/path" (Unix socket) or "tcp:HOST:PORT" (vp_skt.h). Returns a file descriptor or -1. */
int vp_rtl_connect(const char* address);

/* The peer side: callbacks invoked for vp's requests. */
typedef struct {
  /* Return VP_RTL_OK/SLVERR/DECERR; *time_ps may be advanced to the completion time. */
  int (*read)(void* user, uint64_t addr, uint8_t* data, uint32_t len, uint64_t* time_ps);
  int (*write)(void* user, uint64_t addr, const uint8_t* data, uint32_t len, uint64_t* time_ps);
  /* Run the RTL up to time_ps; returns the peer's time. */
  uint64_t (*sync)(void* user, uint64_t time_ps);
} vp_rtl_peer_ops;

typedef struct vp_rtl_peer vp_rtl_peer;
/* A socket address as above, or "shm:/path": the Unix socket at /path hands
 * over a shared-memory segment (vp_rtl_shm.h) that carries the messages. */
vp_rtl_peer* vp_rtl_peer_connect(const char* address);
/* Shared memory: polling for spin_us before sleeping (default 50; 0: sleep at
 * once; < 0: never sleep; see vp_shm_set_spin). */
void vp_rtl_peer_set_spin(vp_rtl_peer* peer, int spin_us);
/* Serves requests until vp closes the connection (returns 0) or an error (< 0). */
int vp_rtl_peer_serve(vp_rtl_peer* peer, const vp_rtl_peer_ops* ops, void* user);
/* Interrupt line change; call from inside the callbacks. */
int vp_rtl_peer_irq(vp_rtl_peer* peer, uint32_t line, int level, uint64_t time_ps);
void vp_rtl_peer_close(vp_rtl_peer* peer);

#ifdef __cplusplus
}
#endif
#endif
