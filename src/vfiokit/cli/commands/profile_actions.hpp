// Bringing a profile up and down, as `vfiokit up` and `down` do, for the
// commands that act on profiles for a VM manager (the libvirt hook).
#pragma once

#include <string>

#include "vfiokit/cli/options/change_root.hpp"
#include "vfiokit/host/profile/profile.hpp"

namespace vfiokit::cli {

// Print the plan, apply it (or stop after it with `dry_run`); the exit status.
int up_profile(const host::Profile& profile, const ChangeRoot& where, bool dry_run, bool force);
int down_profile(const std::string& name, const ChangeRoot& where, bool dry_run);

}  // namespace vfiokit::cli
