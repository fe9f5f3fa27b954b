// SPDX-License-Identifier: Apache-2.0
// Predicting IOMMU groups the way Linux forms them for PCI devices
// (drivers/iommu/iommu.c pci_device_group(), drivers/pci/pci.c
// pci_acs_enabled() and pci_acs_path_enabled(), drivers/pci/search.c
// pci_for_each_dma_alias()), as a pure function of the topology and config
// spaces. Devices are processed in the order the kernel registers them, so
// group numbers come out as the kernel allocates them.
//
// Not modelled: the kernel's ACS and DMA-alias quirk tables, VMD domains and
// DMA alias masks. A prediction that differs from the kernel's groups is
// reported by the caller, never hidden.
#pragma once

#include <string>
#include <vector>

#include "vfiokit/base/sorted_vector_map.hpp"
#include "vfiokit/host/devices/pci_function.hpp"

namespace vfiokit::host {

// Both by address, with an entry for every function given.
struct GroupPrediction {
  SortedVectorMap<pci::Bdf, unsigned> group_of;
  // Why each function is in its group (one sentence per function).
  SortedVectorMap<pci::Bdf, std::string> reason;
};

GroupPrediction predict_iommu_groups(const std::vector<PciFunction>& functions);

// Whether the kernel treats `f` as isolating for the flags SV|RR|CR|UF
// (pci_acs_enabled without quirks), with the reason when it does not.
bool acs_isolates(const PciFunction& f, std::string* why = nullptr);

}  // namespace vfiokit::host
