// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/profile/profile_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace vfiokit::host {

namespace {

std::string function_label(const HostView& host, const pci::Bdf& bdf) {
  const PciFunction* f = host.function(bdf);
  if (!f || !f->vendor_id || !f->device_id) return bdf.str();
  return fmt::format("{} [{:04x}:{:04x}]", bdf.str(), *f->vendor_id, *f->device_id);
}

}  // namespace

Result<ProfilePlan> plan_profile(const SysfsRoot& root, const HostView& host, const Profile& profile,
                                 const UsesOf& uses_of, const DriverLoaded& driver_loaded) {
  ProfilePlan plan;
  plan.name = profile.name;
  plan.force = profile.force;
  auto matched = match_profile(root, host, profile);
  if (!matched) return fail(matched.error());
  plan.devices = std::move(*matched);

  // The groups, each whole: every endpoint in it must be one of the
  // profile's devices, and they must agree on the driver.
  std::map<unsigned, std::string> group_driver;
  std::map<unsigned, std::string> group_owner;  // the first device seen in it, for messages
  for (const auto& m : plan.devices) {
    auto group = group_of_function(host, m.bdf);
    if (!group) return fail(Errc::unsupported, fmt::format("device '{}'", m.device->name), group.error().describe());
    auto [it, fresh] = group_driver.emplace(*group, m.device->driver);
    if (fresh) group_owner[*group] = m.device->name;
    else if (it->second != m.device->driver)
      return fail(Errc::invalid_argument, fmt::format("device '{}'", m.device->name),
                  fmt::format("wants {}, but device '{}' in the same IOMMU group {} wants {}: a group has one driver",
                              m.device->driver, group_owner[*group], *group, it->second));
  }
  for (const auto& [id, driver] : group_driver) {
    plan.groups.push_back(id);
    const auto g =
        std::find_if(host.groups.begin(), host.groups.end(), [&](const IommuGroup& x) { return x.id == id; });
    if (g == host.groups.end()) return fail(Errc::not_found, fmt::format("IOMMU group {}", id), "is not on this host");
    for (const auto& bdf : g->devices) {
      const PciFunction* f = host.function(bdf);
      if (!f || f->is_bridge()) continue;  // bridges stay on their drivers (vfio accepts pcieport)
      if (std::none_of(plan.devices.begin(), plan.devices.end(), [&](const auto& m) { return m.bdf == bdf; }))
        return fail(Errc::invalid_argument, fmt::format("IOMMU group {}", id),
                    fmt::format("of device '{}' also holds {}, which the profile does not name: a group goes to a VM "
                                "whole, so add it as a device (or move the device to a slot with a group of its own)",
                                group_owner[id], function_label(host, bdf)));
    }
  }

  // Resizes first, each planned on the host as it is now.
  for (const auto& m : plan.devices)
    for (const auto& b : m.device->bars) {
      ResizeRequest request{m.bdf, b.bar, b.size, !b.size, false};
      auto r = plan_resize(root, host, request, uses_of);
      if (!r) return fail(Errc::invalid_argument, fmt::format("device '{}'", m.device->name), r.error().describe());
      if (r->nothing_to_do()) {
        plan.notes.push_back(
            fmt::format("BAR {} of '{}' ({}) is already {}", b.bar, m.device->name, m.bdf.str(), r->to.str()));
        continue;
      }
      plan.in_use.insert(plan.in_use.end(), r->in_use.begin(), r->in_use.end());
      plan.resizes.push_back(std::move(*r));
    }
  // Each resize was planned on the host as it is before any of them. Two
  // that re-size one bridge window, or where one removes and brings back
  // a function the other touches, would each be planned on a host the
  // other changes: refused, rather than run on a stale plan.
  for (size_t i = 0; i < plan.resizes.size(); ++i)
    for (size_t j = i + 1; j < plan.resizes.size(); ++j) {
      const ResizePlan &a = plan.resizes[i], &b = plan.resizes[j];
      const auto shared_bridge =
          std::find_first_of(a.released.begin(), a.released.end(), b.released.begin(), b.released.end());
      const bool touches = std::any_of(b.functions.begin(), b.functions.end(), [&](const AffectedFunction& f) {
        return std::any_of(a.functions.begin(), a.functions.end(),
                           [&](const AffectedFunction& g) { return g.bdf == f.bdf; });
      });
      if (shared_bridge == a.released.end() && !touches) continue;
      return fail(Errc::invalid_argument, fmt::format("BAR {} of {}", b.bar, b.bdf.str()),
                  fmt::format("and BAR {} of {} both need {}: a profile resizes one BAR there; resize the other "
                              "first (`vfiokit rebar {} --bar {} --size SIZE`), then its size is already as the "
                              "profile wants",
                              a.bar, a.bdf.str(),
                              shared_bridge != a.released.end()
                                  ? fmt::format("the window of bridge {} re-sized", shared_bridge->str())
                                  : std::string("the same functions removed and brought back"),
                              a.bdf.str(), a.bar));
    }

  // Then each group to its driver.
  for (const auto& [id, driver] : group_driver) {
    UsageMap usage;
    for (const auto& g : host.groups)
      if (g.id == id)
        for (const auto& bdf : g.devices) usage.emplace_back(bdf, uses_of(bdf));
    auto b = plan_bind(host, id, driver, driver_loaded(driver), usage);
    if (!b) return fail(b.error());
    if (!b->refusals.empty())
      return fail(Errc::invalid_argument, fmt::format("IOMMU group {}", id), b->refusals.front());
    if (b->nothing_to_do()) {
      plan.notes.push_back(fmt::format("IOMMU group {} is already on {}", id, driver));
      continue;
    }
    for (const auto& use : b->in_use)
      if (std::find(plan.in_use.begin(), plan.in_use.end(), use) == plan.in_use.end()) plan.in_use.push_back(use);
    plan.binds.push_back(std::move(*b));
  }
  // Then policy.
  for (const auto& m : plan.devices) {
    std::vector<std::pair<std::string, std::string>> wanted;
    if (m.device->d3cold_allowed) wanted.emplace_back("d3cold_allowed", *m.device->d3cold_allowed ? "1" : "0");
    if (m.device->reset_method) wanted.emplace_back("reset_method", *m.device->reset_method);
    for (const auto& [attribute, value] : wanted) {
      auto s = plan_setting(root, m.bdf, attribute, value);
      if (!s) return fail(Errc::invalid_argument, fmt::format("device '{}'", m.device->name), s.error().describe());
      if (!*s) {
        plan.notes.push_back(fmt::format("{} of '{}' is already \"{}\"", attribute, m.device->name, value));
        continue;
      }
      plan.settings.push_back(std::move(**s));
    }
  }
  return plan;
}

}  // namespace vfiokit::host
