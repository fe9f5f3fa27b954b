// SPDX-License-Identifier: Apache-2.0
// A profile made from functions of a host: each with every endpoint of its
// IOMMU group (a group goes to a VM whole). `vfiokit profile create` names
// the devices by identities that survive renumbering; a libvirt domain's
// <hostdev> addresses are BDFs already, valid for the run they start.
#pragma once

#include <vector>

#include "vfiokit/host/profile/profile.hpp"
#include "vfiokit/host/sysfs/root.hpp"
#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit::host {

enum class Identify { stable, by_bdf };

// Each function not on the host is an error naming it.
Result<Profile> profile_for_functions(const SysfsRoot& root, const HostView& host, const std::string& name,
                                      const std::vector<pci::Bdf>& functions, Identify identify);

}  // namespace vfiokit::host
