/* Local socket helpers (vp_skt.h). */
#define _POSIX_C_SOURCE 200809L
#include "vp_skt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  int tcp;
  char host[256];
  char port[16];
  struct sockaddr_un un;
} parsed_address;

static int parse(const char* address, parsed_address* a) {
  memset(a, 0, sizeof *a);
  if (!address || !*address) return VP_SKT_EADDR;
  if (strncmp(address, "tcp:", 4) == 0) {
    const char* rest = address + 4;
    const char* colon = strrchr(rest, ':');
    const char* port = colon ? colon + 1 : rest;
    size_t host_len = colon ? (size_t)(colon - rest) : 0;
    if (host_len >= sizeof a->host || strlen(port) == 0 || strlen(port) >= sizeof a->port) return VP_SKT_EADDR;
    for (const char* p = port; *p; ++p)
      if (*p < '0' || *p > '9') return VP_SKT_EADDR;
    if (atol(port) > 65535) return VP_SKT_EADDR;
    a->tcp = 1;
    memcpy(a->host, rest, host_len);
    if (!host_len) strcpy(a->host, "127.0.0.1");
    strcpy(a->port, port);
    return 0;
  }
  const char* path = strncmp(address, "unix:", 5) == 0 ? address + 5 : address;
  if (!*path || strlen(path) >= sizeof a->un.sun_path) return VP_SKT_EADDR;
  a->un.sun_family = AF_UNIX;
  strcpy(a->un.sun_path, path);
  return 0;
}

static int64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Waits for `events` on fd until `deadline` (ms, < 0: forever). */
static int wait_for(int fd, short events, int64_t deadline) {
  for (;;) {
    struct pollfd p = {fd, events, 0};
    int left = deadline < 0 ? -1 : (int)(deadline - now_ms());
    if (deadline >= 0 && left < 0) left = 0;
    int n = poll(&p, 1, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return VP_SKT_ESYS;
    if (n == 0) return VP_SKT_ETIMEOUT;
    return 0;
  }
}

static int64_t deadline_of(int timeout_ms) { return timeout_ms < 0 ? -1 : now_ms() + timeout_ms; }

int vp_skt_listen(const char* address, char* bound, size_t bound_size) {
  parsed_address a;
  if (parse(address, &a)) return VP_SKT_EADDR;
  int fd;
  if (a.tcp) {
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)atoi(a.port));
    if (inet_pton(AF_INET, a.host, &sa.sin_addr) != 1) return VP_SKT_EADDR;
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return VP_SKT_ESYS;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr*)&sa, sizeof sa) != 0 || listen(fd, 4) != 0) {
      int e = errno;
      close(fd);
      errno = e;
      return VP_SKT_ESYS;
    }
    socklen_t len = sizeof sa;
    getsockname(fd, (struct sockaddr*)&sa, &len);
    if (bound && bound_size) snprintf(bound, bound_size, "tcp:%s:%u", a.host, (unsigned)ntohs(sa.sin_port));
    return fd;
  }
  unlink(a.un.sun_path);
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return VP_SKT_ESYS;
  if (bind(fd, (struct sockaddr*)&a.un, sizeof a.un) != 0 || listen(fd, 4) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return VP_SKT_ESYS;
  }
  if (bound && bound_size) snprintf(bound, bound_size, "unix:%s", a.un.sun_path);
  return fd;
}

static void tune(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* fails harmlessly on Unix sockets */
}

int vp_skt_accept(int listen_fd, int timeout_ms) {
  int rc = wait_for(listen_fd, POLLIN, deadline_of(timeout_ms));
  if (rc) return rc;
  int fd = accept(listen_fd, NULL, NULL);
  if (fd < 0) return VP_SKT_ESYS;
  tune(fd);
  return fd;
}

