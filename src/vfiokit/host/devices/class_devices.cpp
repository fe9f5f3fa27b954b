// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/class_devices.hpp"

#include <algorithm>

#include "vfiokit/host/sysfs/dir.hpp"

namespace vfiokit::host {
namespace {

void collect(const SysfsRoot& root, const char* cls, std::map<pci::Bdf, ClassDevices>& out,
             std::vector<std::string> ClassDevices::*member) {
  auto dir = SysfsDir::open(root.path() / "class" / cls);
  if (!dir) return;  // a tree without the class (a snapshot, a container) has none
  auto entries = dir->list();
  if (!entries) return;
  for (const auto& e : *entries) {
    const auto target = dir->link_target(e.name);
    if (!target) continue;
    if (auto bdf = function_of_class_link(*target)) (out[*bdf].*member).push_back(e.name);
  }
}

}  // namespace

std::optional<pci::Bdf> function_of_class_link(const std::string& target) {
  std::optional<pci::Bdf> found;
  size_t start = 0;
  while (start < target.size()) {
    const size_t slash = target.find('/', start);
    const size_t end = slash == std::string::npos ? target.size() : slash;
    // The last component (the device itself) is never its own function.
    if (slash != std::string::npos && end - start == 12)
      if (auto bdf = pci::Bdf::parse(std::string_view(target).substr(start, end - start))) found = *bdf;
    start = end + 1;
  }
  return found;
}

std::map<pci::Bdf, ClassDevices> class_devices_by_function(const SysfsRoot& root) {
  std::map<pci::Bdf, ClassDevices> out;
  collect(root, "net", out, &ClassDevices::interfaces);
  collect(root, "block", out, &ClassDevices::block_devices);
  for (auto& [bdf, devices] : out) {
    std::sort(devices.interfaces.begin(), devices.interfaces.end());
    std::sort(devices.block_devices.begin(), devices.block_devices.end());
  }
  return out;
}

}  // namespace vfiokit::host
