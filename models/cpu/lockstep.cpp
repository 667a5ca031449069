// Lock-step differential checking (see lockstep.h).
#include "models/cpu/lockstep.h"

#include <sys/mman.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <new>
#include <stdexcept>

#include "models/cpu/core_internal.h"
#include "models/cpu/htif.h"
#include "models/cpu/translator.h"

namespace vp::cpu {

// The primary's host: the platform, with everything the shadow must see recorded.
class Lockstep::Recorder : public CoreHost {
 public:
  explicit Recorder(Lockstep& l) : l_(l) {}
  bool dmi(uint64_t paddr, bool write, DmiRegion& out) override {
    if (!l_.host_.dmi(paddr, write, out)) return false;
    l_.snapshot(out);
    return true;
  }
  bool read(uint64_t paddr, void* data, unsigned len) override {
    const bool ok = l_.host_.read(paddr, data, len);
    const auto* p = static_cast<const uint8_t*>(data);
    l_.log_.push_back({Event::kRead, ok, paddr, std::vector<uint8_t>(p, p + len), l_.primary_->irq_lines_,
                       std::move(l_.pending_)});
    l_.pending_.clear();
    return ok;
  }
  bool write(uint64_t paddr, const void* data, unsigned len) override {
    const bool ok = l_.host_.write(paddr, data, len);
    const auto* p = static_cast<const uint8_t*>(data);
    l_.log_.push_back({Event::kWrite, ok, paddr, std::vector<uint8_t>(p, p + len), l_.primary_->irq_lines_,
                       std::move(l_.pending_)});
    l_.pending_.clear();
    return ok;
  }
  uint64_t time_now() override {
    const uint64_t t = l_.host_.time_now();
    std::vector<uint8_t> v(8);
    std::memcpy(v.data(), &t, 8);
    l_.log_.push_back({Event::kTime, true, 0, std::move(v), l_.primary_->irq_lines_});
    return t;
  }
  void htif_tohost(uint64_t value) override { l_.host_.htif_tohost(value); }

 private:
  Lockstep& l_;
};

// The shadow's host: its own memory copies, and the primary's observations replayed.
class Lockstep::Replay : public CoreHost {
 public:
  explicit Replay(Lockstep& l) : l_(l) {}
  bool dmi(uint64_t paddr, bool write, DmiRegion& out) override {
    Region* r = l_.region_of(paddr);
    if (!r || !(write ? r->real.write : r->real.read)) return false;
    out = r->real;
    out.ptr = r->copy;
    return true;
  }
  bool read(uint64_t paddr, void* data, unsigned len) override {
    const Event* e = next(Event::kRead, paddr, len, "read");
    if (!e) return false;
    std::memcpy(data, e->data.data(), len);
    return consume();
  }
  bool write(uint64_t paddr, const void* data, unsigned len) override {
    const Event* e = next(Event::kWrite, paddr, len, "write");
    if (!e) return false;
    if (std::memcmp(data, e->data.data(), len) != 0) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "MMIO write to 0x%" PRIx64 " (%u bytes): different data", paddr, len);
      l_.fail(buf);
    }
    return consume();
  }
  uint64_t time_now() override {
    const Event* e = next(Event::kTime, 0, 8, "time read");
    if (!e) return 0;
    uint64_t t;
    std::memcpy(&t, e->data.data(), 8);
    consume();
    return t;
  }
  void htif_tohost(uint64_t value) override {
    // The same memory effects on the shadow's copy; output and exit are the primary's.
    HtifActions quiet;
    quiet.exit = [](int, const std::string&) {};
    quiet.output = [](const char*, size_t) {};
    htif_handle(*l_.shadow_, l_.shadow_->tohost_, l_.shadow_->fromhost_, value, quiet);
  }

 private:
  // Pops the front event; the device stores made during it and the interrupt lines it
  // left are the shadow's from now on.
  bool consume() {
    const Event& e = l_.log_.front();
    for (const Store& st : e.stores) l_.apply(st);
    l_.apply_lines(e.lines);
    const bool ok = e.ok;
    l_.log_.pop_front();
    return ok;
  }
  const Event* next(Event::Kind kind, uint64_t addr, unsigned len, const char* what) {
    if (l_.log_.empty() || l_.log_.front().kind != kind || l_.log_.front().addr != addr ||
        l_.log_.front().data.size() != len) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "the interpreter made an MMIO %s at 0x%" PRIx64
                    " (%u bytes) that translated code did not make", what, addr, len);
      l_.fail(buf);
      return nullptr;
    }
    return &l_.log_.front();
  }
  Lockstep& l_;
};