static int connect_once(const parsed_address* a) {
  if (!a->tcp) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return VP_SKT_ESYS;
    if (connect(fd, (const struct sockaddr*)&a->un, sizeof a->un) == 0) return fd;
    close(fd);
    return VP_SKT_ESYS;
  }
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(a->host, a->port, &hints, &res) != 0) return VP_SKT_EADDR;
  int fd = VP_SKT_ESYS;
  for (struct addrinfo* i = res; i; i = i->ai_next) {
    fd = socket(i->ai_family, i->ai_socktype | SOCK_CLOEXEC, i->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, i->ai_addr, i->ai_addrlen) == 0) break;
    close(fd);
    fd = VP_SKT_ESYS;
  }
  freeaddrinfo(res);
  if (fd >= 0) tune(fd);
  return fd;
}

int vp_skt_connect(const char* address, int timeout_ms) {
  parsed_address a;
  if (parse(address, &a)) return VP_SKT_EADDR;
  const int64_t deadline = deadline_of(timeout_ms);
  for (;;) {
    int fd = connect_once(&a);
    if (fd >= 0 || fd == VP_SKT_EADDR) return fd;
    if (timeout_ms == 0 || (deadline >= 0 && now_ms() >= deadline)) return fd;
    const struct timespec pause = {0, 10000000}; /* 10 ms: the listener may not be up yet */
    nanosleep(&pause, NULL);
  }
}

int vp_skt_close(int fd) { return close(fd) == 0 ? 0 : VP_SKT_ESYS; }

int vp_skt_send(int fd, const void* data, size_t len) {
  const uint8_t* p = (const uint8_t*)data;
  while (len) {
    ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EPIPE || errno == ECONNRESET ? VP_SKT_ECLOSED : VP_SKT_ESYS;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int vp_skt_recv(int fd, void* data, size_t len, int timeout_ms) {
  uint8_t* p = (uint8_t*)data;
  const int64_t deadline = deadline_of(timeout_ms);
  while (len) {
    if (timeout_ms >= 0) {
      int rc = wait_for(fd, POLLIN, deadline);
      if (rc) return rc;
    }
    ssize_t n = recv(fd, p, len, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == ECONNRESET ? VP_SKT_ECLOSED : VP_SKT_ESYS;
    if (n == 0) return VP_SKT_ECLOSED;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static void put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = (uint8_t)(v >> (8 * i));
}

int vp_skt_send_msg(int fd, const void* data, uint32_t len) {
  uint8_t head[4];
  put32(head, len);
  int rc = vp_skt_send(fd, head, 4);
  return rc ? rc : vp_skt_send(fd, data, len);
}

int vp_skt_recv_msg(int fd, void* data, uint32_t capacity, uint32_t* len, int timeout_ms) {
  uint8_t head[4];
  int rc = vp_skt_recv(fd, head, 4, timeout_ms);
  if (rc) return rc;
  const uint32_t n = (uint32_t)head[0] | (uint32_t)head[1] << 8 | (uint32_t)head[2] << 16 | (uint32_t)head[3] << 24;
  if (len) *len = n;
  if (n > capacity) return VP_SKT_ETOOBIG;
  return vp_skt_recv(fd, data, n, timeout_ms);
}

int vp_skt_send64(int fd, long long value) {
  uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = (uint8_t)((unsigned long long)value >> (8 * i));
  return vp_skt_send(fd, b, 8);
}

int vp_skt_recv64(int fd, long long* value, int timeout_ms) {
  uint8_t b[8];
  int rc = vp_skt_recv(fd, b, 8, timeout_ms);
  if (rc) return rc;
  unsigned long long v = 0;
  for (int i = 0; i < 8; ++i) v |= (unsigned long long)b[i] << (8 * i);
  if (value) *value = (long long)v;
  return 0;
}

const char* vp_skt_strerror(int code) {
  switch (code) {
    case VP_SKT_EADDR: return "bad address";
    case VP_SKT_ESYS: return "system call failed";
    case VP_SKT_ECLOSED: return "connection closed";
    case VP_SKT_ETIMEOUT: return "timed out";
    case VP_SKT_ETOOBIG: return "message longer than the buffer";
    default: return code >= 0 ? "ok" : "unknown error";
  }
}
