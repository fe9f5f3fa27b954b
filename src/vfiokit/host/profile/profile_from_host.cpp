// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/profile/profile_from_host.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "vfiokit/host/binding/plan.hpp"
#include "vfiokit/host/profile/device_match.hpp"

namespace vfiokit::host {

namespace {

// A device name from what the function is (PCI class), unique in the profile.
std::string device_name(const PciFunction& f, const std::vector<ProfileDevice>& taken) {
  const uint32_t cls = f.class_code.value_or(0) >> 8;
  const std::string base = cls == 0x0300 || cls == 0x0302 || cls == 0x0380 ? "gpu"
                           : cls == 0x0403                                 ? "audio"
                           : cls == 0x0200                                 ? "nic"
                           : cls == 0x0108                                 ? "nvme"
                           : cls == 0x0c03                                 ? "usb"
                                                                           : "device";
  std::string name = base;
  for (unsigned n = 2; std::any_of(taken.begin(), taken.end(), [&](const auto& d) { return d.name == name; }); ++n)
    name = fmt::format("{}{}", base, n);
  return name;
}

}  // namespace

Result<Profile> profile_for_functions(const SysfsRoot& root, const HostView& host, const std::string& name,
                                      const std::vector<pci::Bdf>& functions, Identify identify) {
  if (auto ok = check_profile_name(name); !ok) return fail(ok.error());
  Profile p;
  p.name = name;
  std::vector<pci::Bdf> made_from;  // the function each device was made from
  for (const auto& bdf : functions) {
    if (!host.function(bdf)) return fail(Errc::not_found, bdf.str(), "no such PCI function");
    std::vector<pci::Bdf> members{bdf};
    if (auto group = group_of_function(host, bdf))
      for (const auto& g : host.groups)
        if (g.id == *group) members = g.devices;
    for (const auto& m : members) {
      const PciFunction* f = host.function(m);
      if (!f || f->is_bridge() || std::find(made_from.begin(), made_from.end(), m) != made_from.end()) continue;
      ProfileDevice d;
      d.name = device_name(*f, p.devices);
      d.line = unsigned(p.devices.size() + 1);
      if (identify == Identify::stable && f->vendor_id && f->device_id) {
        // The IDs with the serial number, or else the subsystem IDs.
        d.identity.id = IdPair{*f->vendor_id, *f->device_id};
        if (auto serial = device_serial(root, m)) d.identity.serial = *serial;
        else if (f->subsystem_vendor_id && f->subsystem_id)
          d.identity.subsystem = IdPair{*f->subsystem_vendor_id, *f->subsystem_id};
      } else {
        d.identity.bdf = m;
      }
      p.devices.push_back(std::move(d));
      made_from.push_back(m);
    }
  }
  if (p.devices.empty()) return fail(Errc::invalid_argument, name, "has no endpoint to hand out");
  // Where the identity does not single the function out on this host (two
  // identical cards without serial numbers), the BDF is what is left.
  for (size_t i = 0; i < p.devices.size(); ++i) {
    const Profile one{p.name, false, {p.devices[i]}};
    auto found = match_profile(root, host, one);
    if (!found || found->front().bdf != made_from[i]) {
      p.devices[i].identity = DeviceIdentity();
      p.devices[i].identity.bdf = made_from[i];
    }
  }
  if (auto checked = match_profile(root, host, p); !checked) return fail(checked.error());
  return p;
}

}  // namespace vfiokit::host
