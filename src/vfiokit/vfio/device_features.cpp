// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/device_features.hpp"

#include <cerrno>

namespace vfiokit::vfio {

namespace {
// True when the probe says "offered", false for "not offered".
Result<bool> probe(DeviceFeatureIoctl& device, Feature f, uint32_t op) {
  auto ok = device.feature(feature_flags(f, kFeatureProbe | op), std::span<uint8_t>());
  if (ok) return true;
  const int err = ok.error().sys_errno();
  if (err == ENOTTY || err == EINVAL || err == EOPNOTSUPP) return false;
  return fail(ok.error());
}
}  // namespace

Result<std::vector<FeatureSupport>> probe_features(DeviceFeatureIoctl& device) {
  std::vector<FeatureSupport> out;
  for (uint32_t i = 0; i < kKnownFeatures; ++i) {
    FeatureSupport s{Feature(i)};
    auto get = probe(device, s.feature, kFeatureGet);
    if (!get) return fail(get.error());
    auto set = probe(device, s.feature, kFeatureSet);
    if (!set) return fail(set.error());
    s.get = *get;
    s.set = *set;
    out.push_back(s);
  }
  return out;
}

std::vector<FeatureSupport> offered(const std::vector<FeatureSupport>& all) {
  std::vector<FeatureSupport> out;
  for (const auto& s : all)
    if (s.get || s.set) out.push_back(s);
  return out;
}

Result<void> low_power_entry(DeviceFeatureIoctl& device) {
  return device.feature(feature_flags(Feature::low_power_entry, kFeatureSet), std::span<uint8_t>());
}

Result<void> low_power_entry_with_wakeup(DeviceFeatureIoctl& device, const EventFd& wakeup) {
  struct {
    int32_t wakeup_eventfd;
    uint32_t reserved;
  } entry{wakeup.fd(), 0};
  return device.feature(feature_flags(Feature::low_power_entry_with_wakeup, kFeatureSet), entry);
}

Result<void> low_power_exit(DeviceFeatureIoctl& device) {
  return device.feature(feature_flags(Feature::low_power_exit, kFeatureSet), std::span<uint8_t>());
}

}  // namespace vfiokit::vfio
