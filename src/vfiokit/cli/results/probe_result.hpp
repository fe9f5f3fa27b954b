// SPDX-License-Identifier: Apache-2.0
// What `vfiokit probe` found out about a device opened through VFIO: the
// one result that render/probe shows as text or as JSON.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/vfio/device.hpp"
#include "vfiokit/vfio/device_features.hpp"
#include "vfiokit/vfio/migration/migration_state.hpp"

namespace vfiokit::cli {

struct ProbeResult {
  std::string device;          // the BDF or mdev UUID
  std::string backend;         // "type1", "iommufd"
  std::string backend_detail;  // what the backend says of itself
  vfio::DeviceInfo info;
  std::optional<uint16_t> vendor_id, device_id;  // from the config region
  std::vector<vfio::RegionInfo> regions;         // implemented regions only
  std::vector<vfio::IrqInfo> irqs;
  std::optional<std::string> reset_method;  // sysfs reset_method
  std::optional<vfio::HotResetInfo> hot_reset;
  std::string hot_reset_refusal;                              // why not, when hot_reset is empty
  std::optional<std::vector<vfio::FeatureSupport>> features;  // offered features
  std::string features_error;                                 // when they could not be probed
  struct Migration {
    std::string flags;
    std::optional<vfio::MigState> state;
  };
  std::optional<Migration> migration;
  std::vector<vfio::IovaRange> iova_ranges;
  std::string iova_ranges_text;
  uint64_t iommu_page_size = 0;
  std::vector<Error> problems;  // what could not be read; the command then exits 1
};

ProbeResult probe_device(vfio::Device& device);

}  // namespace vfiokit::cli
