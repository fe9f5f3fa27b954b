// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/view/host_view.hpp"

#include <algorithm>

namespace vfiokit::host {

const PciFunction* HostView::function(const pci::Bdf& bdf) const {
  auto it = std::lower_bound(functions.begin(), functions.end(), bdf,
                             [](const PciFunction& f, const pci::Bdf& b) { return f.bdf < b; });
  return it != functions.end() && it->bdf == bdf ? &*it : nullptr;
}

bool HostView::group_viable(const IommuGroup& group) const {
  for (const auto& bdf : group.devices) {
    const PciFunction* f = function(bdf);
    if (f && keeps_group_from_vfio(*f)) return false;
  }
  return true;
}

bool HostView::keeps_group_from_vfio(const PciFunction& f) {
  return !f.is_bridge() && !f.driver.empty() && f.driver != "vfio-pci";
}

std::vector<std::string> HostView::problem_lines() const {
  std::vector<std::string> out;
  for (const auto& p : problems) out.push_back(p.describe());
  for (const auto& g : groups)
    for (const auto& p : g.problems) out.push_back(p.describe());
  for (const auto& f : functions)
    for (const auto& p : f.problems) out.push_back(f.bdf.str() + ": " + p.describe());
  return out;
}

HostView read_host(const SysfsRoot& root, Detail detail, Predict predict) {
  HostView v;
  v.functions = read_pci_functions(root, v.problems, detail);
  v.groups = read_iommu_groups(root, v.problems);
  if (predict == Predict::groups) v.predicted = predict_iommu_groups(v.functions);
  return v;
}

}  // namespace vfiokit::host
