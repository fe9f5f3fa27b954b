// SPDX-License-Identifier: Apache-2.0
// Which VFIO device features a device offers (VFIO_DEVICE_FEATURE with
// PROBE), and the low-power features: LOW_POWER_ENTRY lets vfio-pci
// runtime-suspend an idle assigned device (D3hot, or D3cold where the
// platform can cut power); ENTRY_WITH_WAKEUP also signals an eventfd when the
// device wakes on its own (any access resumes it, and the kernel then leaves
// low power by itself); EXIT brings it back to D0. Closing the device fd
// leaves low power too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/vfio/event_fd.hpp"
#include "vfiokit/vfio/feature_ioctl.hpp"

namespace vfiokit::vfio {

// Feature indexes (include/uapi/linux/vfio.h).
enum class Feature : uint32_t {
  pci_vf_token = 0,
  migration = 1,
  mig_device_state = 2,
  low_power_entry = 3,
  low_power_entry_with_wakeup = 4,
  low_power_exit = 5,
  dma_logging_start = 6,
  dma_logging_stop = 7,
  dma_logging_report = 8,
  mig_data_size = 9,
  bus_master = 10,
  dma_buf = 11,
};
constexpr uint32_t kKnownFeatures = 12;

struct FeatureSupport {
  Feature feature;
  bool get = false;
  bool set = false;
  std::string name() const { return feature_name(uint32_t(feature)); }
};

// PROBE|GET and PROBE|SET of every known feature. A feature the device does
// not offer answers ENOTTY (EINVAL before 6.17 for some); an op it does not
// offer answers EINVAL. Any other errno is an error.
Result<std::vector<FeatureSupport>> probe_features(DeviceFeatureIoctl& device);
// Just the features with at least one op.
std::vector<FeatureSupport> offered(const std::vector<FeatureSupport>& all);

Result<void> low_power_entry(DeviceFeatureIoctl& device);
Result<void> low_power_entry_with_wakeup(DeviceFeatureIoctl& device, const EventFd& wakeup);
Result<void> low_power_exit(DeviceFeatureIoctl& device);

constexpr uint32_t feature_flags(Feature f, uint32_t op) { return uint32_t(f) | op; }

}  // namespace vfiokit::vfio
