// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/rebar/bridge_window.hpp"

#include <algorithm>

#include "vfiokit/host/rebar/window_sizing.hpp"

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

namespace {

// Every resource in `window` of `bridge` but the window itself: BARs, and the
// windows of the bridges below.
WindowOccupancy window_holding_range(const HostView& host, const PciFunction& bridge, const Resource& window) {
  WindowOccupancy out{bridge.bdf, window, {}};
  for (const auto& f : host.functions) {
    if (f.bdf == bridge.bdf) continue;
    for (size_t i = 0; i < f.resources.size(); ++i) {
      const Resource& r = f.resources[i];
      if (r.size() && overlaps(r, window) && !(i >= own_resource_lines(f) && contains(r, window)))
        out.neighbours.push_back({f.bdf, unsigned(i), r});
    }
  }
  return out;
}

}  // namespace

std::optional<WindowOccupancy> window_holding(const HostView& host, const PciFunction& function, unsigned bar) {
  if (!function.parent || bar >= function.resources.size() || !function.resources[bar].size()) return std::nullopt;
  const PciFunction* bridge = host.function(*function.parent);
  if (!bridge) return std::nullopt;
  const Resource& assigned = function.resources[bar];
  std::optional<Resource> window;
  for (const auto& w : bridge_windows(*bridge))
    if (w.size() && contains(w, assigned)) window = w;
  if (!window) return std::nullopt;
  WindowOccupancy out;
  out.bridge = bridge->bdf;
  out.window = *window;
  for (auto& n : window_holding_range(host, *bridge, *window).neighbours)
    if (!(n.bdf == function.bdf && n.resource == bar) && n.resource < own_resource_lines(*host.function(n.bdf)))
      out.neighbours.push_back(std::move(n));
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

std::vector<WindowLevel> window_chain(const HostView& host, const PciFunction& function, unsigned bar) {
  std::vector<WindowLevel> out;
  if (bar >= function.resources.size() || !function.resources[bar].size()) return out;
  Resource inner = function.resources[bar];
  const PciFunction* below = &function;
  // Each step climbs one bus; a loop in a hostile tree ends at the guard.
  for (size_t guard = 0; below->parent && guard < 256; ++guard) {
    const PciFunction* bridge = host.function(*below->parent);
    if (!bridge) break;
    std::optional<Resource> window;
    for (const auto& w : bridge_windows(*bridge))
      if (w.size() && contains(w, inner)) window = w;
    if (!window) break;
    WindowLevel level{bridge->bdf, *window, below->bdf, {}};
    const auto occupancy = window_holding_range(host, *bridge, *window);
    for (const auto& n : occupancy.neighbours) {
      const PciFunction* f = host.function(n.bdf);
      for (size_t g = 0; f && f->parent && *f->parent != bridge->bdf && g < 256; ++g) f = host.function(*f->parent);
      if (!f || !f->parent || *f->parent != bridge->bdf || f->bdf == below->bdf) continue;
      if (std::find(level.others.begin(), level.others.end(), f->bdf) == level.others.end())
        level.others.push_back(f->bdf);
    }
    std::sort(level.others.begin(), level.others.end());
    out.push_back(std::move(level));
    inner = *window;
    below = bridge;
  }
  return out;
}

std::vector<Resource> occupants_except(const HostView& host, const Resource& region, const pci::Bdf& except) {
  const auto moving = subtree_of(host, except);
  std::vector<Resource> out;
  for (const auto& f : host.functions) {
    if (std::find(moving.begin(), moving.end(), f.bdf) != moving.end()) continue;
    const size_t own = own_resource_lines(f);
    for (size_t i = 0; i < f.resources.size(); ++i) {
      const Resource& r = f.resources[i];
      if (!r.size() || !(r.flags & kResourceMem) || (r.flags & kResourceUnset) || !overlaps(r, region)) continue;
      if (i >= own && contains(r, region)) continue;  // the region itself, or a window above it
      out.push_back(r);
    }
  }
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
