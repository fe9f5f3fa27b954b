// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/simulator/resources.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "vfiokit/host/rebar/bridge_window.hpp"

namespace vfiokit::host {

namespace {

constexpr size_t kRomLine = 6;

using Line = std::pair<pci::Bdf, size_t>;

bool is_memory(const Resource& r) { return (r.flags & kResourceMem) && r.size(); }
bool assigned_memory(const Resource& r) { return is_memory(r) && !(r.flags & kResourceUnset); }

uint64_t align_up(uint64_t v, uint64_t align) { return (v + align - 1) & ~(align - 1); }

// What occupies `region`: every assigned memory resource (BARs and bridge
// windows) that overlaps it, except `excluded` and the windows that hold the
// whole region (the region itself and the windows above it).
std::vector<Resource> occupants(const HostView& host, const Resource& region, const std::set<Line>& excluded) {
  std::vector<Resource> out;
  for (const auto& f : host.functions)
    for (size_t i = 0; i < f.resources.size(); ++i) {
      const Resource& r = f.resources[i];
      if (i == kRomLine || !assigned_memory(r) || excluded.count({f.bdf, i}) || !overlaps(r, region)) continue;
      const bool window = i >= own_resource_lines(f);
      if (window && contains(r, region)) continue;
      out.push_back(r);
    }
  return out;
}

std::optional<size_t> window_line_holding(const PciFunction& bridge, const Resource& range) {
  if (!bridge.is_bridge() || bridge.resources.size() < 11) return std::nullopt;
  for (size_t i = bridge.resources.size() - 4; i < bridge.resources.size(); ++i)
    if (assigned_memory(bridge.resources[i]) && contains(bridge.resources[i], range)) return i;
  return std::nullopt;
}

std::optional<Resource> aperture_holding(const std::vector<Resource>& apertures, const Resource& range) {
  for (const auto& a : apertures)
    if (contains(a, range)) return a;
  return std::nullopt;
}

// The apertures in the order the kernel tries them for `r`: a 64-bit
// prefetchable resource goes above 4 GiB first (pci_bus_alloc_resource()
// tries the 64-bit bus region before the rest), anything else below.
std::vector<Resource> apertures_for(std::vector<Resource> apertures, const Resource& r) {
  constexpr uint64_t kMem64 = 0x00100000, k4G = 1ull << 32;
  const bool high = (r.flags & kMem64) && (r.flags & kResourcePrefetch);
  std::stable_partition(apertures.begin(), apertures.end(),
                        [&](const Resource& a) { return high ? a.start >= k4G : a.end < k4G; });
  return apertures;
}

Error sim_errno(int err, const pci::Bdf& bdf, std::string message) {
  return Error::from_errno(err, bdf.str(), std::move(message));
}

}  // namespace

std::string resource_file_text(const std::vector<Resource>& resources) {
  std::string out;
  for (const auto& r : resources) out += fmt::format("0x{:016x} 0x{:016x} 0x{:016x}\n", r.start, r.end, r.flags);
  return out;
}

bool all_bars_assigned(const PciFunction& f) {
  for (size_t i = 0; i < own_resource_lines(f); ++i)
    if (i != kRomLine && is_memory(f.resources[i]) && (f.resources[i].flags & kResourceUnset)) return false;
  return true;
}

Result<std::vector<ResourceUpdate>> simulate_resize(const HostView& host, const pci::Bdf& bdf, unsigned bar,
                                                    uint64_t new_size, const std::vector<Resource>& apertures) {
  const PciFunction* f = host.function(bdf);
  if (!f || bar >= f->resources.size() || !assigned_memory(f->resources[bar]))
    return fail(sim_errno(EINVAL, bdf, fmt::format("BAR {} has no memory address to resize", bar)));
  const Resource old = f->resources[bar];
  const PciFunction* parent = f->parent ? host.function(*f->parent) : nullptr;

  // The function's BARs released with BAR `bar`: those in the same window.
  std::optional<Resource> first_region;
  if (parent) {
    if (auto line = window_line_holding(*parent, old)) first_region = parent->resources[*line];
    else return fail(sim_errno(EINVAL, bdf, "no bridge window holds the BAR"));
  }
  std::set<Line> excluded;
  struct Item {
    size_t line;
    uint64_t size;
    uint64_t start = 0;
  };
  std::vector<Item> items;
  for (size_t i = 0; i < own_resource_lines(*f) && i < 6; ++i) {
    const Resource& r = f->resources[i];
    if (!assigned_memory(r)) continue;
    const bool same =
        first_region ? contains(*first_region, r) : (r.flags & kResourcePrefetch) == (old.flags & kResourcePrefetch);
    if (!same) continue;
    excluded.insert({bdf, i});
    items.push_back({i, i == bar ? new_size : r.size()});
  }
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.size > b.size; });
  uint64_t packed = 0;
  for (auto& it : items) {
    it.start = align_up(packed, it.size);
    packed = it.start + it.size;
  }

  // Release the windows above that hold nothing else, toward the root.
  struct ChainWindow {
    pci::Bdf bridge;
    size_t line;
    uint64_t size = 0, align = 0, start = 0;
  };
  std::vector<ChainWindow> chain;
  Resource inner = old;
  const PciFunction* level = parent;
  std::optional<Resource> stop;
  while (level) {
    const auto line = window_line_holding(*level, inner);
    if (!line) return fail(sim_errno(EINVAL, bdf, fmt::format("no window of {} holds the resource", level->bdf.str())));
    const Resource window = level->resources[*line];
    if (!occupants(host, window, excluded).empty()) {
      stop = window;
      break;
    }
    excluded.insert({level->bdf, *line});
    chain.push_back({level->bdf, *line});
    inner = window;
    level = level->parent ? host.function(*level->parent) : nullptr;
  }
  if (parent && chain.empty())
    return fail(sim_errno(ENOENT, bdf, "no upstream bridge window could be released: other resources remain in it"));
  if (!stop) {
    stop = aperture_holding(apertures, inner);
    if (!stop) return fail(sim_errno(EINVAL, bdf, "no host bridge aperture holds the resource"));
  }
  std::vector<Resource> taken = occupants(host, *stop, excluded);

  std::vector<ResourceUpdate> updates;
  if (chain.empty()) {  // a root-bus function: each BAR finds its own place in the aperture
    for (auto& it : items) {
      auto at = free_aligned_gap(*stop, it.size, it.size, taken);
      if (!at) return fail(sim_errno(ENOSPC, bdf, "no room in the host bridge aperture"));
      it.start = *at;
      taken.push_back({*at, *at + it.size - 1, 0});
    }
  } else {
    // A released window is sized afresh for what is below it (the kernel
    // zeroes it before pbus_size_mem(), so its old size does not count).
    std::vector<SpaceNeed> below;
    for (const auto& it : items) below.push_back({it.size, it.size});
    for (auto& w : chain) {
      const SpaceNeed need = window_need(below);
      w.size = need.size;
      w.align = need.align;
      below = {need};
    }
    auto at = free_aligned_gap(*stop, chain.back().size, chain.back().align, taken);
    if (!at) return fail(sim_errno(ENOSPC, bdf, "no room for the grown bridge window in the window above it"));
    for (auto& w : chain) w.start = *at;  // each window starts its parent's (one child each)
    for (auto& it : items) it.start += *at;
    for (const auto& w : chain) {
      auto resources = host.function(w.bridge)->resources;
      resources[w.line].start = w.start;
      resources[w.line].end = w.start + w.size - 1;
      updates.push_back({w.bridge, std::move(resources)});
    }
  }
  auto resources = f->resources;
  for (const auto& it : items) {
    resources[it.line].start = it.start;
    resources[it.line].end = it.start + it.size - 1;
  }
  updates.push_back({bdf, std::move(resources)});
  return updates;
}

