#pragma once
// A SystemC-free machine around cpu::Core for unit tests and the standalone
// runner: flat RAM (DMI), a ROM-less reset, HTIF, and a minimal CLINT
// (msip/mtimecmp/mtime at 0x2000000, mtime = instructions / 100 + what the
// guest wrote; the time CSR reads mtime).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "models/cpu/core.h"
#include "models/cpu/htif.h"
#include "models/cpu/lockstep.h"

namespace vp::cpu::test {

class FlatMachine : public CoreHost {
 public:
  static constexpr uint64_t kRamBase = 0x80000000;
  static constexpr uint64_t kClintBase = 0x2000000;

  // lockstep: the core translates and an interpreter checks it block by block
  // (models/cpu/lockstep.h); a divergence is reported on stderr and ends run().
  explicit FlatMachine(size_t ram_size = 64u << 20, CoreConfig cfg = {}, bool lockstep = false,
                       std::ostream& report = std::cerr)
      : ram_(ram_size) {
    cfg.reset_pc = kRamBase;
    if (lockstep) {
      lockstep_ = std::make_unique<Lockstep>(cfg, *this, report);
      core_ = &lockstep_->primary();
    } else {
      own_ = std::make_unique<Core>(cfg, *this);
      core_ = own_.get();
    }
  }

  Core& core() { return *core_; }
  Lockstep* lockstep() { return lockstep_.get(); }
  std::vector<uint8_t>& ram() { return ram_; }
  std::string output;
  bool exited = false;
  int exit_code = -1;
  uint64_t mtimecmp = ~0ull;
  bool msip = false;

  void load(uint64_t addr, const void* data, size_t len) {
    std::memcpy(&ram_[addr - kRamBase], data, len);
  }
  void load_words(uint64_t addr, const std::vector<uint32_t>& words) {
    load(addr, words.data(), words.size() * 4);
  }

