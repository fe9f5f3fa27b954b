// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/binding/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace vfiokit::host {

std::string BindStep::describe() const {
  switch (kind) {
    case StepKind::load_module: return fmt::format("load the {} driver (modprobe {})", value, value);
    case StepKind::set_override: return fmt::format("{}: set driver_override to {}", bdf.str(), value);
    case StepKind::unbind: return fmt::format("{}: unbind from {}", bdf.str(), value);
    case StepKind::probe: return fmt::format("{}: probe (binds {})", bdf.str(), value);
    case StepKind::verify: return fmt::format("verify: every endpoint on {} and the group usable", value);
  }
  return "?";
}

bool BindPlan::nothing_to_do() const {
  return std::none_of(steps.begin(), steps.end(), [](const BindStep& s) {
    return s.kind == StepKind::set_override || s.kind == StepKind::unbind || s.kind == StepKind::probe;
  });
}

Result<unsigned> group_of_function(const HostView& host, const pci::Bdf& bdf) {
  const PciFunction* f = host.function(bdf);
  if (!f) return fail(Errc::not_found, bdf.str(), "no such PCI function");
  if (!f->iommu_group)
    return fail(Errc::unsupported, bdf.str(),
                "has no IOMMU group: the IOMMU is off (boot with intel_iommu=on or amd_iommu=on) and VFIO needs it");
  return *f->iommu_group;
}

Result<BindPlan> plan_bind(const HostView& host, unsigned group, const std::string& driver, bool driver_loaded,
                           const UsageMap& usage) {
  const auto g =
      std::find_if(host.groups.begin(), host.groups.end(), [&](const IommuGroup& x) { return x.id == group; });
  if (g == host.groups.end()) return fail(Errc::not_found, fmt::format("IOMMU group {}", group), "does not exist");
  return plan_bind(host, *g, driver, driver_loaded, usage);
}

Result<BindPlan> plan_bind(const HostView& host, const IommuGroup& g, const std::string& driver, bool driver_loaded,
                           const UsageMap& usage) {
  const unsigned group = g.id;
  if (auto ok = check_driver_name(driver); !ok) return fail(ok.error());
  BindPlan plan;
  plan.group = group;
  plan.driver = driver;
  if (!driver_loaded) plan.steps.push_back({StepKind::load_module, {}, driver});
  std::vector<BindStep> overrides, unbinds, probes;
  for (const auto& bdf : g.devices) {
    const PciFunction* f = host.function(bdf);
    if (!f) return fail(Errc::not_found, bdf.str(), fmt::format("is in group {} but not under bus/pci/devices", group));
    GroupMember m{bdf, Binding{f->driver, f->driver_override}, f->is_bridge()};
    plan.members.push_back(m);
    if (auto ok = check_journalable(m.original, bdf); !ok) plan.refusals.push_back(ok.error().describe());
    if (m.bridge) continue;
    if (f->sriov_numvfs && *f->sriov_numvfs > 0)
      plan.refusals.push_back(fmt::format(
          "{} has {} SR-IOV virtual functions enabled: they would keep running under a PF owned by {}; disable them "
          "first (echo 0 > /sys/bus/pci/devices/{}/sriov_numvfs) and bind the VFs, or the PF alone",
          bdf.str(), *f->sriov_numvfs, driver, bdf.str()));
    for (const auto& [who, uses] : usage)
      if (who == bdf)
        for (const auto& u : uses) plan.in_use.push_back(fmt::format("{}: {}", bdf.str(), u));
    if (f->driver == driver && f->driver_override == driver) continue;
    if (f->driver_override != driver) overrides.push_back({StepKind::set_override, bdf, driver});
    if (!f->driver.empty() && f->driver != driver) unbinds.push_back({StepKind::unbind, bdf, f->driver});
    if (f->driver != driver) probes.push_back({StepKind::probe, bdf, driver});
  }
  // Overrides first: once a function is unbound nothing else may claim it.
  for (auto* list : {&overrides, &unbinds, &probes}) plan.steps.insert(plan.steps.end(), list->begin(), list->end());
  plan.steps.push_back({StepKind::verify, {}, driver});
  return plan;
}

}  // namespace vfiokit::host
