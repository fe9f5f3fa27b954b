// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/virt/region_watch.hpp"

#include <fmt/format.h>

#include "vfiokit/base/byte_size.hpp"

namespace vfiokit::virt {

std::vector<std::string> region_differences(const vfio::RegionInfo& before, const vfio::RegionInfo& after) {
  std::vector<std::string> what;
  if (before.size != after.size)
    what.push_back(fmt::format("size {} -> {}", ByteSize(before.size).str(), ByteSize(after.size).str()));
  if (before.flags != after.flags)
    what.push_back(
        fmt::format("flags {} -> {}", vfio::region_flag_names(before.flags), vfio::region_flag_names(after.flags)));
  if (before.offset != after.offset)
    what.push_back(fmt::format("fd offset 0x{:x} -> 0x{:x}", before.offset, after.offset));
  auto areas = [](const vfio::RegionInfo& r) {
    std::string s;
    for (const auto& a : r.mappable_areas())
      s += fmt::format("{}0x{:x}+0x{:x}", s.empty() ? "" : " ", a.offset, a.size);
    return s.empty() ? std::string("none") : s;
  };
  if (areas(before) != areas(after))
    what.push_back(fmt::format("mappable areas {} -> {}", areas(before), areas(after)));
  if (before.type != after.type) what.push_back("region type changed");
  return what;
}

Result<RegionWatch> RegionWatch::start(vfio::Device& device) {
  RegionWatch w(device);
  auto regions = device.regions();
  if (!regions) return fail(regions.error());
  for (auto& r : *regions) w.known_[r.index] = r;
  return w;
}

Result<std::vector<RegionChange>> RegionWatch::refresh() {
  std::vector<RegionChange> changes;
  auto regions = device_->regions();
  if (!regions) return fail(regions.error());
  for (auto& now : *regions) {
    auto it = known_.find(now.index);
    if (it == known_.end()) {
      known_[now.index] = now;
      continue;
    }
    RegionChange c{now.index, it->second, now, region_differences(it->second, now), false};
    if (c.what.empty()) continue;
    // A mapping of the old layout must not outlive it.
    if (device_->region_mapped(now.index)) {
      device_->unmap_region(now.index);
      if (now.implemented() && now.mmappable()) {
        auto mapped = device_->map_region(now.index);
        if (!mapped) return fail(mapped.error());
        c.remapped = true;
      }
    }
    it->second = now;
    for (const auto& s : subscribers_) s(c);
    changes.push_back(std::move(c));
  }
  return changes;
}

}  // namespace vfiokit::virt
