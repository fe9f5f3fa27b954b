// SPDX-License-Identifier: Apache-2.0
// Guest-side helper for lab tests: the PCI functions of the running kernel
// with their IDs and upstream bridge, so tests find topology devices by IDs
// and placement, never by hard-coded addresses (firmware numbers buses
// differently).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "vfiokit/host/sysfs/root.hpp"
#include "vfiokit/pci/bdf.hpp"
#include "vfiokit/pci/device.hpp"

namespace vfiokit::lab {

struct GuestDevice {
  pci::Bdf bdf;
  uint16_t vendor = 0;
  uint16_t device = 0;
  std::optional<pci::Bdf> parent;  // the upstream bridge; none on a root bus
  uint16_t parent_vendor = 0;
  uint16_t parent_device = 0;
  bool virtual_function = false;  // it has a physfn link
  bool sriov = false;             // a VF, or a PF with SR-IOV (sriov_totalvfs)
};

std::vector<GuestDevice> guest_devices(const host::SysfsRoot& root);

// Functions with these IDs, optionally only below a bridge with these IDs.
std::vector<GuestDevice> find_devices(const std::vector<GuestDevice>& all, uint16_t vendor, uint16_t device,
                                      std::optional<std::pair<uint16_t, uint16_t>> parent = std::nullopt);

// The functions of `found` that are neither SR-IOV PFs nor VFs: "the nvme"
// of the topology, not its SR-IOV one.
std::vector<GuestDevice> without_sriov(std::vector<GuestDevice> found);

// Reads and decodes a function's config space; fails the calling test if
// it cannot be read in full (lab tests run as root).
pci::DecodedDevice decode_live(const host::SysfsRoot& root, const pci::Bdf& bdf);

}  // namespace vfiokit::lab
