// SPDX-License-Identifier: Apache-2.0
// Migration v2 on one device: its state, arcs one at a time (so a failure
// is pinned to one arc), multi-step transitions planned from the uAPI's
// table, and recovery: when an arc fails, the device is brought to a
// recover state the caller names (RUNNING by default), by its own path or,
// from ERROR or when that path fails too, by VFIO_DEVICE_RESET, which the
// uAPI defines as the way back to RUNNING.
#pragma once

#include <cstdint>
#include <string>

#include "vfiokit/base/error.hpp"
#include "vfiokit/vfio/feature_ioctl.hpp"
#include "vfiokit/vfio/migration/migration_state.hpp"
#include "vfiokit/vfio/unique_fd.hpp"

namespace vfiokit::vfio {

struct PrecopyInfo {
  uint64_t initial_bytes = 0;  // still to read of the initial state
  uint64_t dirty_bytes = 0;    // changed since, an estimate
};

class Migration {
 public:
  // VFIO_DEVICE_FEATURE_MIGRATION: fails (unsupported) for a device that
  // cannot migrate. `device` must outlive the Migration.
  static Result<Migration> attach(DeviceFeatureIoctl& device);

  const MigrationCaps& caps() const { return caps_; }
  Result<MigState> state() const;
  // One direct arc; anything else is refused before an ioctl is made. The
  // data fd comes back (else an empty fd) when the arc hands one out.
  Result<UniqueFd> step(MigState next);
  // To `target` through the planned arcs. The data fd of the last arc that
  // handed one out comes back. On failure the device is moved to `recover`
  // and the error says which arc failed and where the device ended.
  Result<UniqueFd> transition(MigState target, MigState recover = MigState::running);
  // VFIO_DEVICE_FEATURE_MIG_DATA_SIZE: the estimated STOP_COPY stream size.
  Result<uint64_t> stop_copy_size() const;

 private:
  Migration(DeviceFeatureIoctl& device, MigrationCaps caps) : device_(&device), caps_(caps) {}
  // step() from a state already known: a planned walk reads the state once.
  Result<UniqueFd> step_from(MigState from, MigState next);
  // Walks `path` from `from`, stopping at the first failed arc.
  Result<UniqueFd> walk(MigState from, const std::vector<MigState>& path);
  // Brings the device to `recover` after a failed arc; says where it ended.
  std::string recover_to(MigState recover);

  DeviceFeatureIoctl* device_;
  MigrationCaps caps_;
};

// VFIO_MIG_GET_PRECOPY_INFO on a PRE_COPY data fd.
Result<PrecopyInfo> precopy_info(int data_fd, const std::string& subject);

}  // namespace vfiokit::vfio
