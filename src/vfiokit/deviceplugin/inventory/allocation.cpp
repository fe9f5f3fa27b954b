// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/deviceplugin/inventory/allocation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "vfiokit/base/printable.hpp"
#include "vfiokit/host/sysfs/dir.hpp"

namespace vfiokit::deviceplugin {

namespace {

// Requests come from the kubelet socket's peer: the IDs are echoed in
// errors only escaped and cut short (an error travels in gRPC's trailers,
// which are capped), and a list longer than any host is refused.
constexpr size_t kMaxIds = 4096;
constexpr size_t kMaxIdLength = 63;  // the API's limit on Device.ID

std::string quoted(const std::string& id) {
  if (id.size() <= kMaxIdLength) return fmt::format("\"{}\"", printable(id));
  return fmt::format("\"{}...\" ({} bytes)", printable(id.substr(0, kMaxIdLength)), id.size());
}

Result<std::vector<const PluginDevice*>> lookup(const std::vector<PluginDevice>& devices,
                                                const std::vector<std::string>& ids) {
  if (ids.empty()) return fail(Errc::invalid_argument, "request", "names no device");
  if (ids.size() > kMaxIds) return fail(Errc::invalid_argument, "request", "names more devices than any host has");
  std::vector<const PluginDevice*> out;
  std::set<std::string> seen;
  for (const auto& id : ids) {
    if (!seen.insert(id).second) return fail(Errc::invalid_argument, quoted(id), "is named twice");
    auto it = std::lower_bound(devices.begin(), devices.end(), id,
                               [](const PluginDevice& d, const std::string& v) { return d.id < v; });
    if (it == devices.end() || it->id != id)
      return fail(Errc::invalid_argument, quoted(id), "is not a device of this resource");
    out.push_back(&*it);
  }
  return out;
}

// The cdev of a function bound to vfio-pci: DIR/vfio-dev/vfioN
// (drivers/vfio/vfio_main.c names it after the device's index).
Result<std::string> cdev_of(const host::SysfsRoot& root, const pci::Bdf& bdf) {
  // Listed through SysfsDir: confined to the tree when it is not /sys.
  auto dir = host::SysfsDir::open(root.device_dir(bdf) / "vfio-dev");
  auto entries = dir ? dir->list() : Result<std::vector<host::DirEntry>>(std::unexpected(dir.error()));
  for (const auto& e : entries ? *entries : std::vector<host::DirEntry>{}) {
    const std::string& name = e.name;
    if (name.size() > 4 && name.size() < 16 && name.starts_with("vfio") &&
        std::all_of(name.begin() + 4, name.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return "/dev/vfio/devices/" + name;
  }
  return fail(Errc::unsupported, bdf.str(),
              "has no VFIO cdev (vfio-dev/vfioN): the kernel needs CONFIG_VFIO_DEVICE_CDEV");
}

}  // namespace

Result<ContainerAllocation> allocate(const host::SysfsRoot& root, const ResourceConfig& resource,
                                     const std::vector<PluginDevice>& devices, const std::vector<std::string>& ids) {
  auto found = lookup(devices, ids);
  if (!found) return fail(found.error());
  if (auto ready = check_ready(root, devices, ids); !ready) return fail(ready.error());
  ContainerAllocation out;
  out.device_nodes.push_back(resource.nodes == DeviceNodes::group ? "/dev/vfio/vfio" : "/dev/iommu");
  std::string addresses;
  for (const PluginDevice* d : *found) {
    if (resource.nodes == DeviceNodes::group) out.device_nodes.push_back(fmt::format("/dev/vfio/{}", d->group));
    for (const auto& bdf : d->functions) {
      if (resource.nodes == DeviceNodes::cdev) {
        auto node = cdev_of(root, bdf);
        if (!node) return fail(node.error());
        out.device_nodes.push_back(*node);
      }
      if (!addresses.empty()) addresses += ',';
      addresses += bdf.str();
    }
  }
  out.envs.emplace(pci_resource_env(resource.name), addresses);
  return out;
}

Result<void> check_ready(const host::SysfsRoot& root, const std::vector<PluginDevice>& devices,
                         const std::vector<std::string>& ids) {
  auto found = lookup(devices, ids);
  if (!found) return fail(found.error());
  for (const PluginDevice* d : *found)
    if (auto why = why_unhealthy(root, *d))
      return fail(Errc::unsupported, d->id, fmt::format("cannot be handed out now: {}", *why));
  return {};
}

Result<std::vector<std::string>> preferred_allocation(const std::vector<PluginDevice>& devices,
                                                      const std::vector<std::string>& available,
                                                      const std::vector<std::string>& must_include, int size) {
  auto pool = lookup(devices, available);
  if (!pool) return fail(pool.error());
  std::vector<const PluginDevice*> must;
  if (!must_include.empty()) {
    auto m = lookup(devices, must_include);
    if (!m) return fail(m.error());
    must = *m;
  }
  if (size <= 0 || static_cast<size_t>(size) > pool->size() || static_cast<size_t>(size) < must.size())
    return fail(Errc::invalid_argument, "request",
                fmt::format("asks for {} devices of {} available with {} that must be included", size, pool->size(),
                            must.size()));
  std::set<std::string> chosen;
  for (const PluginDevice* d : must) {
    if (std::find(available.begin(), available.end(), d->id) == available.end())
      return fail(Errc::invalid_argument, quoted(d->id), "must be included but is not available");
    chosen.insert(d->id);
  }
  // The NUMA nodes to stay on: those of the devices already chosen, else
  // the node most available devices are on (no node: any order).
  std::set<int64_t> nodes;
  for (const PluginDevice* d : must) nodes.insert(d->numa_nodes.begin(), d->numa_nodes.end());
  if (nodes.empty()) {
    std::map<int64_t, size_t> count;
    for (const PluginDevice* d : *pool)
      for (int64_t n : d->numa_nodes) ++count[n];
    auto best =
        std::max_element(count.begin(), count.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    if (best != count.end()) nodes.insert(best->first);
  }
  const auto local = [&](const PluginDevice* d) {
    return std::any_of(d->numa_nodes.begin(), d->numa_nodes.end(), [&](int64_t n) { return nodes.count(n) > 0; });
  };
  std::vector<const PluginDevice*> rest;
  for (const PluginDevice* d : *pool)
    if (!chosen.count(d->id)) rest.push_back(d);
  std::stable_sort(rest.begin(), rest.end(), [&](const PluginDevice* a, const PluginDevice* b) {
    return local(a) != local(b) ? local(a) : a->id < b->id;
  });
  std::vector<std::string> out;
  for (const PluginDevice* d : must) out.push_back(d->id);
  for (const PluginDevice* d : rest) {
    if (out.size() == static_cast<size_t>(size)) break;
    out.push_back(d->id);
  }
  return out;
}

}  // namespace vfiokit::deviceplugin
