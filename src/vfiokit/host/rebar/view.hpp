// SPDX-License-Identifier: Apache-2.0
// What the host says about a function's Resizable BARs, next to what its
// config space says: the sizes `resourceN_resize` reports (which must agree
// with the capability, within what Linux can report), where the BAR sits,
// the upstream bridge window holding it and what else is in that window,
// and which larger sizes would fit there without moving anything else.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vfiokit/host/rebar/bridge_window.hpp"
#include "vfiokit/host/view/host_view.hpp"
#include "vfiokit/pci/caps/resizable_bar.hpp"

namespace vfiokit::host {

struct RebarPlacement {
  unsigned bar = 0;
  pci::RebarEntry entry;                  // from config space
  std::optional<uint64_t> resize_bitmap;  // resourceN_resize: bit k = 2^(k+20) bytes
  std::optional<std::string> disagreement;
  std::optional<Resource> assigned;  // the BAR's line of `resource`
  std::optional<pci::Bdf> bridge;    // the upstream bridge
  std::optional<Resource> window;    // its window that holds the BAR
  std::vector<WindowNeighbour> neighbours;
  std::vector<unsigned> fits_in_place;  // larger supported encodings that fit now
};

// The function's resizable BARs (PF ReBAR only: VF BARs are resized with
// the VFs disabled, through the PF's SR-IOV capability).
std::vector<RebarPlacement> rebar_placements(const SysfsRoot& root, const HostView& host, const PciFunction& function);

// Linux reports the Capability register's sizes only: up to 512 GiB before
// 6.15, up to 128 TiB since; extended sizes (Control bits 31:16) never.
std::optional<std::string> compare_resize_bitmap(uint64_t config_supported, uint64_t sysfs_bitmap);

}  // namespace vfiokit::host
