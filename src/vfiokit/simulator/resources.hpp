// The address-space half of the simulated kernel: how a resize re-sizes and
// re-places bridge windows, and where a rescanned function's BARs land.
// Memory resources only (I/O ports are left where they are), ROMs ignored.
#pragma once

#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit::host {

inline constexpr uint64_t kResourceIo = 0x100, kResourceMem = 0x200, kResourcePrefetch = 0x2000,
                          kResourceUnset = 0x20000000;

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

// Whether every memory BAR has an address (a driver's pci_enable_device()
// fails otherwise).
bool all_bars_assigned(const PciFunction& function);

std::string resource_file_text(const std::vector<Resource>& resources);

}  // namespace vfiokit::host
