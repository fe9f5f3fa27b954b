// SPDX-License-Identifier: Apache-2.0
// Bringing a profile up and down, as `vfiokit up` and `down` do, for the
// commands that act on profiles for a VM manager (the libvirt and Proxmox
// hooks).
#pragma once

#include <string>
#include <vector>

#include "vfiokit/cli/options/change_root.hpp"
#include "vfiokit/host/profile/profile.hpp"
#include "vfiokit/pci/bdf.hpp"

namespace vfiokit::cli {

// Print the plan, apply it (or stop after it with `dry_run`); the exit status.
int up_profile(const host::Profile& profile, const ChangeRoot& where, bool dry_run, bool force);
int down_profile(const std::string& name, const ChangeRoot& where, bool dry_run);

// Where the hooks look for the profiles a VM names.
inline constexpr const char* kDefaultProfilesDir = "/etc/vfiokit/profiles";

// `up` for a profile made on the spot from the functions a VM manager
// passes through (each by its address, with every endpoint of its group).
int up_functions(const std::string& name, const std::vector<pci::Bdf>& functions, const ChangeRoot& where);

}  // namespace vfiokit::cli
