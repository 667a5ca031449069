// Bare-metal RISC-V guest with a minimal virtio-blk driver (virtio-mmio v2,
// one split virtqueue), for the end-to-end tests of `vp run --disk`.
//
// Default build: reads sector 0 (written by the host), writes its bytes
// reversed into sector 1, flushes, reads sector 1 back and checks it; exit 0.
// -DCRASH_LOOP: writes sector after sector, each followed by FLUSH and a line
// "flushed N" on the UART, until the host kills vp.
// -DCKPT_LOOP: for the checkpoint test, writes sectors 1..32 (a line "wrote N"
// after each, with some computing in between), then reads them back and
// checks them; prints a checksum and exits 0.
// Exit codes (through HTIF): 0 pass, others name the failed step.
#include <stdint.h>

#define VIRTIO_BASE 0x10001000ul
#define VIRTIO_SLOTS 8
#define UART 0x10000000ul
#define PLIC_PENDING 0x0c001000ul
#define PLIC_PRIORITY 0x0c000000ul   // + 4 * source
#define PLIC_ENABLE0 0x0c002000ul    // context 0 (hart 0, M mode)
#define PLIC_THRESHOLD0 0x0c200000ul
#define PLIC_CLAIM 0x0c200004ul

enum {
  MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, DEVICE_FEATURES = 0x010, DEVICE_FEATURES_SEL = 0x014,
  DRIVER_FEATURES = 0x020, DRIVER_FEATURES_SEL = 0x024, QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034,
  QUEUE_NUM = 0x038, QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050, INTERRUPT_STATUS = 0x060,
  INTERRUPT_ACK = 0x064, STATUS = 0x070, QUEUE_DESC = 0x080, QUEUE_DRIVER = 0x090, QUEUE_DEVICE = 0x0a0,
  CONFIG = 0x100,
};
enum { ACKNOWLEDGE = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8 };
enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4 };
#define QSIZE 8

struct desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags, next;
};
struct request_header {
  uint32_t type, reserved;
  uint64_t sector;
};

static struct desc descs[QSIZE] __attribute__((aligned(16)));
static struct {
  uint16_t flags, idx, ring[QSIZE], used_event;
} avail __attribute__((aligned(2)));
static volatile struct {
  uint16_t flags, idx;
  struct {
    uint32_t id, len;
  } ring[QSIZE];
  uint16_t avail_event;
} used __attribute__((aligned(4)));
static struct request_header header;
static volatile uint8_t status;
static uint8_t sector0[512], sector1[512], check[512];
static uintptr_t base;
static unsigned irq_source;

// The compiler may call these for loops and struct copies.
void* memset(void* d, int c, unsigned long n) {
  for (unsigned long i = 0; i < n; ++i) ((volatile uint8_t*)d)[i] = (uint8_t)c;
  return d;
}
void* memcpy(void* d, const void* s, unsigned long n) {
  for (unsigned long i = 0; i < n; ++i) ((volatile uint8_t*)d)[i] = ((const uint8_t*)s)[i];
  return d;
}

static uint32_t rd(unsigned off) { return *(volatile uint32_t*)(base + off); }
static void wr(unsigned off, uint32_t v) { *(volatile uint32_t*)(base + off) = v; }

static void putc_uart(char c) {
  while (!(*(volatile uint8_t*)(UART + 5) & 0x20)) {
  }
  *(volatile uint8_t*)UART = (uint8_t)c;
}
static void puts_uart(const char* s) {
  while (*s) putc_uart(*s++);
}
static void putu_uart(unsigned long v) {
  char buf[24];
  int n = 0;
  do buf[n++] = (char)('0' + v % 10); while ((v /= 10));
  while (n) putc_uart(buf[--n]);
}

