// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/deviceplugin/inventory/plugin_device.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include "vfiokit/host/sysfs/attr.hpp"

namespace vfiokit::deviceplugin {

std::optional<std::string> why_unhealthy(const host::SysfsRoot& root, const PluginDevice& device) {
  for (const auto& bdf : device.functions) {
    const auto dir = root.device_dir(bdf);
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return fmt::format("{} is gone", bdf.str());
    const auto group = host::read_link_name(dir / "iommu_group");
    if (!group || *group != std::to_string(device.group))
      return fmt::format("{} is no longer in IOMMU group {}", bdf.str(), device.group);
    const auto driver = host::read_link_name(dir / "driver");
    if (!driver) return fmt::format("{} has no driver (vfio-pci is needed)", bdf.str());
    if (*driver != "vfio-pci") return fmt::format("{} is on {} (vfio-pci is needed)", bdf.str(), *driver);
  }
  return std::nullopt;
}

bool refresh_health(const host::SysfsRoot& root, PluginDevice& device) {
  auto why = why_unhealthy(root, device);
  const bool healthy = !why;
  const bool changed = healthy != device.healthy;
  device.healthy = healthy;
  device.reason = why.value_or("");
  return changed;
}

}  // namespace vfiokit::deviceplugin
