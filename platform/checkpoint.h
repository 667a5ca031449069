#pragma once
// Checkpoints of a whole platform (docs/checkpoints.md): a directory with
//   manifest.yaml  what was run (platform description, overrides, disks), when
//                  (simulated time, instructions), format version
//   state.bin      one record per component, written by Component::save_state
// A restore builds the same platform from the manifest (overrides that keep the
// state layout may be added, e.g. cache settings), then hands every component
// its record. A truncated, corrupt or foreign checkpoint is a CheckpointError
// naming the file and what is wrong.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace vp::platform {

class Platform;

class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

constexpr uint32_t kCheckpointVersion = 1;

struct CheckpointManifest {
  uint32_t version = kCheckpointVersion;
  std::string platform;                 // description file (absolute path)
  std::vector<std::string> overrides;   // --set KEY=VALUE, in order
  std::vector<std::string> disks;       // --disk arguments
  std::string kernel, bios;             // for symbol look-ups after a restore
  uint64_t time_ps = 0;                 // simulated time at the checkpoint
  uint64_t instructions = 0;            // retired by all processors
};

// Creates `dir` if needed and writes both files. Throws CheckpointError if a
// component does not support checkpoints or the files cannot be written.
void save_checkpoint(const Platform& platform, const std::string& dir, const CheckpointManifest& manifest);

// Reads and checks dir/manifest.yaml.
CheckpointManifest read_checkpoint_manifest(const std::string& dir);

// Restores every component from dir/state.bin. Call after build_platform
// (components reset) and before the simulation starts.
void restore_checkpoint(Platform& platform, const std::string& dir);

}  // namespace vp::platform
