// SPDX-License-Identifier: Apache-2.0
// Everything the read-only commands show of a host: its PCI functions, the
// kernel's IOMMU groups, and vfiokit's prediction of them.
#pragma once

#include <vector>

#include "vfiokit/host/devices/pci_function.hpp"
#include "vfiokit/host/iommu/group_prediction.hpp"
#include "vfiokit/host/iommu/groups.hpp"

namespace vfiokit::host {

struct HostView {
  std::vector<PciFunction> functions;
  std::vector<IommuGroup> groups;  // empty without an IOMMU
  GroupPrediction predicted;
  std::vector<Error> problems;  // problems not tied to one function

  bool has_iommu_groups() const { return !groups.empty(); }
  const PciFunction* function(const pci::Bdf& bdf) const;
  // VFIO can use a group when every member that is not a bridge is bound to
  // vfio-pci or to no driver (bridges do not count: vfio ignores them).
  bool group_viable(const IommuGroup& group) const;
  // What makes a group not viable: `f` is no bridge and bound to a host driver.
  static bool keeps_group_from_vfio(const PciFunction& f);
  // Every problem of the host and of each function, one line each.
  std::vector<std::string> problem_lines() const;
};

// Whether read_host predicts the groups: `list` shows only the kernel's.
enum class Predict { groups, nothing };

HostView read_host(const SysfsRoot& root, Detail detail = Detail::full, Predict predict = Predict::groups);

}  // namespace vfiokit::host
