#include "vfio/device_address.hpp"

#include <fmt/format.h>

namespace vfiokit::vfio {

Result<DeviceAddress> DeviceAddress::parse(std::string_view text) {
  if (auto bdf = pci::Bdf::parse(text)) return DeviceAddress(*bdf);
  if (auto uuid = Uuid::parse(text)) return DeviceAddress(*uuid);
  return fail(Errc::invalid_argument, std::string(text.substr(0, 64)),
              "is neither a PCI address (0000:01:00.0) nor an mdev UUID");
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
