// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over the replies vfiokit decodes from the VFIO uAPI:
// region info with its capability chain (sparse mmap, type, MSI-X
// mappable), hot-reset info, and a generic INFO capability walk. The kernel
// writes these, but a broken or hostile reply must still be an error, never
// a crash or an endless walk.
#include <cstddef>
#include <cstdint>
#include <span>

#include "vfiokit/vfio/hot_reset.hpp"
#include "vfiokit/vfio/internal/info_chain.hpp"
#include "vfiokit/vfio/region_info.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  if (auto region = vfiokit::vfio::parse_region_info(bytes)) {
    uint64_t total = 0;
    for (const auto& area : region->mappable_areas()) total += area.size;
    (void)total;
  }
  (void)vfiokit::vfio::parse_hot_reset_info(bytes);
  if (size >= 4) {
    uint32_t first = 0;
    for (int i = 0; i < 4; ++i) first |= uint32_t(data[i]) << (8 * i);
    if (auto caps = vfiokit::vfio::walk_info_chain(bytes, first % 4096, 8, "fuzz"))
      for (const auto& cap : *caps) (void)vfiokit::vfio::cap_field<uint64_t>(cap, 8);
  }
  return 0;
}
