// SPDX-License-Identifier: Apache-2.0
// Test setup inside the lab guest: hand a function to vfio-pci or back to
// its host driver through driver_override and drivers_probe, and wait for
// asynchronous probes (nvme) to finish.
#pragma once

#include <string>

#include "vfiokit/pci/bdf.hpp"

namespace vfiokit::lab {

std::string driver_of(const pci::Bdf& bdf);  // "" when unbound
// `driver` "vfio-pci", or "" for the kernel's own choice. True when the
// function ends up bound to it (to any driver, for "").
bool rebind(const pci::Bdf& bdf, const std::string& driver);
inline bool bind_vfio(const pci::Bdf& bdf) { return rebind(bdf, "vfio-pci"); }
inline bool bind_host(const pci::Bdf& bdf) { return rebind(bdf, ""); }

// Open file descriptors of this process (for leak checks).
int open_fd_count();

}  // namespace vfiokit::lab
