// SPDX-License-Identifier: Apache-2.0
// The IOMMU groups the running kernel formed (/sys/kernel/iommu_groups):
// members, default-domain type and reserved regions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/sysfs/root.hpp"
#include "vfiokit/pci/bdf.hpp"

namespace vfiokit::host {

struct ReservedRegion {
  uint64_t start = 0;
  uint64_t end = 0;  // inclusive
  std::string type;  // direct, direct-relaxable, reserved, msi
};

struct IommuGroup {
  unsigned id = 0;
  std::vector<pci::Bdf> devices;    // PCI members; other members are ignored
  std::optional<std::string> type;  // DMA, DMA-FQ, identity, blocked, unmanaged
  std::vector<ReservedRegion> reserved_regions;
  std::vector<Error> problems;
};

// One group (ROOT/kernel/iommu_groups/ID); not_found when it does not exist.
Result<IommuGroup> read_iommu_group(const SysfsRoot& root, unsigned id);

// Empty when the kernel has no IOMMU groups (no IOMMU, or it is off).
std::vector<IommuGroup> read_iommu_groups(const SysfsRoot& root, std::vector<Error>& problems);

}  // namespace vfiokit::host
