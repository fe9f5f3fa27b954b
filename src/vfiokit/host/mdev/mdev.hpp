// SPDX-License-Identifier: Apache-2.0
// Mediated devices through the mdev core's uniform sysfs interface
// (Documentation/driver-api/vfio-mediated-device.rst):
//   /sys/class/mdev_bus/<parent>/mdev_supported_types/<type>/
//       name, description, available_instances, device_api, create, devices/
//   /sys/bus/mdev/devices/<uuid>/  mdev_type -> its type, remove, iommu_group
// A type's directory is named "<parent driver>-<type>" ("mtty-2"). Writing a
// UUID to `create` makes an mdev; writing 1 to its `remove` destroys it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/base/uuid.hpp"
#include "vfiokit/host/sysfs/root.hpp"

namespace vfiokit::host {

struct MdevType {
  std::string parent;  // the parent device's name under mdev_bus ("mtty", "0000:00:02.0")
  std::string id;      // the type directory ("mtty-2")
  std::string name;    // "Dual port serial"; empty when the driver gives none
  std::string description;
  std::string device_api;  // "vfio-pci"
  std::optional<unsigned> available;
  std::vector<Uuid> devices;
};

struct MdevDevice {
  Uuid uuid;
  std::string parent;
  std::string type;
  std::optional<std::string> driver;
  std::optional<unsigned> iommu_group;
};

std::filesystem::path mdev_dir(const SysfsRoot& root, const Uuid& uuid);

// Every type of every parent, sorted by parent then type. No mdev support
// (no mdev_bus class) is an empty list, not an error.
Result<std::vector<MdevType>> list_mdev_types(const SysfsRoot& root);
Result<std::vector<MdevDevice>> list_mdevs(const SysfsRoot& root);
Result<std::optional<MdevDevice>> find_mdev(const SysfsRoot& root, const Uuid& uuid);
// The type `id`, under `parent` or, when parent is empty, under the only
// parent that has it.
Result<MdevType> find_mdev_type(const SysfsRoot& root, const std::string& parent, const std::string& id);

}  // namespace vfiokit::host
