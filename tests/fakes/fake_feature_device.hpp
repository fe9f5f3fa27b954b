// SPDX-License-Identifier: Apache-2.0
// A model of a VFIO device's feature ioctls, following the kernel's
// documented semantics (drivers/vfio/vfio_main.c, include/uapi/linux/vfio.h):
// PROBE answers, the migration FSM walked by the kernel's next-hop rules
// with data fds for sessions, low power, and device DMA logging with its
// argument checks and read-and-clear reports. Faults can be injected on a
// migration arc. Used where no lab device offers a feature.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vfiokit/vfio/feature_ioctl.hpp"
#include "vfiokit/vfio/migration/migration_state.hpp"
#include "vfiokit/vfio/unique_fd.hpp"

namespace vfiokit::testing {

class FakeFeatureDevice final : public vfio::DeviceFeatureIoctl {
 public:
  FakeFeatureDevice();
  Result<void> feature(uint32_t flags, std::span<uint8_t> payload) override;
  Result<void> reset() override;
  const std::string& subject() const override { return subject_; }
  using vfio::DeviceFeatureIoctl::feature;

  // Which features exist: index -> (get, set).
  std::set<std::pair<uint32_t, uint32_t>> ops;  // (index, kFeatureGet/kFeatureSet)
  void offer(uint32_t index, uint32_t op) { ops.insert({index, op}); }

  // Migration.
  uint64_t migration_flags = 0;
  vfio::MigState state = vfio::MigState::running;
  std::string device_state_bytes = "device-state";  // what STOP_COPY streams
  std::string loaded;                               // what RESUMING -> STOP took in
  struct Fault {
    vfio::MigState from, to;
    int err;
    vfio::MigState ends_in;  // the state the device is left in
  };
  std::optional<Fault> fault;
  std::vector<std::pair<vfio::MigState, vfio::MigState>> arcs;  // every arc the "driver" carried out
  int set_calls = 0;
  int get_calls = 0;  // MIG_DEVICE_STATE GETs
  int resets = 0;

  // Low power.
  bool low_power = false;

  // DMA logging: the device tracks at `log_page_size` (0: the caller's hint).
  uint64_t log_page_size = 0;
  bool logging = false;
  std::vector<std::pair<uint64_t, uint64_t>> logged_ranges;  // iova, length
  std::set<uint64_t> written_pages;                          // page-aligned IOVAs the device wrote
  void device_writes(uint64_t iova, uint64_t length);

 private:
  Result<void> migration_set(std::span<uint8_t> payload);
  Result<void> logging_start(std::span<uint8_t> payload);
  Result<void> logging_report(std::span<uint8_t> payload);
  Result<void> err(int e, const char* what) const;
  std::string subject_ = "fake-device";
  vfio::UniqueFd resume_read_;  // the device's side of the RESUMING stream
};

}  // namespace vfiokit::testing
