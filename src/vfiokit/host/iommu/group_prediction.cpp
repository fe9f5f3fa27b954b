// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/iommu/group_prediction.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bitset>
#include <map>
#include <optional>

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

// The functions by their place in the input vector: parents, children and
// the cached answers are vectors indexed by it, where maps keyed by address
// were most of a prediction's time on a host of thousands of VFs.
struct Topology {
  explicit Topology(const std::vector<PciFunction>& functions);

  size_t index(const PciFunction& f) const { return static_cast<size_t>(&f - base); }
  const PciFunction* parent(const PciFunction& f) const { return parent_of[index(f)]; }
  // The functions of f's slot in address order: its parent's children (or
  // its root bus's functions) with f's parent, domain, bus and device number.
  std::vector<const PciFunction*> slot_of(const PciFunction& f) const;

  const PciFunction* base;
  std::vector<const PciFunction*> sorted;  // one function per address (the last given), by address
  std::vector<const PciFunction*> parent_of;
  std::vector<std::vector<const PciFunction*>> children;  // functions below each bridge, by address
  std::map<std::pair<uint16_t, uint8_t>, std::vector<const PciFunction*>> root_buses;
  std::vector<const PciFunction*> probe_order;
};

Topology::Topology(const std::vector<PciFunction>& functions)
    : base(functions.data()), parent_of(functions.size()), children(functions.size()) {
  sorted.reserve(functions.size());
  for (const auto& f : functions) sorted.push_back(&f);
  const auto by_address = [](const PciFunction* a, const PciFunction* b) { return a->bdf < b->bdf; };
  if (!std::is_sorted(sorted.begin(), sorted.end(), by_address))
    std::stable_sort(sorted.begin(), sorted.end(), by_address);
  // Of functions given twice, the last one stands.
  const auto last_of_each = [](const PciFunction* a, const PciFunction* b) { return a->bdf == b->bdf; };
  std::reverse(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end(), last_of_each), sorted.end());
  std::reverse(sorted.begin(), sorted.end());
  const auto find = [&](const Bdf& bdf) -> const PciFunction* {
    auto it = std::lower_bound(sorted.begin(), sorted.end(), bdf,
                               [](const PciFunction* f, const Bdf& b) { return f->bdf < b; });
    return it != sorted.end() && (*it)->bdf == bdf ? *it : nullptr;
  };
  for (const PciFunction* f : sorted) {
    const PciFunction* p = f->parent ? find(*f->parent) : nullptr;
    parent_of[index(*f)] = p;
    if (p) children[index(*p)].push_back(f);
    else root_buses[{f->bdf.domain(), f->bdf.bus()}].push_back(f);
  }
}

std::vector<const PciFunction*> Topology::slot_of(const PciFunction& f) const {
  const PciFunction* p = parent(f);
  const auto& bus = p ? children[index(*p)] : root_buses.at({f.bdf.domain(), f.bdf.bus()});
  std::vector<const PciFunction*> out;
  for (const PciFunction* s : bus)
    if (s->parent == f.parent && s->bdf.domain() == f.bdf.domain() && s->bdf.bus() == f.bdf.bus() &&
        s->bdf.device() == f.bdf.device())
      out.push_back(s);
  return out;
}

// pci_bus_add_devices(): every function of a bus in devfn order, then each
// bridge's secondary bus in the same order, depth first.
void add_in_probe_order(Topology& t, const std::vector<const PciFunction*>& bus) {
  for (const auto* f : bus) t.probe_order.push_back(f);
  for (const auto* f : bus) add_in_probe_order(t, t.children[t.index(*f)]);
}

// Whether bridge `b` takes over the requester ID of what is below it
// (pci_for_each_dma_alias): every bridge but a PCIe port does.
bool takes_over_requester_id(const PciFunction& b) {
  const pci::PciExpress* e = express_of(b);
  return !(e && (e->type == PcieType::root_port || e->type == PcieType::upstream_port ||
                 e->type == PcieType::downstream_port));
}

std::string alias_reason(const PciFunction& b, const PciFunction& d) {
  const pci::PciExpress* e = express_of(b);
  const std::string kind = !e                                        ? "a conventional PCI bridge"
                           : e->type == PcieType::pcie_to_pci_bridge ? "a PCIe-to-PCI bridge"
                                                                     : "a PCI-to-PCIe bridge";
  return fmt::format("{} is {}: it forwards DMA from {} with its own requester ID", b.bdf.str(), kind, d.bdf.str());
}

class Grouper {
 public:
  explicit Grouper(const Topology& t)
      : t_(t), group_(t.parent_of.size(), kNone), reason_(t.parent_of.size()), acs_path_(t.parent_of.size()) {}

