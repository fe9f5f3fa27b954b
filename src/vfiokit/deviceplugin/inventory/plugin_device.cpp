// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/deviceplugin/inventory/plugin_device.hpp"

#include <fmt/format.h>

#include "vfiokit/host/sysfs/dir.hpp"

namespace vfiokit::deviceplugin {

std::optional<std::string> why_unhealthy(const host::SysfsRoot& root, const PluginDevice& device) {
  // Through SysfsDir: in a tree someone handed over (a snapshot, a
  // simulated host) the directory is opened beneath the tree's root, so no
  // link leads the check out of it.
  const auto last_part = [](const std::optional<std::string>& target) -> std::optional<std::string> {
    if (!target) return std::nullopt;
    return std::filesystem::path(*target).filename().string();
  };
  for (const auto& bdf : device.functions) {
    auto dir = host::SysfsDir::open(root.device_dir(bdf));
    if (!dir) return fmt::format("{} is gone", bdf.str());
    const auto group = last_part(dir->link_target("iommu_group"));
    if (!group || *group != std::to_string(device.group))
      return fmt::format("{} is no longer in IOMMU group {}", bdf.str(), device.group);
    const auto driver = last_part(dir->link_target("driver"));
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
