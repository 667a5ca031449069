/* Peer library of the out-of-process RTL bridge (vp_rtl_peer.h). */
#define _POSIX_C_SOURCE 200809L
#include "vp_rtl_peer.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vp_rtl_shm.h"
#include "vp_skt.h"

static void put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= (uint32_t)p[i] << (8 * i);
  return v;
}
static uint64_t get64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= (uint64_t)p[i] << (8 * i);
  return v;
}

void vp_rtl_encode(const vp_rtl_header* h, uint8_t out[VP_RTL_HEADER_SIZE]) {
  put32(out, h->magic);
  out[4] = h->version;
  out[5] = h->type;
  out[6] = h->status;
  out[7] = h->flags;
  put32(out + 8, h->id);
  put32(out + 12, h->length);
  put64(out + 16, h->addr);
  put64(out + 24, h->time_ps);
}

int vp_rtl_decode(const uint8_t in[VP_RTL_HEADER_SIZE], vp_rtl_header* h) {
  h->magic = get32(in);
  h->version = in[4];
  h->type = in[5];
  h->status = in[6];
  h->flags = in[7];
  h->id = get32(in + 8);
  h->length = get32(in + 12);
  h->addr = get64(in + 16);
  h->time_ps = get64(in + 24);
  if (h->magic != VP_RTL_MAGIC) return VP_RTL_EMAGIC;
  if (h->version != VP_RTL_VERSION) return VP_RTL_EVERSION;
  if (h->type < VP_RTL_MSG_READ || h->type > VP_RTL_MSG_BYE) return VP_RTL_ETYPE;
  if (h->type != VP_RTL_MSG_IRQ && h->length > VP_RTL_MAX_DATA) return VP_RTL_ELENGTH;
  return 0;
}

const char* vp_rtl_strerror(int code) {
  switch (code) {
    case 0: return "ok";
    case VP_RTL_EMAGIC: return "bad magic";
    case VP_RTL_EVERSION: return "unsupported protocol version";
    case VP_RTL_ETYPE: return "unknown message type";
    case VP_RTL_ELENGTH: return "oversized message";
    case VP_RTL_EIO: return "connection closed or I/O error";
    case VP_RTL_ERING: return "corrupt shared-memory ring";
    case VP_RTL_ETIMEOUT: return "timed out";
    default: return "unknown error";
  }
}

int vp_rtl_send_all(int fd, const void* data, size_t len) {
  return vp_skt_send(fd, data, len) ? VP_RTL_EIO : 0;
}

int vp_rtl_recv_all(int fd, void* data, size_t len) {
  return vp_skt_recv(fd, data, len, -1) ? VP_RTL_EIO : 0;
}

/* Data follows WRITE requests and RESP messages with a length (read responses). */
static int has_data(const vp_rtl_header* h) {
  return (h->type == VP_RTL_MSG_WRITE || h->type == VP_RTL_MSG_RESP) && h->length > 0;
}

int vp_rtl_send(int fd, const vp_rtl_header* h, const void* data) {
  uint8_t buf[VP_RTL_HEADER_SIZE + 64];
  vp_rtl_encode(h, buf);
  const size_t n = data ? h->length : 0;
  if (n <= 64) { /* one send for small messages */
    if (n) memcpy(buf + VP_RTL_HEADER_SIZE, data, n);
    return vp_rtl_send_all(fd, buf, VP_RTL_HEADER_SIZE + n);
  }
  int rc = vp_rtl_send_all(fd, buf, VP_RTL_HEADER_SIZE);
  return rc ? rc : vp_rtl_send_all(fd, data, n);
}

int vp_rtl_recv(int fd, vp_rtl_header* h, void* data, size_t capacity) {
  uint8_t buf[VP_RTL_HEADER_SIZE];
  int rc = vp_rtl_recv_all(fd, buf, sizeof buf);
  if (rc) return rc;
  rc = vp_rtl_decode(buf, h);
  if (rc) return rc;
  if (!has_data(h)) return 0;
  if (!data || h->length > capacity) return VP_RTL_ELENGTH;
  return vp_rtl_recv_all(fd, data, h->length);
}

int vp_rtl_connect(const char* address) {
  const int fd = vp_skt_connect(address, 0);
  return fd >= 0 ? fd : -1;
}

struct vp_rtl_peer {
  int fd;
  vp_shm* shm; /* "shm:" addresses */
};

