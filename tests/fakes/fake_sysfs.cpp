// SPDX-License-Identifier: Apache-2.0
#include "fakes/fake_sysfs.hpp"

#include <fmt/format.h>

namespace vfiokit::testing {

std::filesystem::path FakeSysfs::device_dir(const pci::Bdf& bdf) const {
  return std::filesystem::canonical(root() / "bus/pci/devices" / bdf.str());
}

FakeSysfs& FakeSysfs::add(const pci::Bdf& bdf, const ConfigBuilder& config, std::optional<pci::Bdf> parent,
                          const std::string& driver) {
  return add_in(parent ? device_dir(*parent) : root() / "devices/pci0000:00", bdf, config, driver);
}

FakeSysfs& FakeSysfs::add_on_host_bridge(const pci::Bdf& bdf, const ConfigBuilder& config,
                                         const std::string& host_dir) {
  return add_in(std::filesystem::weakly_canonical(root() / host_dir), bdf, config, "");
}

FakeSysfs& FakeSysfs::add_in(const std::filesystem::path& base, const pci::Bdf& bdf, const ConfigBuilder& config,
                             const std::string& driver) {
  const auto dir = base / bdf.str();
  std::filesystem::create_directories(dir);
  std::filesystem::create_directories(root() / "bus/pci/devices");
  const auto rel = dir.lexically_relative(dir_.path()).string();
  const auto& bytes = config.bytes();
  dir_.write(rel + "/config", std::string(bytes.begin(), bytes.end()));
  dir_.write(rel + "/vendor", fmt::format("0x{:02x}{:02x}\n", bytes[1], bytes[0]));
  dir_.write(rel + "/device", fmt::format("0x{:02x}{:02x}\n", bytes[3], bytes[2]));
  dir_.write(rel + "/class", fmt::format("0x{:02x}{:02x}{:02x}\n", bytes[11], bytes[10], bytes[9]));
  // As pci_uevent() writes it: class with %04X, subsystem IDs from a type 0
  // header (a bridge's come from a capability; these fakes have none).
  const bool type0 = (bytes[14] & 0x7f) == 0;
  dir_.write(rel + "/uevent",
             fmt::format("{}PCI_CLASS={:04X}\nPCI_ID={:02X}{:02X}:{:02X}{:02X}\nPCI_SUBSYS_ID={:04X}:{:04X}\n"
                         "PCI_SLOT_NAME={}\n",
                         driver.empty() ? "" : "DRIVER=" + driver + "\n", bytes[11] << 16 | bytes[10] << 8 | bytes[9],
                         bytes[1], bytes[0], bytes[3], bytes[2], type0 ? bytes[0x2d] << 8 | bytes[0x2c] : 0,
                         type0 ? bytes[0x2f] << 8 | bytes[0x2e] : 0, bdf.str()));
  std::filesystem::create_symlink(dir.lexically_relative(root() / "bus/pci/devices"),
                                  root() / "bus/pci/devices" / bdf.str());
  if (!driver.empty()) {
    std::filesystem::create_directories(root() / "bus/pci/drivers" / driver);
    std::filesystem::create_symlink((root() / "bus/pci/drivers" / driver).lexically_relative(dir), dir / "driver");
  }
  return *this;
}

FakeSysfs& FakeSysfs::link(const pci::Bdf& from, const std::string& name, const pci::Bdf& to) {
  const auto dir = device_dir(from);
  std::filesystem::create_symlink(device_dir(to).lexically_relative(dir), dir / name);
  return *this;
}

FakeSysfs& FakeSysfs::iommu_group(const pci::Bdf& bdf, unsigned group) {
  const auto dir = device_dir(bdf);
  const auto group_dir = root() / "kernel/iommu_groups" / std::to_string(group);
  std::filesystem::create_directories(group_dir / "devices");
  std::filesystem::create_symlink(group_dir.lexically_relative(dir), dir / "iommu_group");
  std::filesystem::create_symlink(dir.lexically_relative(group_dir / "devices"), group_dir / "devices" / bdf.str());
  return *this;
}

}  // namespace vfiokit::testing
