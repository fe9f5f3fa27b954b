// SPDX-License-Identifier: Apache-2.0
// What VFIO opens: a PCI function (by BDF, bound to vfio-pci) or a mediated
// device (by UUID, bound to its vendor's mdev driver). Both are VFIO devices
// in an IOMMU group, found in sysfs; VFIO_GROUP_GET_DEVICE_FD takes the name
// the device has in sysfs, which is the BDF or the UUID.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "vfiokit/base/error.hpp"
#include "vfiokit/base/uuid.hpp"
#include "vfiokit/host/sysfs/root.hpp"
#include "vfiokit/pci/bdf.hpp"

namespace vfiokit::vfio {

class DeviceAddress {
 public:
  DeviceAddress(pci::Bdf bdf) : id_(bdf), name_(bdf.str()) {}  // NOLINT: a BDF is an address
  DeviceAddress(Uuid mdev) : id_(mdev), name_(mdev.str()) {}   // NOLINT: so is an mdev UUID
  // "0000:01:00.0", "01:00.0" or an mdev UUID.
  static Result<DeviceAddress> parse(std::string_view text);

  const std::string& str() const { return name_; }
  bool is_mdev() const { return std::holds_alternative<Uuid>(id_); }
  std::optional<pci::Bdf> bdf() const;
  // /sys/bus/pci/devices/<bdf> or /sys/bus/mdev/devices/<uuid>.
  std::filesystem::path sysfs_dir(const host::SysfsRoot& root) const;
  // "PCI function" or "mdev device", for messages.
  const char* kind_name() const { return is_mdev() ? "mdev device" : "PCI function"; }

  bool operator==(const DeviceAddress& o) const { return name_ == o.name_; }
  auto operator<=>(const DeviceAddress& o) const { return name_ <=> o.name_; }

 private:
  std::variant<pci::Bdf, Uuid> id_;
  std::string name_;
};

}  // namespace vfiokit::vfio
