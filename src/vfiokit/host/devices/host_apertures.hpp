// SPDX-License-Identifier: Apache-2.0
// The host bridge apertures: the address ranges each root bus decodes, where
// the kernel places a root port's window when it grows one. sysfs does not
// show them; /proc/iomem does, as its top-level "PCI Bus DDDD:BB" entries
// (addresses read as zero without CAP_SYS_ADMIN). A snapshot keeps those
// lines in a file `iomem` beside its `sys/`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vfiokit/host/devices/pci_function.hpp"
#include "vfiokit/host/sysfs/root.hpp"

namespace vfiokit::host {

// The top-level "PCI Bus" lines of /proc/iomem, as text (what a snapshot keeps).
std::string pci_aperture_lines(std::string_view iomem);

// The memory apertures those lines name; entries read as zero are left out.
std::vector<Resource> parse_host_apertures(std::string_view iomem);

// /proc/iomem for the live /sys; the `iomem` beside a snapshot's `sys/`;
// nullopt when there is none.
Result<std::optional<std::string>> read_iomem(const SysfsRoot& root);

// The apertures in read_iomem(); empty when there is none, or it shows no
// addresses.
Result<std::vector<Resource>> read_host_apertures(const SysfsRoot& root);

}  // namespace vfiokit::host
