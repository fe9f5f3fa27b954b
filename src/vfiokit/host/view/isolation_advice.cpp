// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/view/isolation_advice.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace vfiokit::host {
namespace {

// The 7-character form pci=config_acs= takes (Linux drivers/pci/pci.c,
// __pci_config_acs): bit 6 (DT) first down to bit 0 (SV); '1' sets a flag,
// 'x' leaves it as it is.
std::string config_acs_mask(uint16_t set_bits) {
  std::string s;
  for (int bit = 6; bit >= 0; --bit) s += (set_bits >> bit) & 1 ? '1' : 'x';
  return s;
}

bool has_sibling_functions(const HostView& view, const PciFunction& f) {
  for (const auto& other : view.functions)
    if (other.bdf != f.bdf && other.bdf.domain() == f.bdf.domain() && other.bdf.bus() == f.bdf.bus() &&
        other.bdf.device() == f.bdf.device())
      return true;
  return false;
}

void advise_for(const HostView& view, const PciFunction& node, IsolationAdvice& out) {
  std::string why;
  if (acs_isolates(node, &why)) return;
  // An endpoint's own ACS matters only between the functions of its slot
  // (pci_acs_enabled on a multifunction device, drivers/pci/pci.c), and the
  // kernel groups those functions together wherever the slot is: no port
  // above can separate them. A lone endpoint owes its group to the
  // bridges above it, which get their own advice.
  if (!node.is_bridge()) {
    if (!has_sibling_functions(view, node)) return;
    const std::string cause = fmt::format(
        "the functions of {:04x}:{:02x}:{:02x} are one multifunction device without ACS between them: they share a "
        "group wherever the device sits; only an ACS capability on the device or a kernel ACS quirk for it would "
        "separate them",
        node.bdf.domain(), node.bdf.bus(), node.bdf.device());
    if (std::find(out.causes.begin(), out.causes.end(), cause) == out.causes.end()) out.causes.push_back(cause);
    return;
  }
  // Behind a PCIe-to-PCI bridge, the bridge's advice covers every device.
  if (node.parent)
    if (const PciFunction* up = view.function(*node.parent); up && up->config)
      if (const auto* ue = up->config->find<pci::PciExpress>(); ue && ue->type == pci::PcieType::pcie_to_pci_bridge)
        return;
  const pci::Acs* acs = node.config ? node.config->find<pci::Acs>() : nullptr;
  const pci::PciExpress* e = node.config ? node.config->find<pci::PciExpress>() : nullptr;
  if (acs && !acs->kernel_required_enabled()) {
    out.causes.push_back(
        fmt::format("{}; enabling them (firmware setting, or the kernel parameter below, "
                    "Linux 6.11 and later) would isolate what is below it",
                    why));
    out.config_acs.push_back(fmt::format("{}@{}", config_acs_mask(acs->missing_required()), node.bdf.str()));
  } else if (e && e->type == pci::PcieType::pcie_to_pci_bridge) {
    out.causes.push_back(
        fmt::format("{}: conventional PCI devices behind it always share its group; only moving "
                    "the device to a PCIe slot would separate it",
                    why));
  } else {
    out.causes.push_back(
        fmt::format("{}: a slot under a root or downstream port with ACS, or a kernel ACS quirk "
                    "for this device, would isolate it",
                    why));
  }
}

}  // namespace

std::string IsolationAdvice::kernel_parameter() const {
  if (config_acs.empty()) return "";
  std::string s = "pci=config_acs=";
  for (size_t i = 0; i < config_acs.size(); ++i) s += (i ? ";" : "") + config_acs[i];
  return s;
}

IsolationAdvice isolation_advice(const HostView& view, const PciFunction& function) {
  IsolationAdvice out;
  // The function itself matters only when it is a multifunction endpoint
  // sharing a slot; the bridges above it matter always.
  std::set<pci::Bdf> seen;
  const auto group_members = [&](const PciFunction& f) {
    std::vector<const PciFunction*> members;
    auto it = view.predicted.group_of.find(f.bdf);
    if (it == view.predicted.group_of.end()) return members;
    for (const auto& [bdf, id] : view.predicted.group_of)
      if (id == it->second)
        if (const PciFunction* m = view.function(bdf)) members.push_back(m);
    return members;
  };
  // Bridges in a group do not stop VFIO from using it: only other
  // endpoints make a group something to split.
  unsigned endpoints = 0;
  for (const PciFunction* m : group_members(function)) endpoints += m->is_bridge() ? 0 : 1;
  if (endpoints <= 1) return out;
  for (const PciFunction* m : group_members(function)) {
    for (const PciFunction* node = m; node; node = node->parent ? view.function(*node->parent) : nullptr) {
      if (!seen.insert(node->bdf).second) continue;
      advise_for(view, *node, out);
    }
  }
  return out;
}

std::vector<pci::Bdf> bus_reset_also_hits(const HostView& view, const PciFunction& function) {
  std::vector<pci::Bdf> out;
  if (!function.parent) return out;  // a root bus has no bridge to reset it
  // Everything whose chain of upstream bridges passes through the same bridge.
  for (const auto& f : view.functions) {
    if (f.bdf == function.bdf) continue;
    for (const PciFunction* up = &f; up && up->parent; up = view.function(*up->parent)) {
      if (*up->parent == *function.parent) {
        out.push_back(f.bdf);
        break;
      }
    }
  }
  return out;
}

}  // namespace vfiokit::host
