// SPDX-License-Identifier: Apache-2.0
// A PCI function's `uevent` attribute: the kernel's own values of the
// function in one file (pci_uevent() in drivers/pci/hotplug.c):
//   PCI_CLASS=20000
//   PCI_ID=8086:10D3
//   PCI_SUBSYS_ID=8086:0000
//   PCI_SLOT_NAME=0000:01:00.0
// These are pci_dev's fields after the kernel's fixups, the same values the
// separate vendor, device, class and subsystem_* files show, so one open
// replaces five.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "vfiokit/base/error.hpp"

namespace vfiokit::host {

struct PciUevent {
  uint32_t class_code = 0;
  uint16_t vendor_id = 0, device_id = 0;
  uint16_t subsystem_vendor_id = 0, subsystem_id = 0;
};

// nullopt when the text does not give all of class, IDs and subsystem IDs
// (other lines, DRIVER= among them, are not used); an Error naming `subject`
// when one of them is malformed. The subject is asked for only then: a
// large host's read parses thousands of these, each in a directory whose
// path would otherwise be joined for nothing.
Result<std::optional<PciUevent>> parse_pci_uevent(std::string_view text, const std::function<std::string()>& subject);
inline Result<std::optional<PciUevent>> parse_pci_uevent(std::string_view text, const std::string& subject) {
  return parse_pci_uevent(text, [&] { return subject; });
}

}  // namespace vfiokit::host
