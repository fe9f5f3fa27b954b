// SPDX-License-Identifier: Apache-2.0
// `groups --tree`: the PCI hierarchy drawn in text, as `lspci -t` draws it,
// with each function's IOMMU group beside it, so a reader sees which bridge
// shapes which group.
#pragma once

#include "vfiokit/host/devices/pci_names.hpp"
#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit::cli {

// Prints the tree to stdout; groups VFIO can use in green and the others in
// red when stdout is a terminal (render/colour.hpp).
void print_pci_tree(const host::HostView& view, host::PciNames& names);

}  // namespace vfiokit::cli
