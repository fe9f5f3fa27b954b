// SPDX-License-Identifier: Apache-2.0
// How much address space a bridge window needs for what is below it, as the
// PCI core sizes a window it has released or a bridge it has just found
// (pbus_size_mem(), drivers/pci/setup-bus.c). The kernel packs children with
// relaxed alignment rules that differ between releases (6.1 and 6.12 round
// the same children to different sizes); this model rounds the sum of the
// children up to the largest child's alignment, which is never smaller than
// what either release asks for. So a window this model says fits, fits; one
// it says does not may still fit the kernel's tighter packing, and the plan
// then removes more than the kernel strictly needs, never less.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit::host {

// Bridge memory windows are 1 MiB granular (PCI-to-PCI Bridge spec 3.2.5.8).
inline constexpr uint64_t kWindowGranule = 1ull << 20;

struct SpaceNeed {
  uint64_t size = 0;
  uint64_t align = 0;  // a power of two
  bool operator==(const SpaceNeed&) const = default;
};

// A window holding `children` (BARs: size = alignment; windows: their need).
SpaceNeed window_need(const std::vector<SpaceNeed>& children);

// A BAR counted at a size other than its present one (the size a resize
// writes).
struct BarAtSize {
  pci::Bdf bdf;
  unsigned bar = 0;
  uint64_t size = 0;
};

// The need of `bridge`'s prefetchable (or non-prefetchable) memory window
// for every function below it, with `changed` counted at its new size.
// Functions in `absent` (each with everything below it) are not counted:
// they have been removed. nullopt when nothing below needs such a window.
std::optional<SpaceNeed> subtree_need(const HostView& host, const pci::Bdf& bridge, bool prefetch,
                                      const std::optional<BarAtSize>& changed = std::nullopt,
                                      const std::vector<pci::Bdf>& absent = {});

}  // namespace vfiokit::host