std::vector<Resource> place_windows(const HostView& host, const PciFunction& bridge,
                                    const std::vector<Resource>& apertures) {
  std::vector<Resource> out = bridge.resources;
  if (!bridge.is_bridge() || out.size() < 11) return out;
  const PciFunction* parent = bridge.parent ? host.function(*bridge.parent) : nullptr;
  for (size_t i = out.size() - 4; i < out.size(); ++i) {
    Resource& w = out[i];
    if (!(w.flags & kResourceMem)) continue;  // I/O windows stay where they are
    const bool prefetch = w.flags & kResourcePrefetch;
    const auto need = subtree_need(host, bridge.bdf, prefetch);
    if (!need) {  // nothing below needs it: the kernel leaves it disabled
      w = Resource{};
      continue;
    }
    std::vector<Resource> regions;
    if (parent) {
      for (const auto& pw : bridge_windows(*parent))
        if (assigned_memory(pw) && bool(pw.flags & kResourcePrefetch) == prefetch) regions.push_back(pw);
    } else {
      regions = apertures_for(apertures, w);
    }
    std::optional<uint64_t> at;
    for (const auto& region : regions)
      if ((at = free_aligned_gap(region, need->size, need->align, occupants_except(host, region, bridge.bdf)))) break;
    if (at) w = Resource{*at, *at + need->size - 1, w.flags & ~kResourceUnset};
    else w = Resource{0, need->size - 1, w.flags | kResourceUnset};
  }
  return out;
}

