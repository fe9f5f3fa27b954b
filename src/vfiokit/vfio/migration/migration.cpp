// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/migration/migration.hpp"

#include <fmt/format.h>

#include "vfiokit/vfio/device_features.hpp"
#include "vfiokit/vfio/internal/ioctl.hpp"
#include "vfiokit/vfio/internal/uapi.hpp"

namespace vfiokit::vfio {

namespace {
// struct vfio_device_feature_mig_state.
struct MigStatePayload {
  uint32_t device_state = 0;
  int32_t data_fd = -1;
};
}  // namespace

Result<Migration> Migration::attach(DeviceFeatureIoctl& device) {
  uint64_t flags = 0;
  if (auto ok = device.feature(feature_flags(Feature::migration, kFeatureGet), flags); !ok) {
    const int err = ok.error().sys_errno();
    if (err == ENOTTY || err == EINVAL || err == EOPNOTSUPP)
      return fail(Error(Errc::unsupported, device.subject(),
                        "does not support migration (no VFIO_DEVICE_FEATURE_MIGRATION)", err));
    return fail(ok.error());
  }
  MigrationCaps caps{flags};
  if (!(flags & kMigrationStopCopy))
    return fail(Errc::malformed, device.subject(),
                fmt::format("reports migration flags 0x{:x} without STOP_COPY, which the uAPI requires", flags));
  return Migration(device, caps);
}

Result<MigState> Migration::state() const {
  MigStatePayload s;
  if (auto ok = device_->feature(feature_flags(Feature::mig_device_state, kFeatureGet), s); !ok)
    return fail(ok.error());
  if (s.device_state >= kMigStates || !caps_.supports(MigState(s.device_state)))
    return fail(Errc::malformed, device_->subject(),
                fmt::format("reports migration state {}, which it does not support", s.device_state));
  return MigState(s.device_state);
}

Result<UniqueFd> Migration::step(MigState next) {
  auto from = state();
  if (!from) return fail(from.error());
  if (!is_direct_arc(*from, next, caps_)) {
    auto path = plan_path(*from, next, caps_);
    if (!path) return fail(path.error());
    std::string way = mig_state_name(*from);
    for (auto s : *path) way += fmt::format(" -> {}", mig_state_name(s));
    return fail(Errc::invalid_argument, device_->subject(),
                fmt::format("{} -> {} is not a single arc of the migration state machine (the way is {})",
                            mig_state_name(*from), mig_state_name(next), way));
  }
  return step_from(*from, next);
}

Result<UniqueFd> Migration::step_from(MigState from, MigState next) {
  MigStatePayload s{uint32_t(next), -1};
  if (auto ok = device_->feature(feature_flags(Feature::mig_device_state, kFeatureSet), s); !ok)
    return fail(Error(Errc::io, device_->subject(),
                      fmt::format("migration arc {} -> {} failed", mig_state_name(from), mig_state_name(next)),
                      ok.error().sys_errno()));
  UniqueFd fd(s.data_fd);
  if (arc_starts_session(from, next) && !fd.valid())
    return fail(
        Errc::malformed, device_->subject(),
        fmt::format("the arc {} -> {} returned no migration data fd", mig_state_name(from), mig_state_name(next)));
  return fd;
}

Result<UniqueFd> Migration::walk(MigState from, const std::vector<MigState>& path) {
  UniqueFd data;
  for (MigState next : path) {
    auto fd = step_from(from, next);
    if (!fd) return fail(fd.error());
    if (fd->valid()) data = std::move(*fd);
    from = next;
  }
  return data;
}

Result<UniqueFd> Migration::transition(MigState target, MigState recover) {
  auto from = state();
  if (!from) return fail(from.error());
  auto path = plan_path(*from, target, caps_);
  if (!path) return fail(Error(path.error().code(), device_->subject(), path.error().message()));
  if (recover == MigState::error || !caps_.supports(recover))
    return fail(Errc::invalid_argument, mig_state_name(recover), "cannot be a recover state of this device");
  auto data = walk(*from, *path);
  if (!data) {
    const std::string ended = recover_to(recover);
    return fail(Error(data.error().code(), data.error().subject(), data.error().message() + "; " + ended,
                      data.error().sys_errno()));
  }
  return data;
}

std::string Migration::recover_to(MigState recover) {
  // After a failed SET the device may be anywhere along the way: ask it.
  auto now = state();
  if (now && *now == recover) return fmt::format("the device stayed in {}", mig_state_name(recover));
  if (now && *now != MigState::error) {
    auto path = plan_path(*now, recover, caps_);
    if (path && walk(*now, *path))
      return fmt::format("the device was moved from {} to {}", mig_state_name(*now), mig_state_name(recover));
  }
  // From ERROR (or a way back that failed too) only a reset helps: the uAPI
  // defines VFIO_DEVICE_RESET as returning the device to RUNNING.
  const std::string was = now ? mig_state_name(*now) : "an unknown state";
  if (auto reset = device_->reset(); !reset)
    return fmt::format("the device is in {} and its reset failed: {}", was, reset.error().describe());
  if (recover != MigState::running) {
    auto path = plan_path(MigState::running, recover, caps_);
    if (!path || !walk(MigState::running, *path)) return fmt::format("the device was reset from {} to RUNNING", was);
  }
  return fmt::format("the device was reset from {} and is in {}", was, mig_state_name(recover));
}

Result<uint64_t> Migration::stop_copy_size() const {
  uint64_t length = 0;
  if (auto ok = device_->feature(feature_flags(Feature(uapi::kFeatureMigDataSize), kFeatureGet), length); !ok)
    return fail(ok.error());
  return length;
}

Result<PrecopyInfo> precopy_info(int data_fd, const std::string& subject) {
  uapi::PrecopyInfo info;
  if (auto ok = checked_ioctl(data_fd, uapi::kMigGetPrecopyInfo, &info, "VFIO_MIG_GET_PRECOPY_INFO", subject); !ok)
    return fail(ok.error());
  return PrecopyInfo{info.initial_bytes, info.dirty_bytes};
}

}  // namespace vfiokit::vfio
