#include "vfiokit/cli/render/group_graph.hpp"

#include <fmt/format.h>

#include <array>
#include <map>

#include "vfiokit/host/devices/pci_names.hpp"

namespace vfiokit::cli {
namespace {

constexpr std::array<const char*, 12> kColours = {"#cfe8fc", "#fde2c8", "#d6f5d6", "#f9d0e4", "#e6dcfa", "#fff3b0",
                                                  "#d0f0f0", "#f5d5c8", "#dfe8c8", "#e8e8e8", "#fcd9d9", "#d9e4fc"};

std::string node_id(const pci::Bdf& bdf) { return "\"" + bdf.str() + "\""; }

std::string escape(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
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
  std::string dot =
      "digraph pci {\n  rankdir=LR;\n  node [shape=box, style=filled, fontname=\"monospace\", fontsize=10];\n";
  dot += fmt::format("  label=\"{}\";\n",
                     view.has_iommu_groups() ? "IOMMU groups (kernel)" : "IOMMU groups (predicted: no IOMMU active)");
  size_t colour = 0;
  for (const auto& [id, members] : groups) {
    dot += fmt::format("  subgraph \"cluster_group_{}\" {{\n    label=\"group {}\"; style=filled; color=\"{}\";\n", id,
                       id == ~0u ? std::string("none") : std::to_string(id), kColours[colour++ % kColours.size()]);
    for (const auto* f : members) {
      std::string name = f->vendor_id && f->device_id ? names.device(*f->vendor_id, *f->device_id) : "";
      if (name.empty() && f->vendor_id && f->device_id)
        name = fmt::format("{:04x}:{:04x}", *f->vendor_id, *f->device_id);
      dot += fmt::format("    {} [label=\"{}\\n{}\\n{}\", fillcolor=\"{}\"];\n", node_id(f->bdf), f->bdf.str(),
                         escape(name), f->driver.empty() ? "no driver" : escape(f->driver),
                         f->is_bridge() ? "#ffffff" : "#f8f8f8");
    }
    dot += "  }\n";
  }
  for (const auto& f : view.functions)
    if (f.parent) dot += fmt::format("  {} -> {};\n", node_id(*f.parent), node_id(f.bdf));
  dot += "}\n";
  return dot;
}

}  // namespace vfiokit::cli