Lockstep::Lockstep(const CoreConfig& cfg, CoreHost& host, std::ostream& report)
    : host_(host), report_(report), recorder_(std::make_unique<Recorder>(*this)),
      replay_(std::make_unique<Replay>(*this)) {
  CoreConfig pc = cfg;
  pc.translate = true;
  primary_ = std::make_unique<Core>(pc, *recorder_);
  CoreConfig sc = cfg;
  sc.translate = false;
  shadow_ = std::make_unique<Core>(sc, *replay_);
  if (auto* t = const_cast<Translator*>(primary_->translator())) t->set_single_block(true);
}

Lockstep::~Lockstep() {
  if (monitor_) monitor_->remove_observer(observer_);
}

// The primary's reservation monitor is the platform's once the platform has handed it
// over (before the first run): device stores are observed through it.
bool Lockstep::attach_monitor() {
  monitor_ = primary_->monitor_;
  if (monitor_->processors() > 1) {
    refused_ = true;
    message_ = "lock-step checking (lockstep: true) needs a platform with a single hart: this one has " +
               std::to_string(monitor_->processors()) +
               ", and the other harts' stores into memory cannot be applied to the interpreter's copy of it";
    monitor_ = nullptr;
    report_ << "lockstep: " << message_ << "\n";  // also under --quiet, as a divergence report is
    return false;
  }
  observer_ = monitor_->add_observer(
      [this](uint64_t pa, const void* data, uint64_t len) { device_store(pa, data, len); });
  return true;
}

void Lockstep::device_store(uint64_t pa, const void* data, uint64_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  Store st{pa, std::vector<uint8_t>(p, p + len)};
  if (in_primary_)
    pending_.push_back(std::move(st));  // applied when the shadow reaches the same point
  else
    apply(st);
}

// A device store on the shadow's side: its memory copy and its reservation.
void Lockstep::apply(const Store& st) {
  shadow_->monitor_->store(platform::ReservationMonitor::kNoHart, st.addr, st.data.size());
  uint64_t pa = st.addr;
  size_t off = 0;
  while (off < st.data.size()) {
    const uint64_t left = st.data.size() - off;
    if (Region* r = region_of(pa)) {
      const size_t n = size_t(std::min<uint64_t>(left, r->real.end - pa + 1));
      std::memcpy(r->copy + (pa - r->real.base), st.data.data() + off, n);
      off += n;
      pa += n;
      continue;
    }
    // Not in a copied region: skip to the next region that starts inside the store.
    uint64_t next = pa + left;
    for (auto& r : regions_)
      if (r->real.base > pa && r->real.base < next) next = r->real.base;
    off += size_t(next - pa);
    pa = next;
  }
}

void Lockstep::snapshot(const DmiRegion& r) {
  for (auto& reg : regions_)
    if (reg->real.base == r.base && reg->real.end == r.end) {
      reg->real.read |= r.read;
      reg->real.write |= r.write;
      return;
    }
  regions_.push_back(std::make_unique<Region>(r));
}

namespace {
constexpr size_t kPage = 4096;

// Which host pages of [p, p + n) hold data: anonymous pages never written are not
// resident and read as zero, so copies and comparisons skip them (a 256 MiB RAM is
// mostly such pages). Without the information every page counts as resident.
class Residency {
 public:
  Residency(const uint8_t* p, size_t n) : base_(reinterpret_cast<uintptr_t>(p) & ~uintptr_t{kPage - 1}) {
    const size_t len = reinterpret_cast<uintptr_t>(p) + n - base_;
    pages_.resize((len + kPage - 1) / kPage);
    if (mincore(reinterpret_cast<void*>(base_), len, pages_.data()) != 0)
      std::fill(pages_.begin(), pages_.end(), 1);
  }
  bool resident(const uint8_t* q) const {
    return pages_[(reinterpret_cast<uintptr_t>(q) - base_) / kPage] & 1;
  }

 private:
  uintptr_t base_;
  std::vector<unsigned char> pages_;
};
}  // namespace

Lockstep::Region::Region(const DmiRegion& r) : real(r), size(r.end - r.base + 1) {
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  copy = static_cast<uint8_t*>(p);
  const Residency res(r.ptr, size);
  for (size_t off = 0; off < size; off += kPage) {
    const size_t n = std::min(kPage, size - off);
    if (res.resident(r.ptr + off) || res.resident(r.ptr + off + n - 1))
      std::memcpy(copy + off, r.ptr + off, n);
  }
}