  // Minimal ELF64 loader; returns the entry point, fills tohost/fromhost.
  uint64_t load_elf(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::vector<uint8_t> d((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto u16 = [&](size_t o) { uint16_t v; std::memcpy(&v, &d[o], 2); return v; };
    auto u32 = [&](size_t o) { uint32_t v; std::memcpy(&v, &d[o], 4); return v; };
    auto u64 = [&](size_t o) { uint64_t v; std::memcpy(&v, &d[o], 8); return v; };
    if (d.size() < 64 || std::memcmp(d.data(), "\x7f" "ELF", 4) != 0) return 0;
    const uint64_t phoff = u64(32), shoff = u64(40);
    const unsigned phnum = u16(56), shnum = u16(60);
    for (unsigned i = 0; i < phnum; ++i) {
      size_t p = phoff + i * 56;
      if (u32(p) != 1) continue;
      uint64_t off = u64(p + 8), paddr = u64(p + 24), filesz = u64(p + 32), memsz = u64(p + 40);
      if (paddr < kRamBase || paddr + memsz > kRamBase + ram_.size()) continue;
      std::memset(&ram_[paddr - kRamBase], 0, memsz);
      std::memcpy(&ram_[paddr - kRamBase], &d[off], filesz);
    }
    for (unsigned i = 0; i < shnum; ++i) {
      size_t s = shoff + i * 64;
      if (u32(s + 4) != 2) continue;  // SHT_SYMTAB
      uint64_t off = u64(s + 24), size = u64(s + 32);
      unsigned link = u32(s + 40);
      uint64_t stroff = u64(shoff + link * 64 + 24);
      for (uint64_t e = off; e + 24 <= off + size; e += 24) {
        const char* name = reinterpret_cast<const char*>(&d[stroff + u32(e)]);
        if (!std::strcmp(name, "tohost")) tohost_ = u64(e + 8);
        if (!std::strcmp(name, "fromhost")) fromhost_ = u64(e + 8);
      }
    }
    core_->set_htif(tohost_, fromhost_);
    return u64(24);
  }

  // Runs until HTIF exit or the instruction limit. Returns the exit code, 124 on limit.
  int run(uint64_t limit) {
    uint64_t total = 0;
    while (!exited && total < limit) {
      uint64_t done = 0;
      const uint64_t budget = std::min<uint64_t>(10000, limit - total);
      RunExit why = lockstep_ ? lockstep_->run(budget, done) : core_->run(budget, done);
      if (lockstep_ && lockstep_->diverged()) return 3;
      total += done;
      now_ += done;
      update_timer();
      if (why == RunExit::kWfi && !core_->wfi_wakeup()) {
        if (mtimecmp == ~0ull) return 125;  // would sleep forever
        const uint64_t wake = (mtimecmp - mtime_offset_) * 100;
        if (wake > now_) {
          core_->add_idle_cycles(wake - now_);  // one cycle per instruction time
          now_ = wake;
        }
        update_timer();
      }
    }
    executed = total;
    return exited ? exit_code : 124;
  }
  uint64_t executed = 0;

  // CoreHost
  bool dmi(uint64_t pa, bool, DmiRegion& out) override {
    if (pa < kRamBase || pa >= kRamBase + ram_.size()) return false;
    out.base = kRamBase;
    out.end = kRamBase + ram_.size() - 1;
    out.ptr = ram_.data();
    out.read = out.write = true;
    return true;
  }
  bool read(uint64_t pa, void* data, unsigned len) override {
    if (pa >= kRamBase && pa + len <= kRamBase + ram_.size()) {
      std::memcpy(data, &ram_[pa - kRamBase], len);
      return true;
    }
    uint64_t v = 0;
    if (pa == kClintBase) v = msip;
    else if (pa == kClintBase + 0x4000) v = mtimecmp;
    else if (pa == kClintBase + 0xbff8) v = mtime();
    else if (pa == kClintBase + 0xbffc) v = mtime() >> 32;
    else return false;
    std::memcpy(data, &v, len > 8 ? 8 : len);
    return true;
  }
  bool write(uint64_t pa, const void* data, unsigned len) override {
    if (pa >= kRamBase && pa + len <= kRamBase + ram_.size()) {
      std::memcpy(&ram_[pa - kRamBase], data, len);
      return true;
    }
    uint64_t v = 0;
    std::memcpy(&v, data, len > 8 ? 8 : len);
    if (pa == kClintBase) {
      msip = v & 1;
      core_->set_irq_line(3, msip);
    } else if (pa == kClintBase + 0x4000) {
      mtimecmp = v;
      update_timer();
    } else if (pa == kClintBase + 0xbff8 || pa == kClintBase + 0xbffc) {
      const unsigned shift = pa == kClintBase + 0xbffc ? 32 : 0;
      const uint64_t mask = (len >= 8 ? ~0ull : 0xffffffffull) << shift;
      mtime_offset_ += ((mtime() & ~mask) | ((v << shift) & mask)) - mtime();
      update_timer();
    } else {
      return false;
    }
    return true;
  }
  uint64_t time_now() override { return mtime(); }
  void htif_tohost(uint64_t value) override {
    HtifActions act;
    act.exit = [this](int code, const std::string&) {
      exited = true;
      exit_code = code;
      core_->request_stop();
    };
    act.output = [this](const char* d, size_t n) { output.append(d, n); };
    htif_handle(*core_, tohost_, fromhost_, value, act);
  }

 private:
  uint64_t mtime() const { return (now_ + core_->run_progress()) / 100 + mtime_offset_; }
  void update_timer() { core_->set_irq_line(7, mtime() >= mtimecmp); }
  std::vector<uint8_t> ram_;
  std::unique_ptr<Core> own_;
  std::unique_ptr<Lockstep> lockstep_;
  Core* core_ = nullptr;
  uint64_t tohost_ = 0, fromhost_ = 0;
  uint64_t now_ = 0;
  uint64_t mtime_offset_ = 0;
};

}  // namespace vp::cpu::test
