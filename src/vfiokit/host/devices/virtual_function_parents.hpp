// SPDX-License-Identifier: Apache-2.0
// Which physical function each virtual function belongs to, from the PFs'
// SR-IOV capabilities rather than from each VF's `physfn` link.
//
// The kernel places VF i of a PF at routing ID PF + First VF Offset +
// i * VF Stride (drivers/pci/iov.c, pci_iov_virtfn_bus/devfn), reading
// both registers when NumVFs is set; they cannot change while VFs are
// enabled (SR-IOV: they follow NumVFs and ARI Capable Hierarchy). So a PF
// whose capability is readable names its VFs exactly, and a host of
// thousands of VFs is spared a readlink for each.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "vfiokit/host/devices/pci_function.hpp"

namespace vfiokit::host {

// Sets physfn on every function marked virtual_function that lacks it: from
// the one PF whose enabled VFs include its address, otherwise (the PF's
// extended config unreadable, as for a user without privilege, or no PF or
// two claiming it) from `read_link` (the VF's `physfn` link).
void find_virtual_function_parents(std::vector<PciFunction>& functions,
                                   const std::function<std::optional<pci::Bdf>(const PciFunction&)>& read_link);

}  // namespace vfiokit::host