Lockstep::Region::~Region() { munmap(copy, size); }

Lockstep::Region* Lockstep::region_of(uint64_t pa) {
  for (auto& r : regions_)
    if (pa >= r->real.base && pa <= r->real.end) return r.get();
  return nullptr;
}

void Lockstep::invalidate_dmi(uint64_t start, uint64_t end) {
  primary_->invalidate_dmi(start, end);
  shadow_->invalidate_dmi(start, end);
}

void Lockstep::apply_lines(uint64_t lines) {
  Core& s = *shadow_;
  for (unsigned bit = 0; bit < 64; ++bit)
    if (((lines ^ s.irq_lines_) >> bit) & 1) s.set_irq_line(bit, (lines >> bit) & 1);
}

void Lockstep::fail(const std::string& what) {
  if (diverged_) return;
  diverged_ = true;
  message_ = what;
}

bool Lockstep::check_memory() {
  for (auto& r : regions_) {
    const Residency real(r->real.ptr, r->size), copy(r->copy, r->size);
    size_t i = r->size;
    for (size_t off = 0; off < r->size && i == r->size; off += kPage) {
      const size_t n = std::min(kPage, r->size - off);
      const uint8_t *a = r->real.ptr + off, *b = r->copy + off;
      if (!real.resident(a) && !real.resident(a + n - 1) && !copy.resident(b)) continue;
      if (std::memcmp(a, b, n) == 0) continue;
      for (i = off; r->real.ptr[i] == r->copy[i];) ++i;
    }
    if (i == r->size) continue;
    char buf[200];
    std::snprintf(buf, sizeof buf, "memory differs at 0x%" PRIx64 ": translated 0x%02x, interpreter 0x%02x",
                  r->real.base + i, r->real.ptr[i], r->copy[i]);
    fail(buf);
    report_ << "lockstep: " << message_ << " (found after " << blocks_ << " blocks)\n";
    return false;
  }
  return true;
}

RunExit Lockstep::run(uint64_t budget, uint64_t& executed) {
  Core& p = *primary_;
  Core& s = *shadow_;
  executed = 0;
  if (diverged_ || refused_) return RunExit::kStop;
  if (!started_) {  // boot set-up (pc, a0/a1, HTIF) was done on the primary
    started_ = true;
    if (!attach_monitor()) return RunExit::kStop;
    std::memcpy(s.x_, p.x_, sizeof s.x_);
    std::memcpy(s.f_, p.f_, sizeof s.f_);
    s.pc_ = p.pc_;
  }
  if (s.tohost_ != p.tohost_ || s.fromhost_ != p.fromhost_) s.set_htif(p.tohost_, p.fromhost_);
  RunExit why = RunExit::kBudget;
  run_executed_ = 0;
  while (executed < budget) {
    const uint64_t lines = p.irq_lines_;
    const uint64_t pc0 = p.pc_;
    s.idle_cycles_ = p.idle_cycles_;  // WFI sleep the host added (mcycle counts it)
    uint64_t k = 0;
    in_primary_ = true;
    why = p.run(budget - executed, k);
    in_primary_ = false;
    apply_lines(lines);
    uint64_t ks = 0;
    if (k) s.run(k, ks);
    // Device stores the primary caused outside an MMIO access: after the block.
    for (const Store& st : pending_) apply(st);
    pending_.clear();
    executed += k;
    run_executed_ = executed;
    ++blocks_;
    if (ks != k) {
      char buf[120];
      std::snprintf(buf, sizeof buf, "the interpreter executed %" PRIu64 " instructions, translated code %" PRIu64,
                    ks, k);
      fail(buf);
    }
    if (!log_.empty()) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "translated code made an MMIO access (0x%" PRIx64 ") the interpreter did not make",
                    log_.front().addr);
      fail(buf);
      log_.clear();
    }
    if (!compare(pc0, k) || (blocks_ % kMemoryCheckInterval == 0 && !check_memory())) return RunExit::kStop;
    if (why != RunExit::kBudget) break;
  }
  if (why == RunExit::kStop && !check_memory()) return RunExit::kStop;
  return why;
}

