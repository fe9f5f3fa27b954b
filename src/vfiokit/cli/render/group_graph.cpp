// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/render/group_graph.hpp"

#include <fmt/format.h>

#include <map>

#include "vfiokit/host/devices/pci_names.hpp"

namespace vfiokit::cli {
namespace {

// Viability is the one thing a reader looks for: green groups VFIO can use
// now, red ones it cannot, grey for functions in no group.
constexpr const char* kViableFill = "#d6f5d6";
constexpr const char* kBlockedFill = "#fcd9d9";
constexpr const char* kNoGroupFill = "#e8e8e8";
constexpr const char* kBridgeFill = "#ffffff";
constexpr const char* kEndpointFill = "#f8f8f8";

std::string node_id(const pci::Bdf& bdf) { return "\"" + bdf.str() + "\""; }

std::string escape(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string legend() {
  return fmt::format(
      "  subgraph cluster_legend {{\n"
      "    label=\"legend\"; style=solid; color=\"#888888\";\n"
      "    legend_viable [label=\"group VFIO can use now\", fillcolor=\"{}\"];\n"
      "    legend_blocked [label=\"group VFIO cannot use\\n(a member is on a host driver)\", fillcolor=\"{}\"];\n"
      "    legend_bridge [label=\"bridge (VFIO ignores it)\", fillcolor=\"{}\", style=\"filled,dashed\"];\n"
      "    legend_endpoint [label=\"endpoint\", fillcolor=\"{}\"];\n"
      "    legend_viable -> legend_blocked -> legend_bridge -> legend_endpoint [style=invis];\n"
      "  }}\n",
      kViableFill, kBlockedFill, kBridgeFill, kEndpointFill);
}

}  // namespace

std::string group_graph_dot(const host::HostView& view) {
  host::PciNames names;
  std::map<unsigned, std::vector<const host::PciFunction*>> groups;
  for (const auto& f : view.functions) {
    auto it = view.predicted.group_of.find(f.bdf);
    const auto group = f.iommu_group
                           ? f.iommu_group
                           : (it != view.predicted.group_of.end() ? std::optional<unsigned>(it->second) : std::nullopt);
    groups[group.value_or(~0u)].push_back(&f);
  }
  // Top to bottom: the root buses first, as people draw a PCI tree.
  std::string dot =
      "digraph pci {\n  rankdir=TB;\n  node [shape=box, style=filled, fontname=\"monospace\", fontsize=10];\n";
  dot += fmt::format("  labelloc=t;\n  label=\"{}\";\n",
                     view.has_iommu_groups() ? "IOMMU groups (kernel)" : "IOMMU groups (predicted: no IOMMU active)");
  for (const auto& [id, members] : groups) {
    host::IommuGroup group{id, {}, {}, {}, {}};
    for (const auto* f : members) group.devices.push_back(f->bdf);
    const bool grouped = id != ~0u;
    const bool viable = grouped && view.group_viable(group);
    dot += fmt::format("  subgraph \"cluster_group_{}\" {{\n    label=\"{}\"; style=filled; color=\"{}\";\n", id,
                       grouped ? fmt::format("group {}: {}", id, viable ? "viable" : "not viable") : "no group",
                       !grouped ? kNoGroupFill
                       : viable ? kViableFill
                                : kBlockedFill);
    for (const auto* f : members) {
      std::string name = f->vendor_id && f->device_id ? names.device(*f->vendor_id, *f->device_id) : "";
      if (name.empty() && f->vendor_id && f->device_id)
        name = fmt::format("{:04x}:{:04x}", *f->vendor_id, *f->device_id);
      dot +=
          fmt::format("    {} [label=\"{}\\n{}\\n{}\", fillcolor=\"{}\"{}];\n", node_id(f->bdf), f->bdf.str(),
                      escape(name), f->driver.empty() ? "no driver" : escape(f->driver),
                      f->is_bridge() ? kBridgeFill : kEndpointFill, f->is_bridge() ? ", style=\"filled,dashed\"" : "");
    }
    dot += "  }\n";
  }
  for (const auto& f : view.functions)
    if (f.parent) dot += fmt::format("  {} -> {};\n", node_id(*f.parent), node_id(f.bdf));
  dot += legend();
  dot += "}\n";
  return dot;
}

}  // namespace vfiokit::cli