std::vector<Resource> released_resources(const PciFunction& f) {
  std::vector<Resource> out = f.resources;
  for (auto& r : out)
    if (is_memory(r)) {
      r = Resource{0, r.size() - 1, r.flags | kResourceUnset};
    }
  return out;
}

std::vector<Resource> place_returning(const HostView& host, const PciFunction& f,
                                      const std::vector<Resource>& apertures) {
  std::vector<Resource> out = f.resources;
  const PciFunction* parent = f.parent ? host.function(*f.parent) : nullptr;
  // Its own BARs move; a bridge's windows (placed before it) stay taken.
  std::set<Line> excluded;
  for (size_t i = 0; i < own_resource_lines(f); ++i) excluded.insert({f.bdf, i});
  std::vector<Resource> placed;
  for (size_t i = 0; i < own_resource_lines(f); ++i) {
    Resource& r = out[i];
    if (i == kRomLine || !is_memory(r)) continue;
    const uint64_t size = r.size();
    const bool prefetch = r.flags & kResourcePrefetch;
    std::vector<Resource> regions;
    if (parent) {
      for (const auto& w : bridge_windows(*parent))
        if (assigned_memory(w) && bool(w.flags & kResourcePrefetch) == prefetch) regions.push_back(w);
      if (prefetch)  // a prefetchable BAR may live in the non-prefetchable window
        for (const auto& w : bridge_windows(*parent))
          if (assigned_memory(w) && !(w.flags & kResourcePrefetch)) regions.push_back(w);
    } else {
      regions = apertures_for(apertures, r);
    }
    std::optional<uint64_t> at;
    for (const auto& region : regions) {
      auto taken = occupants(host, region, excluded);
      taken.insert(taken.end(), placed.begin(), placed.end());
      const bool was_assigned = !(r.flags & kResourceUnset);
      const auto clear = [&] {
        return std::none_of(taken.begin(), taken.end(), [&](const Resource& t) { return overlaps(t, r); });
      };
      if (was_assigned && contains(region, r) && clear()) at = r.start;
      else at = free_aligned_gap(region, size, size, taken);
      if (at) break;
    }
    if (at) {
      r.start = *at;
      r.end = *at + size - 1;
      r.flags &= ~kResourceUnset;
      placed.push_back(r);
    } else {
      r.start = 0;
      r.end = size - 1;
      r.flags |= kResourceUnset;
    }
  }
  return out;
}

}  // namespace vfiokit::host
