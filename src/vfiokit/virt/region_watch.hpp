// SPDX-License-Identifier: Apache-2.0
// Region refresh, the companion the kernel never merged: a region can change
// under a running user (the host resized a BAR, a device-specific event).
// RegionWatch keeps what VFIO last reported for each region, asks again on
// demand, reports what changed (size, flags, sparse areas, mmap-ability),
// re-maps the regions the device had mapped, and tells subscribers (a
// VirtualConfig updates its BAR and ReBAR view from it).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/vfio/device.hpp"

namespace vfiokit::virt {

struct RegionChange {
  uint32_t index = 0;
  vfio::RegionInfo before, after;
  std::vector<std::string> what;  // "size 256MiB -> 1GiB", "mmap no longer allowed", ...
  bool remapped = false;
};

// The differences between two reports of one region, one phrase each.
std::vector<std::string> region_differences(const vfio::RegionInfo& before, const vfio::RegionInfo& after);

class RegionWatch {
 public:
  // Records every region's current info.
  static Result<RegionWatch> start(vfio::Device& device);

  // Asks VFIO again; for each region that changed, re-maps it if it was
  // mapped and notifies the subscribers. Returns the changes.
  Result<std::vector<RegionChange>> refresh();
  void subscribe(std::function<void(const RegionChange&)> callback) { subscribers_.push_back(std::move(callback)); }

  const vfio::RegionInfo& last(uint32_t index) const { return known_.at(index); }
  // Replaces what is known of a region, as if VFIO had said it: the next
  // refresh compares against it (used to exercise the change path when the
  // kernel offers no way to change a region).
  void assume(uint32_t index, vfio::RegionInfo info) { known_[index] = std::move(info); }

 private:
  explicit RegionWatch(vfio::Device& device) : device_(&device) {}
  vfio::Device* device_;
  std::map<uint32_t, vfio::RegionInfo> known_;
  std::vector<std::function<void(const RegionChange&)>> subscribers_;
};

}  // namespace vfiokit::virt
