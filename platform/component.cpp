#include "platform/component.h"

namespace vp::platform {

Component::Component(const sc_core::sc_module_name& name) : sc_core::sc_module(name) {}

TargetSocket* Component::target_socket(const std::string& port) const {
  auto it = targets_.find(port);
  if (it == targets_.end() && port.empty() && targets_.size() == 1) it = targets_.begin();
  return it == targets_.end() ? nullptr : it->second.socket;
}

InitiatorSocket* Component::initiator_socket(const std::string& port) const {
  auto it = initiators_.find(port);
  if (it == initiators_.end() && port.empty() && initiators_.size() == 1) it = initiators_.begin();
  return it == initiators_.end() ? nullptr : it->second;
}

uint64_t Component::target_size(const std::string& port) const {
  auto it = targets_.find(port);
  if (it == targets_.end() && port.empty() && targets_.size() == 1) it = targets_.begin();
  return it == targets_.end() ? 0 : it->second.size;
}

IrqOut* Component::irq_out(const std::string& port, int index) const {
  if (index < 0) {
    auto it = irq_outs_.find(port);
    if (it != irq_outs_.end()) return it->second;
  }
  auto it = irq_out_arrays_.find(port);
  if (it != irq_out_arrays_.end()) {
    int i = index < 0 ? 0 : index;
    if (index < 0 && it->second->size() != 1) return nullptr;
    if (static_cast<size_t>(i) < it->second->size()) return &(*it->second)[static_cast<size_t>(i)];
  }
  return nullptr;
}

IrqIn* Component::irq_in(const std::string& port, int index) const {
  if (index < 0) {
    auto it = irq_ins_.find(port);
    if (it != irq_ins_.end()) return it->second;
  }
  auto it = irq_in_arrays_.find(port);
  if (it != irq_in_arrays_.end()) {
    int i = index < 0 ? 0 : index;
    if (index < 0 && it->second->size() != 1) return nullptr;
    if (static_cast<size_t>(i) < it->second->size()) return &(*it->second)[static_cast<size_t>(i)];
  }
  return nullptr;
}

template <typename Map>
static std::vector<std::string> keys_of(const Map& m) {
  std::vector<std::string> out;
  for (const auto& kv : m) out.push_back(kv.first);
  return out;
}

std::vector<std::string> Component::target_socket_names() const { return keys_of(targets_); }
std::vector<std::string> Component::initiator_socket_names() const { return keys_of(initiators_); }

std::vector<std::string> Component::irq_out_names() const {
  auto out = keys_of(irq_outs_);
  for (const auto& [name, lines] : irq_out_arrays_)
    out.push_back(name + "[0.." + std::to_string(lines->size() ? lines->size() - 1 : 0) + "]");
  return out;
}

std::vector<std::string> Component::irq_in_names() const {
  auto out = keys_of(irq_ins_);
  for (const auto& [name, lines] : irq_in_arrays_)
    out.push_back(name + "[0.." + std::to_string(lines->size() ? lines->size() - 1 : 0) + "]");
  return out;
}

void Component::expose_target(const std::string& port, TargetSocket& socket, uint64_t size) {
  targets_[port] = {&socket, size};
}
void Component::expose_initiator(const std::string& port, InitiatorSocket& socket) {
  initiators_[port] = &socket;
}
void Component::expose_irq_out(const std::string& port, IrqOut& line) { irq_outs_[port] = &line; }
void Component::expose_irq_in(const std::string& port, IrqIn& line) { irq_ins_[port] = &line; }
void Component::expose_irq_out_array(const std::string& port, std::vector<IrqOut>& lines) {
  irq_out_arrays_[port] = &lines;
}
void Component::expose_irq_in_array(const std::string& port, std::vector<IrqIn>& lines) {
  irq_in_arrays_[port] = &lines;
}

}  // namespace vp::platform
