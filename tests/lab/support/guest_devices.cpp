// SPDX-License-Identifier: Apache-2.0
#include "lab/support/guest_devices.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "vfiokit/host/devices/device_config.hpp"

namespace vfiokit::lab {
namespace {

uint16_t read_id(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string text;
  in >> text;
  return text.empty() ? 0 : static_cast<uint16_t>(std::stoul(text, nullptr, 16));
}

}  // namespace

std::vector<GuestDevice> guest_devices(const host::SysfsRoot& root) {
  std::vector<GuestDevice> out;
  for (const auto& entry : std::filesystem::directory_iterator(root.pci_devices())) {
    auto bdf = pci::Bdf::parse(entry.path().filename().string());
    if (!bdf) continue;
    GuestDevice d;
    d.bdf = *bdf;
    d.vendor = read_id(entry.path() / "vendor");
    d.device = read_id(entry.path() / "device");
    d.virtual_function = std::filesystem::is_symlink(entry.path() / "physfn");
    d.sriov = d.virtual_function || std::filesystem::exists(entry.path() / "sriov_totalvfs");
    // The device's real directory sits inside its upstream bridge's.
    const auto real = std::filesystem::canonical(entry.path());
    if (auto parent = pci::Bdf::parse(real.parent_path().filename().string())) {
      d.parent = *parent;
      d.parent_vendor = read_id(real.parent_path() / "vendor");
      d.parent_device = read_id(real.parent_path() / "device");
    }
    out.push_back(d);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.bdf < b.bdf; });
  return out;
}

std::vector<GuestDevice> find_devices(const std::vector<GuestDevice>& all, uint16_t vendor, uint16_t device,
                                      std::optional<std::pair<uint16_t, uint16_t>> parent) {
  std::vector<GuestDevice> out;
  for (const auto& d : all) {
    if (d.vendor != vendor || d.device != device) continue;
    if (parent && (d.parent_vendor != parent->first || d.parent_device != parent->second)) continue;
    out.push_back(d);
  }
  return out;
}

std::vector<GuestDevice> without_sriov(std::vector<GuestDevice> found) {
  std::erase_if(found, [](const GuestDevice& d) { return d.sriov; });
  return found;
}

pci::DecodedDevice decode_live(const host::SysfsRoot& root, const pci::Bdf& bdf) {
  auto read = host::read_device_config(root, bdf);
  if (!read) {
    ADD_FAILURE() << read.error().describe();
    return {};
  }
  EXPECT_FALSE(read->limited_by_privilege) << bdf.str() << ": lab tests must read config space as root";
  return pci::decode_device(read->config);
}

}  // namespace vfiokit::lab
