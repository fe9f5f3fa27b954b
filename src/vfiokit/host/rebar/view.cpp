// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/rebar/view.hpp"

#include <fmt/format.h>

#include "vfiokit/base/byte_size.hpp"
#include "vfiokit/host/rebar/bridge_window.hpp"
#include "vfiokit/host/sysfs/attr.hpp"

namespace vfiokit::host {

std::optional<std::string> compare_resize_bitmap(uint64_t config_supported, uint64_t sysfs_bitmap) {
  const uint64_t upto_128t = config_supported & ((1ull << 28) - 1);
  const uint64_t upto_512g = config_supported & ((1ull << 20) - 1);
  if (sysfs_bitmap == upto_128t || sysfs_bitmap == upto_512g) return std::nullopt;
  return fmt::format("resourceN_resize reports 0x{:x} but the capability advertises 0x{:x}", sysfs_bitmap, upto_128t);
}

std::vector<RebarPlacement> rebar_placements(const SysfsRoot& root, const HostView& host, const PciFunction& function) {
  std::vector<RebarPlacement> out;
  if (!function.config) return out;
  const auto* rebar = [&]() -> const pci::ResizableBar* {
    for (const auto& cap : function.config->capabilities)
      if (const auto* r = std::get_if<pci::ResizableBar>(&cap.body); r && !r->for_vfs) return r;
    return nullptr;
  }();
  if (!rebar) return out;
  for (const auto& entry : rebar->entries) {
    RebarPlacement p;
    p.bar = entry.bar_index;
    p.entry = entry;
    const auto file = root.device_dir(function.bdf) / fmt::format("resource{}_resize", entry.bar_index);
    if (auto bitmap = read_hex_attr(file, UINT64_MAX); bitmap && *bitmap) {
      p.resize_bitmap = **bitmap;
      p.disagreement = compare_resize_bitmap(entry.supported, **bitmap);
    }
    if (entry.bar_index < function.resources.size() && function.resources[entry.bar_index].size())
      p.assigned = function.resources[entry.bar_index];
    p.bridge = function.parent;
    if (auto occupancy = window_holding(host, function, entry.bar_index)) {
      p.window = occupancy->window;
      p.neighbours = std::move(occupancy->neighbours);
      // A larger size fits in place when some address aligned to it inside
      // the window overlaps nothing else there.
      for (unsigned enc : entry.supported_encodings()) {
        if (enc <= entry.current || enc > 43) continue;
        const uint64_t size = uint64_t(1) << (enc + 20);
        if (size == 0 || size > p.window->size()) continue;
        std::vector<Resource> taken;
        for (const auto& n : p.neighbours) taken.push_back(n.range);
        if (free_aligned_gap(*p.window, size, size, std::move(taken))) p.fits_in_place.push_back(enc);
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace vfiokit::host
