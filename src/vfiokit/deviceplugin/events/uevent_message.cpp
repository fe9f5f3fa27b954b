// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/deviceplugin/events/uevent_message.hpp"

namespace vfiokit::deviceplugin {

std::optional<Uevent> parse_uevent(std::string_view message) {
  // The header "ACTION@DEVPATH" is what tells a kernel message from udev's
  // ("libudev" then a binary header).
  const size_t header_end = message.find('\0');
  const std::string_view header = message.substr(0, header_end);
  if (header.find('@') == std::string_view::npos || header_end == std::string_view::npos) return std::nullopt;
  Uevent e;
  size_t pos = header_end + 1;
  while (pos < message.size()) {
    size_t end = message.find('\0', pos);
    if (end == std::string_view::npos) end = message.size();
    const std::string_view field = message.substr(pos, end - pos);
    pos = end + 1;
    const size_t eq = field.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = field.substr(0, eq), value = field.substr(eq + 1);
    if (key == "ACTION") e.action = value;
    else if (key == "DEVPATH") e.devpath = value;
    else if (key == "SUBSYSTEM") e.subsystem = value;
  }
  if (e.action.empty() || e.devpath.empty() || e.subsystem.empty()) return std::nullopt;
  return e;
}

bool matters_for_health(const Uevent& event) {
  return event.subsystem == "pci" || event.subsystem == "vfio" || event.subsystem == "vfio-dev" ||
         event.subsystem == "iommu_groups";
}

bool changes_devices(const Uevent& event) {
  return event.subsystem == "pci" && (event.action == "add" || event.action == "remove");
}

}  // namespace vfiokit::deviceplugin
