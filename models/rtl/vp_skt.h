/* Local socket helpers (vhost's c_skt_* analogue) for peers of vp that are
 * not RTL simulators, and for the RTL bridge itself: listen, accept, connect
 * with timeouts, whole-buffer I/O and length-prefixed messages. Plain C99,
 * no dependencies. Addresses: "unix:/path" or "/path" (Unix socket),
 * "tcp:PORT" or "tcp:HOST:PORT" (HOST 127.0.0.1 when omitted, PORT 0: any
 * free port when listening). Functions marked [DPI] use only standard DPI-C
 * types. Every function returns >= 0 on success or a negative VP_SKT_E* code;
 * none aborts or raises SIGPIPE. See docs/rtl.md. */
#ifndef VP_SKT_H
#define VP_SKT_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  VP_SKT_EADDR = -1,     /* malformed address, or a host that does not resolve */
  VP_SKT_ESYS = -2,      /* a system call failed (errno tells which) */
  VP_SKT_ECLOSED = -3,   /* the other end closed the connection */
  VP_SKT_ETIMEOUT = -4,  /* nothing within the timeout */
  VP_SKT_ETOOBIG = -5    /* a message longer than the receiver's buffer */
};

/* A listening socket; `bound` (may be NULL) receives the address to
 * connect to ("tcp:127.0.0.1:43211" when PORT was 0). A Unix socket path
 * that exists is replaced. Returns the descriptor. */
int vp_skt_listen(const char* address, char* bound, size_t bound_size);
/* [DPI] Waits up to timeout_ms (< 0: forever) for a connection; returns its descriptor. */
int vp_skt_accept(int listen_fd, int timeout_ms);
/* [DPI] Connects, retrying until timeout_ms (0: one attempt) while nobody listens yet. */
int vp_skt_connect(const char* address, int timeout_ms);
/* [DPI] Closes a descriptor (a Unix socket's file is left for the listener to remove). */
int vp_skt_close(int fd);

/* Whole buffers: returns 0 once all `len` bytes are sent / received. */
int vp_skt_send(int fd, const void* data, size_t len);
int vp_skt_recv(int fd, void* data, size_t len, int timeout_ms);
/* Messages: a 32-bit little-endian length, then the bytes. recv_msg never
 * accepts more than `capacity` bytes (VP_SKT_ETOOBIG; the stream is then out
 * of step: close it); *len receives the length. */
int vp_skt_send_msg(int fd, const void* data, uint32_t len);
int vp_skt_recv_msg(int fd, void* data, uint32_t capacity, uint32_t* len, int timeout_ms);
/* [DPI] One 64-bit little-endian word. */
int vp_skt_send64(int fd, long long value);
int vp_skt_recv64(int fd, long long* value, int timeout_ms);
const char* vp_skt_strerror(int code);

#ifdef __cplusplus
}
#endif
#endif
