// SPDX-License-Identifier: Apache-2.0
// What would put a function in an IOMMU group of its own, said per cause:
// the device or bridges above it that do not isolate, and for each what can
// change that (a `pci=config_acs=` kernel parameter where the ACS
// capability exists but is not enabled; a different slot otherwise).
#pragma once

#include <string>
#include <vector>

#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit::host {

struct IsolationAdvice {
  std::vector<std::string> causes;      // one sentence each
  std::vector<std::string> config_acs;  // "xx111x1@0000:00:1c.0" entries
  // The whole parameter, "pci=config_acs=A;B", or "" when it would not help.
  std::string kernel_parameter() const;
};

IsolationAdvice isolation_advice(const HostView& view, const PciFunction& function);

// Other functions a secondary bus reset of `function`'s bus would also reset:
// everything else below the same upstream bridge.
std::vector<pci::Bdf> bus_reset_also_hits(const HostView& view, const PciFunction& function);

}  // namespace vfiokit::host
