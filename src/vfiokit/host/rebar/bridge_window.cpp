#include "vfiokit/host/rebar/bridge_window.hpp"

#include <algorithm>

namespace vfiokit::host {

size_t own_resource_lines(const PciFunction& f) {
  if (!f.is_bridge()) return f.resources.size();
  return f.resources.size() >= 4 ? f.resources.size() - 4 : 0;
}

std::vector<Resource> bridge_windows(const PciFunction& bridge) {
  if (bridge.resources.size() < 11) return {};
  return {bridge.resources.end() - 4, bridge.resources.end()};
}

bool overlaps(const Resource& a, const Resource& b) { return a.start <= b.end && b.start <= a.end; }
bool contains(const Resource& outer, const Resource& inner) {
  return inner.start >= outer.start && inner.end <= outer.end;
}

std::optional<uint64_t> free_aligned_gap(const Resource& region, uint64_t size, uint64_t align,
                                         std::vector<Resource> taken) {
  if (size == 0 || align == 0 || (align & (align - 1))) return std::nullopt;
  const auto align_up = [&](uint64_t v) -> std::optional<uint64_t> {
    const uint64_t up = (v + align - 1) & ~(align - 1);
    return up < v ? std::nullopt : std::optional<uint64_t>(up);
  };
  // Move past whatever overlaps the candidate until nothing does; the
  // candidate only moves up, so this ends.
  for (auto at = align_up(region.start);;) {
    if (!at || *at > region.end || region.end - *at < size - 1) return std::nullopt;
    const Resource candidate{*at, *at + size - 1, 0};
    const auto hit =
        std::find_if(taken.begin(), taken.end(), [&](const Resource& t) { return overlaps(candidate, t); });
    if (hit == taken.end()) return at;
    if (hit->end == UINT64_MAX) return std::nullopt;
    at = align_up(hit->end + 1);
  }
}

std::optional<WindowOccupancy> window_holding(const HostView& host, const PciFunction& function, unsigned bar) {
  if (!function.parent || bar >= function.resources.size() || !function.resources[bar].size()) return std::nullopt;
  const PciFunction* bridge = host.function(*function.parent);
  if (!bridge) return std::nullopt;
  const Resource& assigned = function.resources[bar];
  std::optional<WindowOccupancy> out;
  for (const auto& w : bridge_windows(*bridge))
    if (w.size() && contains(w, assigned)) out = WindowOccupancy{bridge->bdf, w, {}};
  if (!out) return std::nullopt;
  for (const auto& f : host.functions) {
    if (f.bdf == bridge->bdf) continue;
    for (size_t i = 0; i < own_resource_lines(f); ++i) {
      const Resource& r = f.resources[i];
      if (!r.size() || (f.bdf == function.bdf && i == bar)) continue;
      if (overlaps(r, out->window)) out->neighbours.push_back({f.bdf, unsigned(i), r});
    }
  }
  return out;
}

std::vector<pci::Bdf> sharing_children(const HostView& host, const WindowOccupancy& window, const pci::Bdf& except) {
  std::vector<pci::Bdf> out;
  for (const auto& n : window.neighbours) {
    // Climb to the ancestor that sits directly on the bridge's bus.
    const PciFunction* f = host.function(n.bdf);
    for (size_t guard = 0; f && f->parent && *f->parent != window.bridge && guard < 256; ++guard)
      f = host.function(*f->parent);
    if (!f || !f->parent || *f->parent != window.bridge || f->bdf == except) continue;
    if (std::find(out.begin(), out.end(), f->bdf) == out.end()) out.push_back(f->bdf);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<pci::Bdf> subtree_of(const HostView& host, const pci::Bdf& root) {
  std::vector<pci::Bdf> out{root};
  // Functions are few; repeat until no new child is found (parents first).
  for (size_t i = 0; i < out.size(); ++i)
    for (const auto& f : host.functions)
      if (f.parent && *f.parent == out[i] && std::find(out.begin(), out.end(), f.bdf) == out.end())
        out.push_back(f.bdf);
  return out;
}

}  // namespace vfiokit::host
