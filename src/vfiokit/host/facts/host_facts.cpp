// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/facts/host_facts.hpp"

#include <fmt/format.h>

#include "vfiokit/host/binding/plan.hpp"
#include "vfiokit/host/devices/in_use.hpp"
#include "vfiokit/host/devices/module_aliases.hpp"

namespace vfiokit::host {
namespace {

constexpr uint32_t kDisplayClass = 0x03;

// Only a function with an interface or a disk below it, or a display
// controller (boot VGA, framebuffers), can be in use: function_uses is
// asked about those alone, so a host of thousands of VFs is not searched
// thousands of times.
bool could_be_in_use(const PciFunction& f, const FunctionFacts& facts) {
  return !facts.class_devices.interfaces.empty() || !facts.class_devices.block_devices.empty() ||
         (f.class_code && (*f.class_code >> 16) == kDisplayClass);
}

}  // namespace

const FunctionFacts& HostFacts::of(const pci::Bdf& bdf) const {
  static const FunctionFacts kNone;
  auto it = functions.find(bdf);
  return it == functions.end() ? kNone : it->second;
}

HostFacts read_host_facts(const SysfsRoot& root, const HostView& view, const std::optional<std::string>& modules_alias,
                          GroupVerdicts verdicts) {
  HostFacts facts;
  auto class_devices = class_devices_by_function(root);
  std::optional<ModuleAliases> aliases;
  if (modules_alias) aliases = ModuleAliases::parse(*modules_alias);
  // Not the live system: its tables would describe another host.
  const ProcTables proc = root.is_live() ? ProcTables{} : ProcTables{"", "", "", ""};
  UsageMap usage;
  for (const auto& f : view.functions) {
    FunctionFacts ff;
    if (auto it = class_devices.find(f.bdf); it != class_devices.end()) ff.class_devices = std::move(it->second);
    if (aliases && f.vendor_id && f.device_id && f.class_code)
      ff.modules = aliases->modules_for(pci_modalias(*f.vendor_id, *f.device_id, f.subsystem_vendor_id.value_or(0),
                                                     f.subsystem_id.value_or(0), *f.class_code));
    if (could_be_in_use(f, ff)) {
      ff.in_use = function_uses(root, f.bdf, proc);
      if (!ff.in_use.empty()) usage.emplace_back(f.bdf, ff.in_use);
    }
    // A function with no facts has no entry (of() answers for it): a host
    // of thousands of VFs with no interfaces and no modules.alias then
    // holds no node per function, memory the process would touch once.
    if (!ff.empty()) facts.functions.emplace_hint(facts.functions.end(), f.bdf, std::move(ff));
  }
  if (verdicts == GroupVerdicts::skip) return facts;
  for (const auto& g : view.groups) {
    GroupFacts& gf = facts.groups[g.id];
    gf.viable = view.group_viable(g);
    auto plan = plan_bind(view, g, "vfio-pci", true, usage);
    if (!plan) {
      gf.refusals.push_back(plan.error().describe());
      continue;
    }
    gf.refusals = plan->refusals;
    gf.refusals.insert(gf.refusals.end(), plan->in_use.begin(), plan->in_use.end());
    gf.bindable = gf.refusals.empty();
  }
  return facts;
}

}  // namespace vfiokit::host
