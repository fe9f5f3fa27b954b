// SPDX-License-Identifier: Apache-2.0
// Finding a profile's devices on a host by the identities the profile gives
// (host/profile/profile.hpp): each must match exactly one function, and no
// function may be claimed by two devices.
#pragma once

#include <vector>

#include "vfiokit/host/profile/profile.hpp"
#include "vfiokit/host/sysfs/root.hpp"
#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit::host {

struct MatchedDevice {
  const ProfileDevice* device = nullptr;
  pci::Bdf bdf;
};

// The Device Serial Number of a function, from its config space (which
// needs root to be read past 64 bytes); nullopt when it has none.
std::optional<uint64_t> device_serial(const SysfsRoot& root, const pci::Bdf& bdf);

// The function a physical slot holds (bus/pci/slots/NAME/address).
Result<pci::Bdf> slot_function(const SysfsRoot& root, const std::string& slot, unsigned function);

// Every device of `profile`, in its order. A device that matches no
// function, or several, or a function two devices match, is an error that
// names the device, its identity and the functions.
Result<std::vector<MatchedDevice>> match_profile(const SysfsRoot& root, const HostView& host, const Profile& profile);

}  // namespace vfiokit::host
