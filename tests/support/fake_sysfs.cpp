#include "support/fake_sysfs.hpp"

#include <fmt/format.h>

namespace vfiokit::testing {

std::filesystem::path FakeSysfs::device_dir(const pci::Bdf& bdf) const {
  return std::filesystem::canonical(root() / "bus/pci/devices" / bdf.str());
}

FakeSysfs& FakeSysfs::add(const pci::Bdf& bdf, const ConfigBuilder& config, std::optional<pci::Bdf> parent,
                          const std::string& driver) {
  const auto base = parent ? device_dir(*parent) : root() / "devices/pci0000:00";
  const auto dir = base / bdf.str();
  std::filesystem::create_directories(dir);
  std::filesystem::create_directories(root() / "bus/pci/devices");
  const auto rel = dir.lexically_relative(dir_.path()).string();
  const auto& bytes = config.bytes();
  dir_.write(rel + "/config", std::string(bytes.begin(), bytes.end()));
  dir_.write(rel + "/vendor", fmt::format("0x{:02x}{:02x}\n", bytes[1], bytes[0]));
  dir_.write(rel + "/device", fmt::format("0x{:02x}{:02x}\n", bytes[3], bytes[2]));
  dir_.write(rel + "/class", fmt::format("0x{:02x}{:02x}{:02x}\n", bytes[11], bytes[10], bytes[9]));
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

}  // namespace vfiokit::testing
