// SPDX-License-Identifier: Apache-2.0
// The VFIO migration v2 state machine (include/uapi/linux/vfio.h, enum
// vfio_device_mig_state), as pure rules: which states a device supports from
// its VFIO_DEVICE_FEATURE_MIGRATION flags, which arcs a driver implements in
// one step, and the path the kernel walks between any two states. The path
// mirrors vfio_mig_get_next_state() (drivers/vfio/vfio_main.c): a fixed
// next-hop table, with states the device does not support skipped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vfiokit/base/error.hpp"

namespace vfiokit::vfio {

enum class MigState : uint32_t {
  error = 0,
  stop = 1,
  running = 2,
  stop_copy = 3,
  resuming = 4,
  running_p2p = 5,
  pre_copy = 6,
  pre_copy_p2p = 7,
};
constexpr uint32_t kMigStates = 8;

const char* mig_state_name(MigState s);  // "STOP_COPY"; the uAPI's names
// Either case, '-' or '_': "stop-copy", "STOP_COPY".
Result<MigState> parse_mig_state(std::string_view text);

// VFIO_DEVICE_FEATURE_MIGRATION flags.
constexpr uint64_t kMigrationStopCopy = 1u << 0;
constexpr uint64_t kMigrationP2p = 1u << 1;
constexpr uint64_t kMigrationPreCopy = 1u << 2;

struct MigrationCaps {
  uint64_t flags = 0;
  // ERROR is "supported" (a device can be in it) but never requested.
  bool supports(MigState s) const;
  std::string describe() const;  // "STOP_COPY, P2P, PRE_COPY"
};

// The state the kernel moves to next on the way from `cur` to `target`
// (ERROR when the uAPI blocks the way, as STOP_COPY -> PRE_COPY).
MigState next_hop(MigState cur, MigState target, const MigrationCaps& caps);
// An arc the driver carries out in one step.
bool is_direct_arc(MigState from, MigState to, const MigrationCaps& caps);
// The states after `from` up to and including `target`, each a direct arc.
// Refused, with the reason, for a target the device does not support, ERROR,
// or a way the uAPI blocks.
Result<std::vector<MigState>> plan_path(MigState from, MigState target, const MigrationCaps& caps);
// Whether the arc begins a session and so must hand out a new migration
// data fd: into the saving group {PRE_COPY, PRE_COPY_P2P, STOP_COPY} from
// outside it, or into RESUMING. Arcs inside the saving group continue the
// same stream (a driver may return it again).
bool arc_starts_session(MigState from, MigState to);

}  // namespace vfiokit::vfio
