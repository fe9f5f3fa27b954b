// SPDX-License-Identifier: Apache-2.0
// What VFIO_DEVICE_GET_REGION_INFO reports for one region, with its whole
// capability chain decoded: sparse mmap areas, type/subtype, MSI-X mappable.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"

namespace vfiokit::vfio {

// vfio-pci's fixed region indexes (include/uapi/linux/vfio.h).
enum class PciRegion : uint32_t { bar0 = 0, bar1, bar2, bar3, bar4, bar5, rom, config, vga };
constexpr uint32_t kPciRegionCount = 9;

struct SparseArea {
  uint64_t offset = 0;  // from the start of the region
  uint64_t size = 0;
};

struct RegionInfo {
  uint32_t index = 0;
  uint32_t flags = 0;
  uint64_t size = 0;
  uint64_t offset = 0;  // into the device fd, for pread/pwrite/mmap
  // Present when the kernel limits mmap to these areas (for example around
  // an MSI-X table); an empty list then means nothing may be mapped.
  std::optional<std::vector<SparseArea>> sparse_areas;
  std::optional<std::pair<uint32_t, uint32_t>> type;  // (type, subtype) of device-specific regions
  bool msix_mappable = false;
  std::vector<uint16_t> other_caps;

  bool readable() const;
  bool writable() const;
  bool mmappable() const;
  bool implemented() const { return size != 0; }
  // The areas mmap may cover: the sparse areas, or the whole region.
  std::vector<SparseArea> mappable_areas() const;
};

// Decodes the kernel's reply (the struct and the chain after it). Sparse
// areas that run past the region are refused.
Result<RegionInfo> parse_region_info(std::span<const uint8_t> reply);

// "BAR0" .. "BAR5", "ROM", "CONFIG", "VGA", or "region N".
std::string region_name(uint32_t index);
std::string region_flag_names(uint32_t flags);

}  // namespace vfiokit::vfio