  GroupPrediction run() {
    for (const auto* f : t_.probe_order) group(*f);
    GroupPrediction out;
    out.group_of.reserve(t_.sorted.size());
    out.reason.reserve(t_.sorted.size());
    for (const PciFunction* f : t_.sorted) {  // by address: each entry appended
      const size_t i = t_.index(*f);
      if (group_[i] == kNone) continue;
      out.group_of.emplace(f->bdf, group_[i]);
      out.reason.emplace(f->bdf, std::move(reason_[i]));
    }
    return out;
  }

 private:
  static constexpr unsigned kNone = ~0u;

  // pci_acs_path_enabled() from `start` to the root: the same for every
  // function below a bridge, so it is worked out once per bridge (a switch
  // with thousands of VFs below it asks it thousands of times). The reason
  // is empty when the path is isolated.
  const std::optional<std::string>& acs_path_blocked(const PciFunction& start) {
    auto& known = acs_path_[t_.index(start)];
    if (!known.worked_out) {
      known.worked_out = true;
      for (const PciFunction* d = &start; d; d = t_.parent(*d)) {
        std::string why;
        if (!acs_isolates(*d, &why)) {
          known.blocked = std::move(why);
          break;
        }
      }
    }
    return known.blocked;
  }

  std::optional<unsigned> existing(const PciFunction& f) const {
    const unsigned g = group_[t_.index(f)];
    return g == kNone ? std::nullopt : std::optional<unsigned>(g);
  }

  std::optional<unsigned> alias_group(const PciFunction& p) {
    if (visited_.test(p.bdf.devfn())) return std::nullopt;
    visited_.set(p.bdf.devfn());
    return existing(p);  // no DMA alias masks are modelled
  }

  std::optional<std::pair<unsigned, Bdf>> function_alias_group(const PciFunction& p) {
    if (!kernel_multifunction(p) || acs_isolates(p)) return std::nullopt;
    for (const PciFunction* tf : t_.slot_of(p)) {
      const PciFunction& tfn = *tf;
      if (tfn.bdf == p.bdf || acs_isolates(tfn)) continue;
      if (auto g = alias_group(tfn)) return std::make_pair(*g, tfn.bdf);
    }
    return std::nullopt;
  }

  void assign(const PciFunction& d, unsigned group, std::string reason) {
    group_[t_.index(d)] = group;
    reason_[t_.index(d)] = std::move(reason);
  }

  // pci_device_group(), step by step (../shared reference iommu-groups §5).
  void group(const PciFunction& d) {
    visited_.reset();
    // 1. The alias walk (pci_for_each_dma_alias without alias masks or VMD:
    // the function itself, then each upstream bridge that takes over the
    // requester ID): join the first aliasing device that has a group.
    if (auto g = existing(d)) return assign(d, *g, "");
    const PciFunction* a = &d;
    std::string via_alias;
    for (const PciFunction* b = t_.parent(d); b; b = t_.parent(*b)) {
      if (!takes_over_requester_id(*b)) continue;
      std::string why = alias_reason(*b, d);
      if (auto g = existing(*b)) return assign(d, *g, std::move(why));
      a = b;
      via_alias = std::move(why);
    }
    // 2. The ACS walk: climb while the path above is not isolated.
    const PciFunction* p = a;
    std::string acs_reason;
    for (const PciFunction* b = t_.parent(*a); b; b = t_.parent(*b)) {
      const auto& blocked = acs_path_blocked(*b);
      if (!blocked) break;
      p = b;
      acs_reason = fmt::format("ACS does not isolate the path above {}: {}", b->bdf.str(), *blocked);
      if (auto g = existing(*p)) return assign(d, *g, acs_reason);
    }
    // 3 and 4. The DMA-alias and multifunction searches around that device.
    if (auto g = alias_group(*p)) return assign(d, *g, acs_reason.empty() ? via_alias : acs_reason);
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
    std::string reason = !acs_reason.empty() ? acs_reason : via_alias;
    if (reason.empty()) {
      std::string why;
      reason = acs_isolates(d, &why) ? "isolated: ACS holds on the whole path to the root"
                                     : why + "; functions that cannot be isolated from it join its group";
    }
    assign(d, id, reason);
  }

  struct AcsPath {
    bool worked_out = false;
    std::optional<std::string> blocked;  // why the path is not isolated
  };

  const Topology& t_;
  std::vector<unsigned> group_;      // by function index; kNone until assigned
  std::vector<std::string> reason_;  // by function index
  std::vector<AcsPath> acs_path_;    // by function index
  unsigned next_id_ = 0;
  std::bitset<256> visited_;  // devfns the alias search has seen
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
  Topology t(functions);
  // The kernel numbers groups in the order devices are added, and it adds
  // one host bridge's whole hierarchy before the next (acpi_pci_root_add
  // scans and adds each root bus with everything below it): root buses one
  // at a time, in address order, as ACPI lists QEMU's pxb-pcie buses after
  // pcie.0.
  for (const auto& [bus, on_bus] : t.root_buses) add_in_probe_order(t, on_bus);
  return Grouper(t).run();
}

}  // namespace vfiokit::host
