// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/iommu/group_prediction.hpp"

#include <fmt/format.h>

#include <bitset>
#include <functional>
#include <optional>
#include <tuple>
#include <unordered_map>

namespace vfiokit::host {
namespace {

using pci::Bdf;
using pci::PcieType;

// pci_dev->multifunction: the Header Type bit of the function, and also set
// by pci_scan_slot() (drivers/pci/probe.c) on every function other than 0 it
// finds, whatever that function's own bit says.
// Virtual functions are created by the SR-IOV code, not scanned, and are
// never multifunction (drivers/pci/iov.c).
bool kernel_multifunction(const PciFunction& f) {
  if (f.virtual_function) return false;
  return f.bdf.function() > 0 || (f.config && f.config->header.multifunction);
}

const pci::PciExpress* express_of(const PciFunction& f) {
  return f.config ? f.config->find<pci::PciExpress>() : nullptr;
}

std::string missing_names(uint16_t bits) {
  std::string out;
  for (const auto& [bit, name] : pci::acs::kFlagNames)
    if (bits & bit) out += (out.empty() ? "" : " ") + std::string(name);
  return out;
}

// pci_acs_flags_enabled(dev, SV|RR|CR|UF).
bool flags_enabled(const PciFunction& f, std::string* why) {
  const pci::Acs* acs = f.config ? f.config->find<pci::Acs>() : nullptr;
  if (!acs) {
    if (why) *why = fmt::format("{} has no ACS capability", f.bdf.str());
    return false;
  }
  if (!acs->kernel_required_enabled()) {
    if (why) *why = fmt::format("{} has ACS but not enabled: {}", f.bdf.str(), missing_names(acs->missing_required()));
    return false;
  }
  return true;
}

struct Topology {
  std::map<Bdf, const PciFunction*> by_bdf;
  std::vector<const PciFunction*> probe_order;
  // Functions below each bridge, and the functions of each slot, in
  // address order: both are asked for once per function.
  std::map<Bdf, std::vector<const PciFunction*>> children;
  std::map<std::tuple<std::optional<Bdf>, uint16_t, uint8_t, uint8_t>, std::vector<const PciFunction*>> slots;

  const PciFunction* parent(const PciFunction& f) const {
    if (!f.parent) return nullptr;
    auto it = by_bdf.find(*f.parent);
    return it == by_bdf.end() ? nullptr : it->second;
  }
  bool on_root_bus(const PciFunction& f) const { return parent(f) == nullptr; }
};

// pci_bus_add_devices(): every function of a bus in devfn order, then each
// bridge's secondary bus in the same order, depth first.
void add_in_probe_order(Topology& t, const std::vector<const PciFunction*>& bus) {
  for (const auto* f : bus) t.probe_order.push_back(f);
  for (const auto* f : bus)
    if (auto it = t.children.find(f->bdf); it != t.children.end()) add_in_probe_order(t, it->second);
}

class Grouper {
 public:
  explicit Grouper(const Topology& t) : t_(t) {}

  GroupPrediction run() {
    for (const auto* f : t_.probe_order) group(*f);
    return std::move(out_);
  }

 private:
  // pci_for_each_dma_alias without alias masks or VMD: the function itself,
  // then each upstream bridge that takes over the requester ID.
  std::vector<std::pair<const PciFunction*, std::string>> dma_aliases(const PciFunction& d) const {
    std::vector<std::pair<const PciFunction*, std::string>> out{{&d, ""}};
    for (const PciFunction* b = t_.parent(d); b; b = t_.parent(*b)) {
      const pci::PciExpress* e = express_of(*b);
      if (e && (e->type == PcieType::root_port || e->type == PcieType::upstream_port ||
                e->type == PcieType::downstream_port))
        continue;
      const std::string kind = !e                                        ? "a conventional PCI bridge"
                               : e->type == PcieType::pcie_to_pci_bridge ? "a PCIe-to-PCI bridge"
                                                                         : "a PCI-to-PCIe bridge";
      out.push_back({b, fmt::format("{} is {}: it forwards DMA from {} with its own requester ID", b->bdf.str(), kind,
                                    d.bdf.str())});
    }
    return out;
  }

  // pci_acs_path_enabled() from `start` to the root: the same for every
  // function below a bridge, so it is worked out once per bridge (a switch
  // with thousands of VFs below it asks it thousands of times).
  bool acs_path_enabled(const PciFunction& start, std::string* why) {
    auto [it, fresh] = acs_paths_.try_emplace(&start);
    if (fresh) {
      it->second.first = true;
      for (const PciFunction* d = &start; d; d = t_.parent(*d))
        if (!acs_isolates(*d, &it->second.second)) {
          it->second.first = false;
          break;
        }
    }
    if (why) *why = it->second.second;
    return it->second.first;
  }

  std::optional<unsigned> existing(const PciFunction& f) const {
    auto it = out_.group_of.find(f.bdf);
    return it == out_.group_of.end() ? std::nullopt : std::optional<unsigned>(it->second);
  }

  std::optional<unsigned> alias_group(const PciFunction& p) {
    if (visited_.test(p.bdf.devfn())) return std::nullopt;
    visited_.set(p.bdf.devfn());
    return existing(p);  // no DMA alias masks are modelled
  }

