// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/device_address.hpp"

#include <algorithm>

namespace vfiokit::vfio {

Result<DeviceAddress> DeviceAddress::parse(std::string_view text) {
  // A UUID has four dashes and no colon; anything else is read as a BDF, so
  // a mistyped BDF gets the BDF parser's precise complaint.
  if (text.find(':') == std::string_view::npos && std::count(text.begin(), text.end(), '-') == 4) {
    auto uuid = Uuid::parse(text);
    if (!uuid) return fail(uuid.error());
    return DeviceAddress(*uuid);
  }
  auto bdf = pci::Bdf::parse(text);
  if (!bdf) return fail(bdf.error());
  return DeviceAddress(*bdf);
}

std::optional<pci::Bdf> DeviceAddress::bdf() const {
  if (const auto* b = std::get_if<pci::Bdf>(&id_)) return *b;
  return std::nullopt;
}

std::filesystem::path DeviceAddress::sysfs_dir(const host::SysfsRoot& root) const {
  if (is_mdev()) return root.path() / "bus/mdev/devices" / name_;
  return root.pci_devices() / name_;
}

}  // namespace vfiokit::vfio
