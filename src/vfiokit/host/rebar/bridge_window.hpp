// SPDX-License-Identifier: Apache-2.0
// Where a BAR sits in the address space the kernel gave its bridge: the
// upstream bridge's window that holds it and every other resource in that
// window. A BAR cannot grow beyond its window while anything else is in it
// (the kernel releases a bridge window only when no child resource remains).
#pragma once

#include <optional>
#include <vector>

#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit::host {

// Lines of a function's `resource` that are its own BARs and ROM (not a
// bridge's windows).
size_t own_resource_lines(const PciFunction& function);
// A bridge's windows: the last four lines of `resource` (13..16 with
// CONFIG_PCI_IOV, 7..10 without).
std::vector<Resource> bridge_windows(const PciFunction& bridge);
bool overlaps(const Resource& a, const Resource& b);
bool contains(const Resource& outer, const Resource& inner);

// The lowest address in `region` aligned to `align` (a power of two) where
// `size` bytes overlap nothing in `taken`.
std::optional<uint64_t> free_aligned_gap(const Resource& region, uint64_t size, uint64_t align,
                                         std::vector<Resource> taken);

struct WindowNeighbour {
  pci::Bdf bdf;
  unsigned resource = 0;  // line of its `resource` file
  Resource range;
};

struct WindowOccupancy {
  pci::Bdf bridge;
  Resource window;
  std::vector<WindowNeighbour> neighbours;  // every other resource in the window
};

// The upstream bridge's window holding BAR `bar` of `function`; nullopt on a
// root bus or when the BAR is not assigned inside a window.
std::optional<WindowOccupancy> window_holding(const HostView& host, const PciFunction& function, unsigned bar);

// The functions directly below `bridge` that hold the neighbours (a
// neighbour behind a deeper bridge is represented by that bridge's function
// on `bridge`'s bus), without `except`, in address order.
std::vector<pci::Bdf> sharing_children(const HostView& host, const WindowOccupancy& window, const pci::Bdf& except);

// One bridge on the way from a BAR to the root bus: its window that holds
// the BAR (or the window below), the function directly below it on that way,
// and the other functions directly below it with resources in the window.
// The kernel releases a window for a resize only when nothing but the way
// down is left in it (pci_reassign_bridge_resources(), whose walk toward the
// root stops at the first window that still holds something else).
struct WindowLevel {
  pci::Bdf bridge;
  Resource window;
  pci::Bdf towards;
  std::vector<pci::Bdf> others;  // in address order
};

// From the BAR's own bridge up to the one on the root bus (a root port or a
// bridge there); empty on a root bus or when no window holds the BAR.
std::vector<WindowLevel> window_chain(const HostView& host, const PciFunction& function, unsigned bar);

// What occupies `region` other than what is below `except` (the bridge or
// function whose subtree is being moved): every assigned memory resource
// overlapping it that is not a window holding the whole region.
std::vector<Resource> occupants_except(const HostView& host, const Resource& region, const pci::Bdf& except);

// `root` and every function below it (a bridge's subtree), parents first.
std::vector<pci::Bdf> subtree_of(const HostView& host, const pci::Bdf& root);

}  // namespace vfiokit::host
