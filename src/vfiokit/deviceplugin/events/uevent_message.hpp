// SPDX-License-Identifier: Apache-2.0
// A kernel uevent as NETLINK_KOBJECT_UEVENT delivers it: "ACTION@DEVPATH"
// then KEY=VALUE fields, each ending in a NUL (lib/kobject_uevent.c,
// kobject_uevent_env: the header, then ACTION=, DEVPATH=, SUBSYSTEM= and
// the subsystem's own keys). The plugin takes uevents as a signal to look
// at the tree again, never as the truth: only what decides how much to
// look at is parsed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vfiokit::deviceplugin {

struct Uevent {
  std::string action;     // add, remove, bind, unbind, change, move, online, offline
  std::string devpath;    // /devices/pci0000:00/0000:00:02.0/0000:01:00.0
  std::string subsystem;  // pci, vfio, iommu_groups ...
};

// nullopt for anything that is not a kernel uevent with ACTION, DEVPATH and
// SUBSYSTEM (udev's own "libudev" messages among them).
std::optional<Uevent> parse_uevent(std::string_view message);

// Whether an event may change what the plugin advertises: a PCI function
// or a VFIO device coming, going, or changing driver.
bool matters_for_health(const Uevent& event);
// Whether it may change which groups exist (a function added or removed):
// then the whole host is read again.
bool changes_devices(const Uevent& event);

}  // namespace vfiokit::deviceplugin
