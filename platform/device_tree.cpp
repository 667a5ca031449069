#include "platform/device_tree.h"

#include <cstdio>
#include <stdexcept>

extern "C" {
#include <libfdt.h>
}

namespace vp::platform {

DeviceTree::DeviceTree() : buffer_(64 * 1024) {
  check(fdt_create_empty_tree(buffer_.data(), static_cast<int>(buffer_.size())), "create tree");
}

void DeviceTree::check(int err, const std::string& what) const {
  if (err < 0) throw std::runtime_error("device tree: " + what + ": " + fdt_strerror(err));
}

void DeviceTree::grow() {
  buffer_.resize(buffer_.size() * 2);
  check(fdt_open_into(buffer_.data(), buffer_.data(), static_cast<int>(buffer_.size())), "grow");
}

int DeviceTree::offset_of(const std::string& path) const {
  int off = fdt_path_offset(buffer_.data(), path.c_str());
  check(off, "no node " + path);
  return off;
}

bool DeviceTree::has_node(const std::string& path) const {
  return fdt_path_offset(buffer_.data(), path.c_str()) >= 0;
}

std::string DeviceTree::add_node(const std::string& parent_path, const std::string& name) {
  std::string path = (parent_path == "/" ? "" : parent_path) + "/" + name;
  if (has_node(path)) return path;
  for (;;) {
    int err = fdt_add_subnode(buffer_.data(), offset_of(parent_path), name.c_str());
    if (err == -FDT_ERR_NOSPACE) {
      grow();
      continue;
    }
    check(err, "add node " + path);
    return path;
  }
}

template <typename F>
static void with_space(DeviceTree* self, F f, void (DeviceTree::*grow)()) {
  for (;;) {
    int err = f();
    if (err == -FDT_ERR_NOSPACE) {
      (self->*grow)();
      continue;
    }
    if (err < 0) throw std::runtime_error(std::string("device tree: set property: ") + fdt_strerror(err));
    return;
  }
}

void DeviceTree::set_u32(const std::string& path, const char* prop, const std::vector<uint32_t>& cells) {
  std::vector<fdt32_t> be;
  for (uint32_t c : cells) be.push_back(cpu_to_fdt32(c));
  with_space(this, [&] {
    return fdt_setprop(buffer_.data(), offset_of(path), prop, be.data(),
                       static_cast<int>(be.size() * sizeof(fdt32_t)));
  }, &DeviceTree::grow);
}

void DeviceTree::set_u64(const std::string& path, const char* prop, const std::vector<uint64_t>& values) {
  std::vector<uint32_t> cells;
  for (uint64_t v : values) {
    cells.push_back(static_cast<uint32_t>(v >> 32));
    cells.push_back(static_cast<uint32_t>(v));
  }
  set_u32(path, prop, cells);
}

void DeviceTree::set_string(const std::string& path, const char* prop, const std::string& value) {
  with_space(this, [&] { return fdt_setprop_string(buffer_.data(), offset_of(path), prop, value.c_str()); },
             &DeviceTree::grow);
}

void DeviceTree::set_strings(const std::string& path, const char* prop, const std::vector<std::string>& values) {
  std::string joined;
  for (const auto& v : values) {
    joined += v;
    joined += '\0';
  }
  with_space(this, [&] {
    return fdt_setprop(buffer_.data(), offset_of(path), prop, joined.data(), static_cast<int>(joined.size()));
  }, &DeviceTree::grow);
}

void DeviceTree::set_empty(const std::string& path, const char* prop) {
  with_space(this, [&] { return fdt_setprop_empty(buffer_.data(), offset_of(path), prop); },
             &DeviceTree::grow);
}

std::vector<uint8_t> DeviceTree::blob() const {
  std::vector<uint8_t> out(buffer_);
  check(fdt_pack(out.data()), "pack");
  out.resize(fdt_totalsize(out.data()));
  return out;
}

std::string node_name(const std::string& name, uint64_t address) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "@%llx", static_cast<unsigned long long>(address));
  return name + buf;
}

int riscv_local_irq(const std::string& port) {
  if (port == "ssip") return 1;
  if (port == "msip") return 3;
  if (port == "stip") return 5;
  if (port == "mtip") return 7;
  if (port == "seip") return 9;
  if (port == "meip") return 11;
  return -1;
}

}  // namespace vp::platform
