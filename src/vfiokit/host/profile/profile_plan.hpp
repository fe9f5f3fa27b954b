// SPDX-License-Identifier: Apache-2.0
// The plan of `vfiokit up PROFILE`: the profile's devices found on the host,
// then what each needs, in the order the kernel allows it: the BAR resizes
// first (a resize needs the function without a driver, and vfio-pci is a
// driver), then every IOMMU group the devices are in bound whole to its
// driver, then power and reset policy. Everything that can be refused is
// refused here, before anything changes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "vfiokit/host/binding/plan.hpp"
#include "vfiokit/host/profile/device_match.hpp"
#include "vfiokit/host/profile/setting_change.hpp"
#include "vfiokit/host/rebar/resize_plan.hpp"

namespace vfiokit::host {

struct ProfilePlan {
  std::string name;
  bool force = false;  // the profile says so
  std::vector<MatchedDevice> devices;
  std::vector<unsigned> groups;  // every IOMMU group of the devices, ascending
  std::vector<ResizePlan> resizes;
  std::vector<BindPlan> binds;
  std::vector<SettingRecord> settings;
  std::vector<std::string> in_use;  // what the host uses, from every part
  std::vector<std::string> notes;   // what is already as the profile wants
  bool nothing_to_do() const { return resizes.empty() && binds.empty() && settings.empty(); }
};

// Whether a driver is registered (bus/pci/drivers/NAME), for the binds'
// modprobe step.
using DriverLoaded = std::function<bool(const std::string&)>;

Result<ProfilePlan> plan_profile(const SysfsRoot& root, const HostView& host, const Profile& profile,
                                 const UsesOf& uses_of, const DriverLoaded& driver_loaded);

}  // namespace vfiokit::host
