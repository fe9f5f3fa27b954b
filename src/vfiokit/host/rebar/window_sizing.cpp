// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/rebar/window_sizing.hpp"

#include <algorithm>

#include "vfiokit/host/rebar/bridge_window.hpp"

namespace vfiokit::host {

namespace {

constexpr size_t kRomLine = 6;
constexpr unsigned kMaxDepth = 32;  // PCI buses nest at most 255 deep; real hosts a handful

uint64_t align_up(uint64_t v, uint64_t align) { return (v + align - 1) & ~(align - 1); }

uint64_t power_of_two_at_least(uint64_t v) {
  uint64_t p = 1;
  while (p < v && p < (1ull << 63)) p <<= 1;
  return p;
}

bool is_absent(const HostView& host, const PciFunction& f, const std::vector<pci::Bdf>& absent) {
  const PciFunction* at = &f;
  for (unsigned depth = 0; at && depth < kMaxDepth; ++depth) {
    if (std::find(absent.begin(), absent.end(), at->bdf) != absent.end()) return true;
    at = at->parent ? host.function(*at->parent) : nullptr;
  }
  return false;
}

std::optional<SpaceNeed> need_below(const HostView& host, const pci::Bdf& bridge, bool prefetch,
                                    const std::optional<BarAtSize>& changed, const std::vector<pci::Bdf>& absent,
                                    unsigned depth) {
  if (depth > kMaxDepth) return std::nullopt;
  std::vector<SpaceNeed> children;
  for (const auto& f : host.functions) {
    if (!f.parent || *f.parent != bridge || is_absent(host, f, absent)) continue;
    for (size_t i = 0; i < own_resource_lines(f) && i < 6; ++i) {
      const Resource& r = f.resources[i];
      if (i == kRomLine || !(r.flags & kResourceMem) || !r.size()) continue;
      if (bool(r.flags & kResourcePrefetch) != prefetch) continue;
      uint64_t size = r.size();
      if (changed && changed->bdf == f.bdf && changed->bar == i) size = changed->size;
      const uint64_t p = power_of_two_at_least(size);
      children.push_back({p, p});
    }
    if (f.is_bridge())
      if (auto below = need_below(host, f.bdf, prefetch, changed, absent, depth + 1)) children.push_back(*below);
  }
  if (children.empty()) return std::nullopt;
  return window_need(children);
}

}  // namespace

SpaceNeed window_need(const std::vector<SpaceNeed>& children) {
  uint64_t sum = 0, align = kWindowGranule;
  for (const auto& c : children) {
    sum += align_up(c.size, kWindowGranule);
    align = std::max(align, c.align);
  }
  return {align_up(std::max(sum, kWindowGranule), align), align};
}

std::optional<SpaceNeed> subtree_need(const HostView& host, const pci::Bdf& bridge, bool prefetch,
                                      const std::optional<BarAtSize>& changed, const std::vector<pci::Bdf>& absent) {
  return need_below(host, bridge, prefetch, changed, absent, 0);
}

}  // namespace vfiokit::host
