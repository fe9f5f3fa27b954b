// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/deviceplugin/inventory/resource_devices.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "vfiokit/host/profile/device_match.hpp"

namespace vfiokit::deviceplugin {

namespace {

// The functions of the host `resource` names.
Result<std::set<pci::Bdf>> named_functions(const host::SysfsRoot& root, const host::HostView& host,
                                           const ResourceConfig& resource) {
  std::set<pci::Bdf> out;
  if (resource.profile) {
    auto profile = host::read_profile(*resource.profile);
    if (!profile) return fail(profile.error());
    auto matched = host::match_profile(root, host, *profile);
    if (!matched) return fail(matched.error());
    for (const auto& m : *matched) out.insert(m.bdf);
    return out;
  }
  for (const auto& f : host.functions)
    for (const auto& p : resource.patterns)
      if (p.matches(f.vendor_id, f.device_id, f.class_code)) out.insert(f.bdf);
  return out;
}

PluginDevice device_of(const host::HostView& host, const host::IommuGroup& group, const std::set<pci::Bdf>& named) {
  PluginDevice d;
  d.group = group.id;
  std::vector<pci::Bdf> others;
  std::set<int64_t> nodes;
  for (const auto& bdf : group.devices) {
    const host::PciFunction* f = host.function(bdf);
    if (f && f->is_bridge()) continue;
    (named.count(bdf) ? d.functions : others).push_back(bdf);
    if (f && f->numa_node && *f->numa_node >= 0) nodes.insert(*f->numa_node);
  }
  std::sort(d.functions.begin(), d.functions.end());
  std::sort(others.begin(), others.end());
  d.id = d.functions.front().str();
  d.functions.insert(d.functions.end(), others.begin(), others.end());
  d.numa_nodes.assign(nodes.begin(), nodes.end());
  return d;
}

}  // namespace

Result<std::vector<ResourceDevices>> find_resource_devices(const host::SysfsRoot& root, const host::HostView& host,
                                                           const PluginConfig& config) {
  std::vector<ResourceDevices> out(config.resources.size());
  std::map<unsigned, size_t> taken;  // group -> the resource that advertises it
  std::map<pci::Bdf, const host::IommuGroup*> group_of;
  std::map<unsigned, const host::IommuGroup*> group_by_id;
  for (const auto& g : host.groups) {
    group_by_id[g.id] = &g;
    for (const auto& bdf : g.devices) group_of[bdf] = &g;
  }
  for (size_t i = 0; i < config.resources.size(); ++i) {
    const ResourceConfig& resource = config.resources[i];
    auto named = named_functions(root, host, resource);
    if (!named) return fail(named.error());
    std::set<unsigned> groups;
    for (const auto& bdf : *named) {
      const host::PciFunction* f = host.function(bdf);
      if (f && f->is_bridge()) continue;  // a selector wide enough to name a bridge hands out no bridge
      auto g = group_of.find(bdf);
      if (g == group_of.end()) {
        out[i].notes.push_back(fmt::format("{} is in no IOMMU group (is the IOMMU on?)", bdf.str()));
        continue;
      }
      groups.insert(g->second->id);
    }
    for (unsigned id : groups) {
      if (auto t = taken.find(id); t != taken.end()) {
        out[i].notes.push_back(
            fmt::format("IOMMU group {} is already resource {}'s", id, config.resources[t->second].name));
        continue;
      }
      taken.emplace(id, i);
      PluginDevice d = device_of(host, *group_by_id.at(id), *named);
      refresh_health(root, d);
      out[i].devices.push_back(std::move(d));
    }
    std::sort(out[i].devices.begin(), out[i].devices.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  }
  return out;
}

std::vector<unsigned> groups_to_bind(const ResourceDevices& resource) {
  std::vector<unsigned> out;
  for (const auto& d : resource.devices)
    if (!d.healthy) out.push_back(d.group);
  return out;
}

}  // namespace vfiokit::deviceplugin