vp_rtl_peer* vp_rtl_peer_connect(const char* address) {
  if (!address) return NULL;
  const int shm = strncmp(address, "shm:", 4) == 0;
  int fd = -1;
  if (shm) {
    char unix_address[128];
    if (strlen(address + 4) + 6 > sizeof unix_address) return NULL;
    strcpy(unix_address, "unix:");
    strcat(unix_address, address + 4);
    fd = vp_rtl_connect(unix_address);
  } else {
    fd = vp_rtl_connect(address);
  }
  if (fd < 0) return NULL;
  vp_rtl_peer* p = (vp_rtl_peer*)calloc(1, sizeof *p);
  if (!p) {
    close(fd);
    return NULL;
  }
  p->fd = fd;
  if (shm) {
    p->shm = (vp_shm*)calloc(1, sizeof *p->shm);
    if (!p->shm || vp_shm_attach(p->shm, fd) != 0) {
      free(p->shm);
      free(p);
      close(fd);
      return NULL;
    }
  }
  return p;
}

void vp_rtl_peer_set_spin(vp_rtl_peer* peer, int spin_us) {
  if (peer && peer->shm) vp_shm_set_spin(peer->shm, spin_us);
}

static int peer_send(vp_rtl_peer* p, const vp_rtl_header* h, const void* data) {
  return p->shm ? vp_shm_send(p->shm, h, data, 1) : vp_rtl_send(p->fd, h, data);
}

static int peer_recv(vp_rtl_peer* p, vp_rtl_header* h, void* data, size_t capacity) {
  return p->shm ? vp_shm_recv(p->shm, h, data, capacity, -1) : vp_rtl_recv(p->fd, h, data, capacity);
}

static vp_rtl_header make(uint8_t type, uint32_t id, uint32_t length, uint64_t addr, uint64_t time_ps) {
  vp_rtl_header h;
  h.magic = VP_RTL_MAGIC;
  h.version = VP_RTL_VERSION;
  h.type = type;
  h.status = 0;
  h.flags = 0;
  h.id = id;
  h.length = length;
  h.addr = addr;
  h.time_ps = time_ps;
  return h;
}

int vp_rtl_peer_irq(vp_rtl_peer* peer, uint32_t line, int level, uint64_t time_ps) {
  vp_rtl_header h = make(VP_RTL_MSG_IRQ, line, level ? 1u : 0u, 0, time_ps);
  return peer_send(peer, &h, NULL);
}

int vp_rtl_peer_serve(vp_rtl_peer* peer, const vp_rtl_peer_ops* ops, void* user) {
  uint8_t data[VP_RTL_MAX_DATA];
  for (;;) {
    vp_rtl_header h;
    int rc = peer_recv(peer, &h, data, sizeof data);
    if (rc == VP_RTL_EIO) return 0; /* vp closed the connection */
    if (rc) return rc;
    uint64_t t = h.time_ps;
    switch (h.type) {
      case VP_RTL_MSG_READ: {
        if (h.length > VP_RTL_MAX_DATA) return VP_RTL_ELENGTH;
        int st = ops->read(user, h.addr, data, h.length, &t);
        vp_rtl_header r = make(VP_RTL_MSG_RESP, h.id, st == VP_RTL_OK ? h.length : 0, h.addr, t);
        r.status = (uint8_t)st;
        rc = peer_send(peer, &r, st == VP_RTL_OK ? data : NULL);
        break;
      }
      case VP_RTL_MSG_WRITE: {
        int st = ops->write(user, h.addr, data, h.length, &t);
        if (!(h.flags & VP_RTL_FLAG_POSTED)) {
          vp_rtl_header r = make(VP_RTL_MSG_RESP, h.id, 0, h.addr, t);
          r.status = (uint8_t)st;
          rc = peer_send(peer, &r, NULL);
        } else if (st != VP_RTL_OK) {
          vp_rtl_header r = make(VP_RTL_MSG_ERROR, h.id, 0, h.addr, t);
          r.status = (uint8_t)st;
          rc = peer_send(peer, &r, NULL);
        }
        break;
      }
      case VP_RTL_MSG_SYNC: {
        uint64_t now = ops->sync ? ops->sync(user, h.time_ps) : h.time_ps;
        vp_rtl_header r = make(VP_RTL_MSG_SYNC_ACK, h.id, 0, 0, now);
        rc = peer_send(peer, &r, NULL);
        break;
      }
      case VP_RTL_MSG_BYE:
        return 0;
      default:
        return VP_RTL_ETYPE;
    }
    if (rc) return rc;
  }
}

void vp_rtl_peer_close(vp_rtl_peer* peer) {
  if (!peer) return;
  if (peer->shm) {
    vp_shm_close(peer->shm); /* closes the socket too */
    free(peer->shm);
  } else {
    close(peer->fd);
  }
  free(peer);
}
