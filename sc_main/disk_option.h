#pragma once
// `vp run --disk FILE[,readonly][,snapshot]`: command-line sugar that turns the
// first empty virtio-mmio slot of a platform into a virtio block device.
#include <string>
#include <vector>

#include "platform/spec.h"

namespace vp {

inline constexpr const char* kDiskOptionHelp =
    "Attach a raw disk image as a virtio-blk device in the first free virtio slot (repeatable; "
    "readonly: the guest cannot write; snapshot: writes go to a temporary overlay, the file never changes)";

// Changes one `dev.virtio_mmio` component per entry, in the order the platform
// lists them, into a `dev.virtio_blk` on that image. Throws ConfigError (named
// "--disk ...") for an unknown option or when no free slot is left; the image
// itself is checked when the platform is built.
void attach_disks(platform::PlatformSpec& spec, const std::vector<std::string>& disks);

}  // namespace vp
