// SPDX-License-Identifier: Apache-2.0
// The address-space half of the simulated kernel: how a resize re-sizes and
// re-places bridge windows, and where a rescanned function's BARs land.
// Memory resources only (I/O ports are left where they are), ROMs ignored.
#pragma once

#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/rebar/window_sizing.hpp"
#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit::host {

struct ResourceUpdate {
  pci::Bdf bdf;
  std::vector<Resource> resources;  // the whole new `resource` file
};

// pci_resize_resource() as the sysfs store runs it, for BAR `bar` of `bdf`
// growing or shrinking to `new_size`. ENOENT, ENOSPC or EINVAL errors change
// nothing (the kernel restores the old size).
Result<std::vector<ResourceUpdate>> simulate_resize(const HostView& host, const pci::Bdf& bdf, unsigned bar,
                                                    uint64_t new_size, const std::vector<Resource>& apertures);

// Where a function that just came back by rescan gets its memory BARs: where
// they were if that is still free inside the parent's window of the right
// kind, else the lowest free aligned gap there, else unassigned (start 0,
// end size-1, IORESOURCE_UNSET, as the kernel prints it).
std::vector<Resource> place_returning(const HostView& host, const PciFunction& function,
                                      const std::vector<Resource>& apertures);

// A bridge found again by a rescan with everything below it: each memory
// window sized for what is below (window_sizing.hpp) and placed in the
// lowest free aligned gap of its parent's window of the same kind (or the
// host bridge aperture); unassigned when there is no room, and disabled when
// nothing below needs it.
std::vector<Resource> place_windows(const HostView& host, const PciFunction& bridge,
                                    const std::vector<Resource>& apertures);

// The function's `resource` lines with every memory resource unassigned (a
// function found again below a bridge that is itself placed afresh).
std::vector<Resource> released_resources(const PciFunction& function);

// Whether every memory BAR has an address (a driver's pci_enable_device()
// fails otherwise).
bool all_bars_assigned(const PciFunction& function);

std::string resource_file_text(const std::vector<Resource>& resources);

}  // namespace vfiokit::host
