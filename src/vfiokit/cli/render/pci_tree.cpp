// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/render/pci_tree.hpp"

#include <fmt/format.h>

#include <map>

#include "vfiokit/cli/render/colour.hpp"

namespace vfiokit::cli {
namespace {

struct Tree {
  const host::HostView& view;
  host::PciNames& names;
  std::map<pci::Bdf, std::vector<const host::PciFunction*>> children;
  std::map<unsigned, bool> viable;  // by group number
};

std::optional<unsigned> group_of(const host::HostView& view, const host::PciFunction& f) {
  if (f.iommu_group) return f.iommu_group;
  auto it = view.predicted.group_of.find(f.bdf);
  return it == view.predicted.group_of.end() ? std::nullopt : std::optional<unsigned>(it->second);
}

void print_function(Tree& t, const host::PciFunction& f, const std::string& prefix, bool last) {
  fmt::print("{}{}{:02x}:{:02x}.{}  ", prefix, last ? "└─ " : "├─ ", f.bdf.bus(), f.bdf.device(), f.bdf.function());
  const auto group = group_of(t.view, f);
  const std::string mark = group ? fmt::format("[group {}]", *group) : "[no group]";
  if (group) print_coloured(stdout, t.viable[*group] ? Colour::good : Colour::bad, mark);
  else fmt::print("{}", mark);
  const std::string id = f.vendor_id && f.device_id ? fmt::format("{:04x}:{:04x}", *f.vendor_id, *f.device_id) : "?";
  const std::string name = f.vendor_id && f.device_id ? t.names.device(*f.vendor_id, *f.device_id) : "";
  std::string rest = fmt::format("{:{}}{}  {}{}{}", "", 11 - std::min<size_t>(mark.size(), 10), id,
                                 f.driver.empty() ? "" : f.driver + "  ", name, f.is_bridge() ? " (bridge)" : "");
  while (!rest.empty() && rest.back() == ' ') rest.pop_back();
  fmt::print("{}\n", rest);
  auto it = t.children.find(f.bdf);
  if (it == t.children.end()) return;
  const auto& kids = it->second;
  for (size_t i = 0; i < kids.size(); ++i)
    print_function(t, *kids[i], prefix + (last ? "   " : "│  "), i + 1 == kids.size());
}

}  // namespace

void print_pci_tree(const host::HostView& view, host::PciNames& names) {
  Tree t{view, names, {}, {}};
  std::map<std::pair<uint16_t, uint8_t>, std::vector<const host::PciFunction*>> roots;  // by domain and bus
  std::map<unsigned, host::IommuGroup> groups;
  for (const auto& f : view.functions) {
    if (f.parent) t.children[*f.parent].push_back(&f);
    else roots[{f.bdf.domain(), f.bdf.bus()}].push_back(&f);
    if (auto g = group_of(view, f))
      groups.try_emplace(*g, host::IommuGroup{*g, {}, {}, {}, {}}).first->second.devices.push_back(f.bdf);
  }
  for (const auto& [id, g] : groups) t.viable[id] = view.group_viable(g);
  for (const auto& [bus, functions] : roots) {
    fmt::print("{:04x}:{:02x}\n", bus.first, bus.second);
    for (size_t i = 0; i < functions.size(); ++i) print_function(t, *functions[i], "", i + 1 == functions.size());
  }
}

}  // namespace vfiokit::cli
