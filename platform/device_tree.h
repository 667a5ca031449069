#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace vp::platform {

// A flattened device tree under construction (libfdt read-write API). Nodes are
// addressed by path so callers never hold offsets that move on insertion.
class DeviceTree {
 public:
  DeviceTree();

  // Adds parent/name (or returns it if it exists); returns the new node's path.
  std::string add_node(const std::string& parent_path, const std::string& name);
  void set_u32(const std::string& path, const char* prop, const std::vector<uint32_t>& cells);
  // Each value as two cells (#address-cells = #size-cells = 2).
  void set_u64(const std::string& path, const char* prop, const std::vector<uint64_t>& values);
  void set_string(const std::string& path, const char* prop, const std::string& value);
  void set_strings(const std::string& path, const char* prop, const std::vector<std::string>& values);
  void set_empty(const std::string& path, const char* prop);
  bool has_node(const std::string& path) const;

  // The packed blob.
  std::vector<uint8_t> blob() const;

 private:
  int offset_of(const std::string& path) const;
  void check(int err, const std::string& what) const;
  void grow();

  std::vector<uint8_t> buffer_;
};

// "name@1000" — the unit-address form of a node name.
std::string node_name(const std::string& name, uint64_t address);

// RISC-V local interrupt number of a hart input line (priv. spec 3.1.9, mip bits).
// Returns -1 for a name that is not a hart interrupt input.
int riscv_local_irq(const std::string& hart_port);

}  // namespace vp::platform