static int find_disk(void) {
  for (unsigned i = 0; i < VIRTIO_SLOTS; ++i) {
    base = VIRTIO_BASE + 0x1000ul * i;
    if (rd(MAGIC) == 0x74726976 && rd(VERSION) == 2 && rd(DEVICE_ID) == 2) {
      irq_source = i + 1;  // virt.yaml: slot i -> PLIC source i + 1
      return 1;
    }
  }
  return 0;
}

// Device initialization (virtio 1.2, 3.1.1) accepting only VIRTIO_F_VERSION_1.
static int init(void) {
  wr(STATUS, 0);
  wr(STATUS, ACKNOWLEDGE);
  wr(STATUS, ACKNOWLEDGE | DRIVER);
  wr(DEVICE_FEATURES_SEL, 1);
  if (!(rd(DEVICE_FEATURES) & 1)) return 0;
  wr(DRIVER_FEATURES_SEL, 0);
  wr(DRIVER_FEATURES, 0);
  wr(DRIVER_FEATURES_SEL, 1);
  wr(DRIVER_FEATURES, 1);
  wr(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK);
  if (!(rd(STATUS) & FEATURES_OK)) return 0;
  wr(QUEUE_SEL, 0);
  if (rd(QUEUE_NUM_MAX) < QSIZE) return 0;
  wr(QUEUE_NUM, QSIZE);
  wr(QUEUE_DESC, (uint32_t)(uintptr_t)descs);
  wr(QUEUE_DESC + 4, (uint32_t)((uintptr_t)descs >> 32));
  wr(QUEUE_DRIVER, (uint32_t)(uintptr_t)&avail);
  wr(QUEUE_DRIVER + 4, (uint32_t)((uintptr_t)&avail >> 32));
  wr(QUEUE_DEVICE, (uint32_t)(uintptr_t)&used);
  wr(QUEUE_DEVICE + 4, (uint32_t)((uintptr_t)&used >> 32));
  wr(QUEUE_READY, 1);
  wr(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
  return 1;
}

#ifdef CKPT_LOOP
// Sleeps until the used-buffer interrupt (mie.MEIE, PLIC context 0; traps
// stay off): the instruction count then does not depend on how long the
// device took in simulated time, so a restored run retires the same count.
// Not inlined: the checkpoint test stops at its first instruction, when a
// notification is waiting in the transport.
__attribute__((noinline)) int wait_used(uint16_t before) {
  for (unsigned long i = 0; used.idx == before; ++i) {
    if (i > 1000) return 0;
    __asm__ volatile("wfi");
  }
  __asm__ volatile("fence r, r" ::: "memory");
  return 1;
}
#endif

// One request: header, optional data, status; waits until the device returns
// it, bounded by a fixed number of polls. Returns the status byte or 0xff.
static unsigned request(uint32_t type, uint64_t sector, void* data, int device_writes) {
  header.type = type;
  header.reserved = 0;
  header.sector = sector;
  status = 0xff;
  descs[0] = (struct desc){(uintptr_t)&header, sizeof header, 1, 1};
  if (data) {
    descs[1] = (struct desc){(uintptr_t)data, 512, (uint16_t)(1 | (device_writes ? 2 : 0)), 2};
    descs[2] = (struct desc){(uintptr_t)&status, 1, 2, 0};
  } else {
    descs[0].next = 2;
    descs[2] = (struct desc){(uintptr_t)&status, 1, 2, 0};
  }
  const uint16_t before = used.idx;
  avail.ring[avail.idx % QSIZE] = 0;
  __asm__ volatile("fence w, w" ::: "memory");
  avail.idx++;
  __asm__ volatile("fence w, o" ::: "memory");
  wr(QUEUE_NOTIFY, 0);
#ifdef CKPT_LOOP
  if (!wait_used(before)) return 0xff;
  wr(INTERRUPT_ACK, rd(INTERRUPT_STATUS));
  const uint32_t claimed = *(volatile uint32_t*)PLIC_CLAIM;
  *(volatile uint32_t*)PLIC_CLAIM = claimed;
  if (claimed != irq_source) return 0xfe;
#else
  for (unsigned long i = 0; used.idx == before; ++i)
    if (i > 100000000ul) return 0xff;
  __asm__ volatile("fence r, r" ::: "memory");
  // The used-buffer interrupt reached the PLIC; acknowledge it at the device.
  if (!(*(volatile uint32_t*)PLIC_PENDING & (1u << irq_source))) return 0xfe;
  wr(INTERRUPT_ACK, rd(INTERRUPT_STATUS));
#endif
  return status;
}

#if defined(CKPT_LOOP)
static uint64_t mix(uint64_t x) {  // some work between requests
  for (unsigned i = 0; i < 20000; ++i) x = x * 6364136223846793005ull + 1442695040888963407ull;
  return x;
}

int main(void) {
  if (!find_disk()) return 2;
  *(volatile uint32_t*)(PLIC_PRIORITY + 4 * irq_source) = 1;
  *(volatile uint32_t*)(PLIC_ENABLE0 + 4 * (irq_source / 32)) = 1u << (irq_source % 32);
  *(volatile uint32_t*)PLIC_THRESHOLD0 = 0;
  __asm__ volatile("csrc mstatus, 8\n\tli t0, 0x800\n\tcsrs mie, t0" ::: "t0");
  if (!init()) return 3;
  uint64_t x = 1;
  for (uint64_t n = 1; n <= 32; ++n) {
    x = mix(x);
    for (unsigned i = 0; i < 64; ++i) ((uint64_t*)sector1)[i] = x ^ (n << 56) ^ i;
    if (request(T_OUT, n, sector1, 0) != 0) return 4;
    puts_uart("wrote ");
    putu_uart(n);
    putc_uart('\n');
  }
  x = 1;
  uint64_t sum = 0;
  for (uint64_t n = 1; n <= 32; ++n) {
    x = mix(x);
    if (request(T_IN, n, check, 1) != 0) return 5;
    for (unsigned i = 0; i < 64; ++i) {
      if (((uint64_t*)check)[i] != (x ^ (n << 56) ^ i)) return 6;
      sum += ((uint64_t*)check)[i] >> 8;
    }
  }
  puts_uart("read back ok, checksum ");
  putu_uart(sum & 0xffffffffu);
  putc_uart('\n');
  return 0;
}
#elif !defined(CRASH_LOOP)
int main(void) {
  if (!find_disk()) return 2;
  if (!init()) return 3;
  if (request(T_IN, 0, sector0, 1) != 0) return 4;
  static const char tag[] = "vp-host-sector-0";
  for (unsigned i = 0; i < sizeof tag - 1; ++i)
    if (sector0[i] != (uint8_t)tag[i]) return 5;
  for (unsigned i = 0; i < 512; ++i) sector1[i] = sector0[511 - i];
  if (request(T_OUT, 1, sector1, 0) != 0) return 6;
  if (request(T_FLUSH, 0, 0, 0) != 0) return 7;
  if (request(T_IN, 1, check, 1) != 0) return 8;
  for (unsigned i = 0; i < 512; ++i)
    if (check[i] != sector1[i]) return 9;
  puts_uart("virtio-blk ok\n");
  return 0;
}
#else
int main(void) {
  if (!find_disk()) return 2;
  if (!init()) return 3;
  const uint64_t capacity = *(volatile uint64_t*)(base + CONFIG);
  // Sector 1 + n gets 64 copies of the word 0x5650000000000000 | n ("VP").
  for (uint64_t n = 0; 1 + n < capacity; ++n) {
    for (unsigned i = 0; i < 64; ++i) ((uint64_t*)sector1)[i] = 0x5650000000000000ull | n;
    if (request(T_OUT, 1 + n, sector1, 0) != 0) return 4;
    if (request(T_FLUSH, 0, 0, 0) != 0) return 5;
    puts_uart("flushed ");
    putu_uart(n + 1);
    putc_uart('\n');
  }
  return 0;
}
#endif
