#pragma once
// RtlModelImpl: an RtlModel over a `verilator --cc` top-level class, with the
// APB and AXI4-Lite bus transactors. Included only by the generated
// registration code of each RTL component (vp_add_rtl_component), which
// defines VP_RTL_TRACE_VCD / VP_RTL_TRACE_FST when the model has tracing.
//
// Port names the transactors expect (see docs/rtl.md):
//   always: clk, rst_n; optional outputs irq, busy
//   APB:        paddr psel penable pwrite pwdata pstrb -> prdata pready pslverr
//   AXI4-Lite:  awaddr awvalid awready wdata wstrb wvalid wready bresp bvalid bready
//               araddr arvalid arready rdata rresp rvalid rready
#include <memory>
#include <string>
#include <type_traits>

#include <verilated.h>
#if defined(VP_RTL_TRACE_VCD)
#include <verilated_vcd_c.h>
#endif
#if defined(VP_RTL_TRACE_FST)
#include <verilated_fst_c.h>
#endif

#include "models/rtl/rtl_model.h"

namespace vp::rtl {
namespace detail {

template <typename T, typename = void>
struct HasIrq : std::false_type {};
template <typename T>
struct HasIrq<T, std::void_t<decltype(std::declval<T&>().irq)>> : std::true_type {};
template <typename T, typename = void>
struct HasBusy : std::false_type {};
template <typename T>
struct HasBusy<T, std::void_t<decltype(std::declval<T&>().busy)>> : std::true_type {};

inline bool ends_with(const std::string& s, const char* suffix) {
  const std::string x(suffix);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

}  // namespace detail

template <typename Top, BusKind Bus>
class RtlModelImpl final : public RtlModel {
 public:
  RtlModelImpl() : ctx_(std::make_unique<VerilatedContext>()) {
#if defined(VP_RTL_TRACE_VCD) || defined(VP_RTL_TRACE_FST)
    ctx_->traceEverOn(true);
#endif
    top_ = std::make_unique<Top>(ctx_.get(), "top");
    top_->clk = 0;
    top_->rst_n = 1;
    idle_inputs();
    top_->eval();
  }
  ~RtlModelImpl() override {
    close_trace();
    top_->final();
  }

  unsigned bus_bytes() const override { return 4; }

  void reset(unsigned cycles) override {
    top_->rst_n = 0;
    top_->eval();
    for (unsigned i = 0; i < cycles; ++i) cycle();
    top_->rst_n = 1;
    top_->eval();
  }

  void idle(uint64_t count) override {
    for (uint64_t i = 0; i < count; ++i) cycle();
  }

  BusResult read(uint64_t addr, uint32_t& data, uint64_t timeout) override {
    if constexpr (Bus == BusKind::Apb) {
      return apb(addr, false, 0, 0, &data, timeout);
    } else {
      return axi_read(addr, data, timeout);
    }
  }
  BusResult write(uint64_t addr, uint32_t data, unsigned strobe, uint64_t timeout) override {
    if constexpr (Bus == BusKind::Apb) {
      return apb(addr, true, data, strobe, nullptr, timeout);
    } else {
      return axi_write(addr, data, strobe, timeout);
    }
  }

  bool irq() const override {
    if constexpr (detail::HasIrq<Top>::value) return top_->irq;
    return false;
  }
  bool busy() const override {
    if constexpr (detail::HasBusy<Top>::value) return top_->busy;
    return false;
  }

  bool open_trace(const std::string& path) override {
#if defined(VP_RTL_TRACE_VCD) || defined(VP_RTL_TRACE_FST)
    close_trace();
#if defined(VP_RTL_TRACE_FST)
    if (detail::ends_with(path, ".fst")) {
      fst_ = std::make_unique<VerilatedFstC>();
      top_->trace(fst_.get(), 99);
      fst_->open(path.c_str());
      fst_->dump(trace_time_);
      return true;
    }
#endif
#if defined(VP_RTL_TRACE_VCD)
    if (detail::ends_with(path, ".vcd")) {
      vcd_ = std::make_unique<VerilatedVcdC>();
      top_->trace(vcd_.get(), 99);
      vcd_->open(path.c_str());
      vcd_->dump(trace_time_);
      return true;
    }
#endif
    return false;
#else
    (void)path;
    return false;
#endif
  }
  void flush_trace() override {
#if defined(VP_RTL_TRACE_VCD)
    if (vcd_) vcd_->flush();
#endif
#if defined(VP_RTL_TRACE_FST)
    if (fst_) fst_->flush();
#endif
  }
  void set_period_ps(uint64_t ps) override { period_ps_ = ps ? ps : 1; }
  void set_cycle_hook(void (*hook)(void*), void* user) override {
    hook_ = hook;
    hook_user_ = user;
  }