namespace {
struct CsrName {
  unsigned num;
  const char* name;
};
const CsrName kCsrs[] = {
    {0x300, "mstatus"}, {0x301, "misa"}, {0x302, "medeleg"}, {0x303, "mideleg"}, {0x304, "mie"},
    {0x305, "mtvec"}, {0x306, "mcounteren"}, {0x30a, "menvcfg"}, {0x320, "mcountinhibit"},
    {0x340, "mscratch"}, {0x341, "mepc"}, {0x342, "mcause"}, {0x343, "mtval"}, {0x344, "mip"},
    {0x105, "stvec"}, {0x106, "scounteren"}, {0x10a, "senvcfg"}, {0x140, "sscratch"},
    {0x141, "sepc"}, {0x142, "scause"}, {0x143, "stval"}, {0x180, "satp"}, {0x003, "fcsr"},
    {0xb00, "mcycle"}, {0xb02, "minstret"}, {0x3a0, "pmpcfg0"}, {0x3a2, "pmpcfg2"},
    {0x3b0, "pmpaddr0"}, {0x3b1, "pmpaddr1"}, {0x3b2, "pmpaddr2"}, {0x3b3, "pmpaddr3"},
    {0x3b4, "pmpaddr4"}, {0x3b5, "pmpaddr5"}, {0x3b6, "pmpaddr6"}, {0x3b7, "pmpaddr7"},
};
}  // namespace

// Compares the two cores after a block that started at pc0 and ran `executed`
// instructions; on a difference writes the report and returns false.
bool Lockstep::compare(uint64_t pc0, uint64_t executed) {
  Core& p = *primary_;
  Core& s = *shadow_;
  std::string diff;
  char buf[200];
  uint64_t bad_x = 0, bad_f = 0;
  auto add = [&](const char* what, uint64_t tv, uint64_t iv) {
    std::snprintf(buf, sizeof buf, "  %-10s translated 0x%016" PRIx64 "  interpreter 0x%016" PRIx64 "\n", what, tv, iv);
    diff += buf;
  };
  if (p.pc_ != s.pc_) add("pc", p.pc_, s.pc_);
  if (p.priv_ != s.priv_) add("privilege", static_cast<uint64_t>(p.priv_), static_cast<uint64_t>(s.priv_));
  if (p.instret() != s.instret()) add("instret", p.instret(), s.instret());
  for (unsigned r = 1; r < 32; ++r)
    if (p.x_[r] != s.x_[r]) {
      add(xreg_name(r), p.x_[r], s.x_[r]);
      bad_x |= 1ull << r;
    }
  for (unsigned r = 0; r < 32; ++r)
    if (p.f_[r] != s.f_[r]) {
      add(freg_name(r), p.f_[r], s.f_[r]);
      bad_f |= 1ull << r;
    }
  for (const CsrName& c : kCsrs) {
    uint64_t a = 0, b = 0;
    const bool ha = p.peek_csr(c.num, a), hb = s.peek_csr(c.num, b);
    if (ha != hb || a != b) add(c.name, a, b);
  }
  if (diff.empty() && !diverged_) return true;
  if (!diverged_) {
    std::snprintf(buf, sizeof buf, "state differs after the block at 0x%016" PRIx64, pc0);
    fail(buf);
  }
  report_ << "lockstep: " << message_ << " (block " << blocks_ << ", " << executed << " instructions)\n"
          << diff;
  // The block as the interpreter decoded it; the first instruction writing a register
  // that differs is marked.
  const uint64_t saved_pc = s.pc_;
  s.pc_ = pc0;
  try {
    const Block* b = s.lookup_block();
    uint64_t pc = pc0;
    bool marked = false;
    for (size_t i = 0; i < b->insns.size() && i < executed; ++i) {
      const Insn& in = b->insns[i];
      const bool fd = (in.info->flags & kRdIsFloat) != 0;
      const bool hit = !marked && in.rd < 32 && (fd ? (bad_f >> in.rd) & 1 : in.rd && ((bad_x >> in.rd) & 1));
      std::snprintf(buf, sizeof buf, "  %s 0x%016" PRIx64 ": %s\n", hit ? ">>" : "  ", pc,
                    disassemble(in, pc).c_str());
      report_ << buf;
      marked |= hit;
      pc += in.len;
    }
    if (!marked && !diff.empty()) report_ << "  (no instruction of the block writes a differing register)\n";
  } catch (const Trap&) {
    report_ << "  (the block cannot be fetched)\n";
  }
  s.pc_ = saved_pc;
  return false;
}

}  // namespace vp::cpu
