// SPDX-License-Identifier: Apache-2.0
// A PCI function's power as sysfs shows it (Documentation/ABI/testing/
// sysfs-bus-pci, sysfs-devices-power): power_state (the kernel's cached
// D-state), d3cold_allowed (only with CONFIG_ACPI), and the runtime PM
// status and control. An idle function vfio-pci holds is runtime-suspended
// (D3hot, or D3cold when the platform can remove power); whether D3cold is
// reachable depends on the platform, which is why both are shown.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/sysfs/root.hpp"
#include "vfiokit/pci/bdf.hpp"

namespace vfiokit::host {

struct PowerView {
  std::string power_state;  // "D0", "D3hot", "D3cold", "unknown"; empty when absent
  std::optional<bool> d3cold_allowed;
  std::string runtime_status;   // "active", "suspended", ...; empty when absent
  std::string runtime_control;  // "auto" or "on"
};

Result<PowerView> read_power(const SysfsRoot& root, const pci::Bdf& bdf);
// Runtime suspend runs asynchronously after the last user lets go: polls
// power_state until it is one of `states` or `timeout_ms` passes, and
// returns the last state read.
Result<std::string> wait_for_power_state(const SysfsRoot& root, const pci::Bdf& bdf,
                                         const std::vector<std::string>& states, int timeout_ms);

}  // namespace vfiokit::host