 private:
  // One clock cycle: rising edge (registers capture the inputs set before),
  // `after_edge` changes inputs as a master would just after the edge, then
  // the falling edge settles the combinational outputs for sampling.
  template <typename F>
  void cycle(F&& after_edge) {
    top_->clk = 1;
    top_->eval();
    if (hook_) hook_(hook_user_);
    dump(period_ps_ / 2);
    after_edge();
    top_->clk = 0;
    top_->eval();
    dump(period_ps_ - period_ps_ / 2);
  }
  void cycle() {
    cycle([] {});
  }
  void close_trace() {
#if defined(VP_RTL_TRACE_VCD)
    if (vcd_) vcd_->close();
    vcd_.reset();
#endif
#if defined(VP_RTL_TRACE_FST)
    if (fst_) fst_->close();
    fst_.reset();
#endif
  }
  void dump(uint64_t advance) {
#if defined(VP_RTL_TRACE_VCD) || defined(VP_RTL_TRACE_FST)
    trace_time_ += advance;
#if defined(VP_RTL_TRACE_VCD)
    if (vcd_) vcd_->dump(trace_time_);
#endif
#if defined(VP_RTL_TRACE_FST)
    if (fst_) fst_->dump(trace_time_);
#endif
#else
    (void)advance;
#endif
  }

  void idle_inputs() {
    if constexpr (Bus == BusKind::Apb) {
      top_->psel = 0;
      top_->penable = 0;
      top_->pwrite = 0;
    } else {
      top_->awvalid = 0;
      top_->wvalid = 0;
      top_->bready = 0;
      top_->arvalid = 0;
      top_->rready = 0;
    }
  }

  // AMBA APB protocol spec (IHI 0024C) 3.1/3.3: setup phase, then access
  // phases until PREADY; PSLVERR is valid in the last access phase.
  BusResult apb(uint64_t addr, bool write, uint32_t wdata, unsigned strobe, uint32_t* rdata,
                uint64_t timeout) {
    BusResult r;
    top_->paddr = uint32_t(addr);
    top_->pwrite = write;
    top_->pwdata = wdata;
    top_->pstrb = write ? strobe : 0;
    top_->psel = 1;
    top_->penable = 0;
    cycle([&] { top_->penable = 1; });
    r.cycles = 1;
    for (;;) {
      if (top_->pready) {
        if (rdata) *rdata = top_->prdata;
        const bool err = top_->pslverr;
        cycle([&] { idle_inputs(); });
        ++r.cycles;
        r.status = err ? BusStatus::SlaveError : BusStatus::Ok;
        return r;
      }
      if (r.cycles >= timeout) {
        cycle([&] { idle_inputs(); });
        r.status = BusStatus::Timeout;
        return r;
      }
      cycle();
      ++r.cycles;
    }
  }

  static BusStatus axi_resp(unsigned resp) {
    // AXI spec (IHI 0022E) A3.4.4: OKAY, EXOKAY, SLVERR, DECERR.
    return resp == 2 ? BusStatus::SlaveError : resp == 3 ? BusStatus::DecodeError : BusStatus::Ok;
  }

  // AXI spec A3.2.1: a transfer happens at the rising edge where VALID and READY are both high.
  BusResult axi_write(uint64_t addr, uint32_t data, unsigned strobe, uint64_t timeout) {
    BusResult r;
    top_->awaddr = uint32_t(addr);
    top_->awvalid = 1;
    top_->wdata = data;
    top_->wstrb = strobe;
    top_->wvalid = 1;
    top_->bready = 1;
    top_->eval();  // READY may depend combinationally on VALID
    for (;;) {
      const bool aw = top_->awvalid && top_->awready;
      const bool w = top_->wvalid && top_->wready;
      const bool b = top_->bvalid;
      const unsigned resp = top_->bresp;
      cycle([&] {
        if (aw) top_->awvalid = 0;
        if (w) top_->wvalid = 0;
        if (b) idle_inputs();
      });
      ++r.cycles;
      if (b) {
        r.status = axi_resp(resp);
        return r;
      }
      if (r.cycles >= timeout) {
        cycle([&] { idle_inputs(); });
        r.status = BusStatus::Timeout;
        return r;
      }
    }
  }

  BusResult axi_read(uint64_t addr, uint32_t& data, uint64_t timeout) {
    BusResult r;
    top_->araddr = uint32_t(addr);
    top_->arvalid = 1;
    top_->rready = 1;
    top_->eval();
    for (;;) {
      const bool ar = top_->arvalid && top_->arready;
      const bool rv = top_->rvalid;
      if (rv) {
        data = top_->rdata;
        r.status = axi_resp(top_->rresp);
      }
      cycle([&] {
        if (ar) top_->arvalid = 0;
        if (rv) idle_inputs();
      });
      ++r.cycles;
      if (rv) return r;
      if (r.cycles >= timeout) {
        cycle([&] { idle_inputs(); });
        r.status = BusStatus::Timeout;
        return r;
      }
    }
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Top> top_;
#if defined(VP_RTL_TRACE_VCD)
  std::unique_ptr<VerilatedVcdC> vcd_;
#endif
#if defined(VP_RTL_TRACE_FST)
  std::unique_ptr<VerilatedFstC> fst_;
#endif
  uint64_t trace_time_ = 0;
  uint64_t period_ps_ = 10000;
  void (*hook_)(void*) = nullptr;
  void* hook_user_ = nullptr;
};

}  // namespace vp::rtl
