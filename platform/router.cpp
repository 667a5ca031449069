#include "platform/router.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "platform/trace_events.h"

namespace vp::platform {

Router::Router(const sc_core::sc_module_name& name, const RouterConfig& config)
    : Component(name), config_(config) {
  for (unsigned i = 0; i < config_.initiators; ++i) {
    auto s = std::make_unique<InSocket>(sc_core::sc_gen_unique_name("in"));
    s->register_b_transport(this, &Router::b_transport, static_cast<int>(i));
    s->register_get_direct_mem_ptr(this, &Router::get_direct_mem_ptr, static_cast<int>(i));
    s->register_transport_dbg(this, &Router::transport_dbg, static_cast<int>(i));
    in_.push_back(std::move(s));
  }
  for (unsigned i = 0; i < config_.targets; ++i) {
    auto s = std::make_unique<OutSocket>(sc_core::sc_gen_unique_name("out"));
    s->register_invalidate_direct_mem_ptr(this, &Router::invalidate_direct_mem_ptr, static_cast<int>(i));
    out_.push_back(std::move(s));
  }
}

TargetSocket& Router::next_input() {
  if (inputs_bound_ == in_.size())
    throw std::logic_error(std::string(name()) + ": all " + std::to_string(in_.size()) + " input sockets are bound");
  return *in_[inputs_bound_++];
}

tlm_utils::simple_initiator_socket_tagged<Router, 32>& Router::next_output() {
  if (outputs_bound_ == out_.size())
    throw std::logic_error(std::string(name()) + ": all " + std::to_string(out_.size()) + " output sockets are bound");
  return *out_[outputs_bound_++];
}

void Router::bind_initiator(InitiatorSocket& initiator) { initiator.bind(next_input()); }

void Router::add_mapping(uint64_t base, uint64_t size, const std::string& name) {
  Mapping m{base, size, outputs_bound_, name};
  map_.push_back(m);
  std::sort(map_.begin(), map_.end(), [](const Mapping& a, const Mapping& b) { return a.base < b.base; });
  last_hit_ = nullptr;
}

void Router::map(TargetSocket& target, uint64_t base, uint64_t size, const std::string& name) {
  add_mapping(base, size, name);
  next_output().bind(target);
}

void Router::map(Router& target, uint64_t base, uint64_t size, const std::string& name) {
  add_mapping(base, size, name);
  next_output().bind(target.next_input());
}

const Router::Mapping* Router::decode(uint64_t addr) const {
  if (last_hit_ && addr - last_hit_->base < last_hit_->size) return last_hit_;
  auto it = std::upper_bound(map_.begin(), map_.end(), addr,
                             [](uint64_t a, const Mapping& m) { return a < m.base; });
  if (it == map_.begin()) return nullptr;
  --it;
  if (addr - it->base >= it->size) return nullptr;
  last_hit_ = &*it;
  return last_hit_;
}

const Router::Mapping* Router::decode_access(const tlm::tlm_generic_payload& gp) const {
  const Mapping* m = decode(gp.get_address());
  if (!m) return nullptr;
  uint64_t offset = gp.get_address() - m->base;
  uint64_t len = gp.get_data_length();
  if (len > m->size - offset) return nullptr;  // straddles the end of the window
  return m;
}

void Router::b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  const Mapping* m = decode_access(gp);
  if (!m) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const uint64_t addr = gp.get_address();
  gp.set_address(addr - m->base);
  delay += config_.latency;
  (*out_[m->port])->b_transport(gp, delay);
  gp.set_address(addr);
  if (TraceEvents::enabled()) trace_access(*m, gp, delay);
}

// Device activity for the trace-event file: one instant per access that
// reaches a target through b_transport (memories are reached by DMI).
void Router::trace_access(const Mapping& m, const tlm::tlm_generic_payload& gp, const sc_core::sc_time& delay) {
  const uint64_t addr = gp.get_address();
  char name[64], args[160];
  std::snprintf(name, sizeof name, "%s +0x%llx", gp.is_read() ? "read" : "write",
                static_cast<unsigned long long>(addr - m.base));
  uint64_t value = 0;
  const unsigned len = gp.get_data_length();
  if (len <= 8 && gp.get_data_ptr()) std::memcpy(&value, gp.get_data_ptr(), len);
  std::snprintf(args, sizeof args, "\"addr\":\"0x%llx\",\"len\":%u,\"data\":\"0x%llx\",\"ok\":%s",
                static_cast<unsigned long long>(addr), len, static_cast<unsigned long long>(value),
                gp.is_response_ok() ? "true" : "false");
  const sc_core::sc_time when = sc_core::sc_time_stamp() + delay;
  TraceEvents::global().instant(m.name, name, static_cast<uint64_t>(when.to_seconds() * 1e12 + 0.5), args);
}

bool Router::get_direct_mem_ptr(int, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
  const uint64_t addr = gp.get_address();
  const Mapping* m = decode(addr);
  if (!m) {
    // Tell the initiator how large the hole is so it does not ask again for it.
    dmi.allow_none();
    return false;
  }
  gp.set_address(addr - m->base);
  bool granted = (*out_[m->port])->get_direct_mem_ptr(gp, dmi);
  gp.set_address(addr);
  // Translate the target's range back into our address space and clip it to the window.
  uint64_t start = dmi.get_start_address();
  uint64_t end = std::min<uint64_t>(dmi.get_end_address(), m->size - 1);
  dmi.set_start_address(m->base + start);
  dmi.set_end_address(m->base + end);
  dmi.set_read_latency(dmi.get_read_latency() + config_.latency);
  dmi.set_write_latency(dmi.get_write_latency() + config_.latency);
  return granted;
}

unsigned Router::transport_dbg(int, tlm::tlm_generic_payload& gp) {
  const uint64_t addr = gp.get_address();
  const Mapping* m = decode(addr);
  if (!m) return 0;
  // Debug accesses may straddle windows: forward what fits in this one.
  const unsigned len = gp.get_data_length();
  const uint64_t room = m->size - (addr - m->base);
  if (len > room) gp.set_data_length(static_cast<unsigned>(room));
  gp.set_address(addr - m->base);
  unsigned done = (*out_[m->port])->transport_dbg(gp);
  gp.set_address(addr);
  gp.set_data_length(len);
  return done;
}

void Router::invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end) {
  for (const Mapping& m : map_) {
    if (m.port != static_cast<unsigned>(port) || start >= m.size) continue;
    uint64_t global_start = m.base + start;
    uint64_t global_end = m.base + std::min<uint64_t>(end, m.size - 1);
    for (unsigned i = 0; i < inputs_bound_; ++i) (*in_[i])->invalidate_direct_mem_ptr(global_start, global_end);
  }
}

}  // namespace vp::platform