  std::optional<std::pair<unsigned, Bdf>> function_alias_group(const PciFunction& p) {
    if (!kernel_multifunction(p) || acs_isolates(p)) return std::nullopt;
    for (const PciFunction* tf : t_.slots.at({p.parent, p.bdf.domain(), p.bdf.bus(), p.bdf.device()})) {
      const PciFunction& tfn = *tf;
      if (tfn.bdf == p.bdf || acs_isolates(tfn)) continue;
      if (auto g = alias_group(tfn)) return std::make_pair(*g, tfn.bdf);
    }
    return std::nullopt;
  }

  void assign(const PciFunction& d, unsigned group, std::string reason) {
    out_.group_of[d.bdf] = group;
    out_.reason[d.bdf] = std::move(reason);
  }

  // pci_device_group(), step by step (../shared reference iommu-groups §5).
  void group(const PciFunction& d) {
    visited_.reset();
    // 1. The alias walk: join the first aliasing device that has a group.
    const PciFunction* a = &d;
    std::string alias_reason;
    for (const auto& [dev, why] : dma_aliases(d)) {
      if (auto g = existing(*dev)) return assign(d, *g, why);
      a = dev;
      alias_reason = why;
    }
    // 2. The ACS walk: climb while the path above is not isolated.
    const PciFunction* p = a;
    std::string acs_reason;
    for (const PciFunction* b = t_.parent(*a); b; b = t_.parent(*b)) {
      std::string why;
      if (acs_path_enabled(*b, &why)) break;
      p = b;
      acs_reason = fmt::format("ACS does not isolate the path above {}: {}", b->bdf.str(), why);
      if (auto g = existing(*p)) return assign(d, *g, acs_reason);
    }
    // 3 and 4. The DMA-alias and multifunction searches around that device.
    if (auto g = alias_group(*p)) return assign(d, *g, acs_reason.empty() ? alias_reason : acs_reason);
    if (auto g = function_alias_group(*p)) {
      std::string why;
      acs_isolates(*p, &why);
      return assign(d, g->first,
                    fmt::format("{} and {} are functions of one multifunction device without isolation ({})",
                                p->bdf.str(), g->second.str(), why));
    }
    // 5. A new group. The kernel takes the lowest free number from an IDA;
    // no group is freed while devices are added, so that is the next one.
    const unsigned id = next_id_++;
    std::string reason = !acs_reason.empty() ? acs_reason : alias_reason;
    if (reason.empty()) {
      std::string why;
      reason = acs_isolates(d, &why) ? "isolated: ACS holds on the whole path to the root"
                                     : why + "; functions that cannot be isolated from it join its group";
    }
    assign(d, id, reason);
  }

  const Topology& t_;
  GroupPrediction out_;
  unsigned next_id_ = 0;
  std::bitset<256> visited_;  // devfns the alias search has seen
  std::unordered_map<const PciFunction*, std::pair<bool, std::string>> acs_paths_;
};

}  // namespace

// pci_acs_enabled() without the quirk table.
bool acs_isolates(const PciFunction& f, std::string* why) {
  // A VF is a PCIe Endpoint (or an RCiEP) that is never multifunction, so
  // pci_acs_enabled() holds for it whatever its capabilities; a summary
  // read (Detail::summary) leaves its config unread for that reason.
  if (f.virtual_function && !f.config) return true;
  const pci::PciExpress* e = express_of(f);
  if (!e) {
    if (why) *why = fmt::format("{} is conventional PCI (no ACS)", f.bdf.str());
    return false;
  }
  switch (e->type) {
    case PcieType::pcie_to_pci_bridge:
    case PcieType::pci_to_pcie_bridge:
    case PcieType::rc_event_collector:
      if (why) *why = fmt::format("{} is a {} (never isolating)", f.bdf.str(), pci::pcie_type_name(e->type));
      return false;
    case PcieType::root_port:
    case PcieType::downstream_port: return flags_enabled(f, why);
    case PcieType::endpoint:
    case PcieType::upstream_port:
    case PcieType::legacy_endpoint:
    case PcieType::rc_integrated_endpoint:
      if (!kernel_multifunction(f)) return true;
      return flags_enabled(f, why);
  }
  return true;
}

GroupPrediction predict_iommu_groups(const std::vector<PciFunction>& functions) {
  Topology t;
  for (const auto& f : functions) t.by_bdf[f.bdf] = &f;
  for (const auto& [bdf, f] : t.by_bdf) {
    if (f->parent) t.children[*f->parent].push_back(f);
    t.slots[{f->parent, bdf.domain(), bdf.bus(), bdf.device()}].push_back(f);
  }
  // The kernel numbers groups in the order devices are added, and it adds
  // one host bridge's whole hierarchy before the next (acpi_pci_root_add
  // scans and adds each root bus with everything below it): root buses one
  // at a time, in address order, as ACPI lists QEMU's pxb-pcie buses after
  // pcie.0.
  std::map<std::pair<uint16_t, uint8_t>, std::vector<const PciFunction*>> root_buses;
  for (const auto& [bdf, f] : t.by_bdf)
    if (t.on_root_bus(*f)) root_buses[{bdf.domain(), bdf.bus()}].push_back(f);
  for (const auto& [bus, on_bus] : root_buses) add_in_probe_order(t, on_bus);
  return Grouper(t).run();
}

}  // namespace vfiokit::host
