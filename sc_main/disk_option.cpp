#include "sc_main/disk_option.h"

#include "platform/source_location.h"

namespace vp {

using platform::ConfigError;
using platform::ConfigNode;
using platform::SourceLocation;

void attach_disks(platform::PlatformSpec& spec, const std::vector<std::string>& disks) {
  for (const auto& disk : disks) {
    const SourceLocation where{"--disk " + disk, 0, 0};
    std::vector<std::string> parts;
    for (size_t start = 0;;) {
      const size_t comma = disk.find(',', start);
      parts.push_back(disk.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (parts[0].empty()) throw ConfigError(where, "expected FILE[,readonly][,snapshot], e.g. --disk disk.img");
    bool readonly = false, snapshot = false;
    for (size_t i = 1; i < parts.size(); ++i) {
      if (parts[i] == "readonly")
        readonly = true;
      else if (parts[i] == "snapshot")
        snapshot = true;
      else
        throw ConfigError(where, "unknown disk option '" + parts[i] + "' (options: readonly, snapshot)");
    }
    platform::ComponentSpec* slot = nullptr;
    size_t used = 0;
    for (auto& c : spec.components) {
      if (c.type.rfind("dev.virtio_", 0) == 0 && c.type != "dev.virtio_mmio") ++used;
      if (!slot && c.type == "dev.virtio_mmio") slot = &c;
    }
    if (!slot)
      throw ConfigError(where, "no free virtio slot for the disk: the platform has no dev.virtio_mmio component left (" +
                                   std::to_string(used) + " virtio devices attached)");
    slot->type = "dev.virtio_blk";
    slot->type_where = where;
    ConfigNode& p = slot->properties;
    p.set("type", ConfigNode::make_scalar("dev.virtio_blk", where), where);
    p.set("image", ConfigNode::make_scalar(parts[0], where), where);
    p.set("readonly", ConfigNode::make_scalar(readonly ? "true" : "false", where), where);
    p.set("snapshot", ConfigNode::make_scalar(snapshot ? "true" : "false", where), where);
  }
}

}  // namespace vp
