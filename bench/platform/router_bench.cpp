// Throughput of the interconnect: b_transport and DMI accesses through the
// router to RAM, as an initiator would issue them. Run: build/bench/platform/bench_router
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "models/mem/ram.h"
#include "platform/router.h"
#include "tests/support/test_initiator.h"

namespace {

struct Bench {
  vp::platform::Router bus{"bus", vp::platform::RouterConfig{sc_core::SC_ZERO_TIME, 1, 2}};
  vp::mem::Ram ram{"ram", vp::mem::RamConfig{16 << 20}};
  vp::mem::Ram other{"other", vp::mem::RamConfig{0x1000}};
  vp::test::TestInitiator cpu{"cpu"};
  Bench() {
    // A few windows so the decoder has to search.
    bus.map(other.socket, 0x1000, 0x1000, "other");
    bus.map(ram.socket, 0x80000000, 16 << 20, "ram");
    bus.bind_initiator(cpu.socket);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
};

Bench& bench() {
  static Bench* b = new Bench();
  return *b;
}

void BM_RouterBTransportRead32(benchmark::State& state) {
  auto& b = bench();
  tlm::tlm_generic_payload gp;
  uint32_t data = 0;
  sc_core::sc_time delay;
  uint64_t addr = 0x80000000;
  for (auto _ : state) {
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(addr);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
    gp.set_data_length(4);
    gp.set_streaming_width(4);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    b.cpu.socket->b_transport(gp, delay);
    benchmark::DoNotOptimize(data);
    addr = 0x80000000 + ((addr + 64) & 0xffffff);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("transactions");
}
BENCHMARK(BM_RouterBTransportRead32);

void BM_RouterBTransportAlternatingTargets(benchmark::State& state) {
  auto& b = bench();
  tlm::tlm_generic_payload gp;
  uint32_t data = 0;
  sc_core::sc_time delay;
  bool flip = false;
  for (auto _ : state) {
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_address(flip ? 0x1010 : 0x80000010);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
    gp.set_data_length(4);
    gp.set_streaming_width(4);
    b.cpu.socket->b_transport(gp, delay);
    flip = !flip;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RouterBTransportAlternatingTargets);

void BM_DmiRead32(benchmark::State& state) {
  auto& b = bench();
  tlm::tlm_dmi dmi;
  if (!b.cpu.get_dmi(0x80000000, dmi)) {
    state.SkipWithError("no DMI");
    return;
  }
  const uint8_t* base = dmi.get_dmi_ptr();
  uint64_t start = dmi.get_start_address();
  uint64_t addr = 0x80000000;
  uint32_t sum = 0;
  for (auto _ : state) {
    uint32_t v;
    std::memcpy(&v, base + (addr - start), 4);
    sum += v;
    addr = 0x80000000 + ((addr + 64) & 0xffffff);
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DmiRead32);

void BM_DmiRequestThroughRouter(benchmark::State& state) {
  auto& b = bench();
  tlm::tlm_dmi dmi;
  for (auto _ : state) {
    dmi.init();
    benchmark::DoNotOptimize(b.cpu.get_dmi(0x80001000, dmi));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DmiRequestThroughRouter);

}  // namespace

static const int kQuietSystemC = (setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0), 0);

int sc_main(int argc, char* argv[]) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
