// SPDX-License-Identifier: Apache-2.0
// The PCI tree as a Graphviz picture: functions as boxes in their bus
// hierarchy, each IOMMU group a coloured cluster.
#pragma once

#include <string>

#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit::cli {

std::string group_graph_dot(const host::HostView& view);

}  // namespace vfiokit::cli
