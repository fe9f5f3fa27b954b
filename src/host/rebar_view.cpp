#include "host/rebar_view.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "base/byte_size.hpp"
#include "host/sysfs_attr.hpp"

namespace vfiokit::host {

namespace {

bool overlaps(uint64_t a_start, uint64_t a_end, uint64_t b_start, uint64_t b_end) {
  return a_start <= b_end && b_start <= a_end;
}

// The lines of a bridge's `resource` that are its windows: the last four
// (13..16 with CONFIG_PCI_IOV, 7..10 without).
std::vector<Resource> bridge_windows(const PciFunction& bridge) {
  if (bridge.resources.size() < 11) return {};
  return {bridge.resources.end() - 4, bridge.resources.end()};
}

}  // namespace

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
  const PciFunction* bridge = function.parent ? host.function(*function.parent) : nullptr;
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
    if (bridge) {
      p.bridge = bridge->bdf;
      for (const auto& w : bridge_windows(*bridge))
        if (p.assigned && w.size() && p.assigned->start >= w.start && p.assigned->end <= w.end) p.window = w;
    }
    if (p.window) {
      for (const auto& f : host.functions) {
        if (f.is_bridge() && f.bdf == bridge->bdf) continue;
        const size_t lines = f.is_bridge() ? (f.resources.size() >= 4 ? f.resources.size() - 4 : 0) : f.resources.size();
        for (size_t i = 0; i < lines; ++i) {
          const Resource& r = f.resources[i];
          if (!r.size() || (f.bdf == function.bdf && i == entry.bar_index)) continue;
          if (overlaps(r.start, r.end, p.window->start, p.window->end)) p.neighbours.push_back({f.bdf, unsigned(i), r});
        }
      }
      // A larger size fits in place when some address aligned to it inside
      // the window overlaps nothing else there.
      for (unsigned enc : entry.supported_encodings()) {
        if (enc <= entry.current || enc > 43) continue;
        const uint64_t size = uint64_t(1) << (enc + 20);
        if (size == 0 || size > p.window->size()) continue;
        for (uint64_t at = (p.window->start + size - 1) & ~(size - 1); at >= p.window->start && at + (size - 1) <= p.window->end;
             at += size) {
          const bool clear = std::none_of(p.neighbours.begin(), p.neighbours.end(), [&](const WindowNeighbour& n) {
            return overlaps(at, at + size - 1, n.range.start, n.range.end);
          });
          if (clear) {
            p.fits_in_place.push_back(enc);
            break;
          }
          if (at + size < at) break;
        }
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace vfiokit::host
