// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/devices/module_aliases.hpp"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>

namespace vfiokit::host {
namespace {

constexpr std::string_view kPrefix = "alias pci:";
constexpr size_t kVendorLength = 9;  // "v" and eight hex digits

bool literal(std::string_view s) { return s.find_first_of("*?[") == std::string_view::npos; }

}  // namespace

std::string pci_modalias(uint16_t vendor, uint16_t device, uint16_t subsystem_vendor, uint16_t subsystem,
                         uint32_t class_code) {
  return fmt::format("pci:v{:08X}d{:08X}sv{:08X}sd{:08X}bc{:02X}sc{:02X}i{:02X}", vendor, device, subsystem_vendor,
                     subsystem, (class_code >> 16) & 0xff, (class_code >> 8) & 0xff, class_code & 0xff);
}

ModuleAliases ModuleAliases::parse(std::string_view text) {
  ModuleAliases out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.substr(0, kPrefix.size()) != kPrefix) continue;
    const size_t space = line.find(' ', kPrefix.size());
    if (space == std::string_view::npos) continue;
    Alias alias{"pci:" + std::string(line.substr(kPrefix.size(), space - kPrefix.size())),
                std::string(line.substr(space + 1))};
    if (alias.module.empty() || alias.module.find(' ') != std::string::npos) continue;
    const std::string_view vendor = std::string_view(alias.pattern).substr(4, kVendorLength);
    if (vendor.size() == kVendorLength && literal(vendor)) out.by_vendor_[std::string(vendor)].push_back(alias);
    else out.any_vendor_.push_back(alias);
  }
  return out;
}

std::vector<std::string> ModuleAliases::modules_for(const std::string& modalias) const {
  std::vector<std::string> modules;
  const auto match = [&](const std::vector<Alias>& aliases) {
    for (const auto& a : aliases)
      if (::fnmatch(a.pattern.c_str(), modalias.c_str(), 0) == 0 &&
          std::find(modules.begin(), modules.end(), a.module) == modules.end())
        modules.push_back(a.module);
  };
  if (modalias.size() > 4 + kVendorLength)
    if (auto it = by_vendor_.find(modalias.substr(4, kVendorLength)); it != by_vendor_.end()) match(it->second);
  match(any_vendor_);
  return modules;
}

size_t ModuleAliases::size() const {
  size_t n = any_vendor_.size();
  for (const auto& [vendor, aliases] : by_vendor_) n += aliases.size();
  return n;
}

}  // namespace vfiokit::host
