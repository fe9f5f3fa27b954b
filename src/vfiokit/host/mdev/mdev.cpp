// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/mdev/mdev.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "vfiokit/host/sysfs/attr.hpp"

namespace vfiokit::host {

namespace {
std::filesystem::path mdev_bus(const SysfsRoot& root) { return root.path() / "class/mdev_bus"; }

// Optional attributes: a type's name and description exist only when its
// driver supplies them.
std::string attr_or_empty(const std::filesystem::path& file) {
  auto text = read_attr(file);
  return text && *text ? **text : std::string();
}

std::optional<unsigned> unsigned_attr(const std::filesystem::path& file) {
  const auto text = attr_or_empty(file);
  unsigned v = 0;
  if (std::sscanf(text.c_str(), "%u", &v) != 1) return std::nullopt;
  return v;
}

std::vector<std::filesystem::path> sorted_entries(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

std::filesystem::path mdev_dir(const SysfsRoot& root, const Uuid& uuid) {
  return root.path() / "bus/mdev/devices" / uuid.str();
}

Result<std::vector<MdevType>> list_mdev_types(const SysfsRoot& root) {
  std::vector<MdevType> out;
  for (const auto& parent : sorted_entries(mdev_bus(root))) {
    for (const auto& dir : sorted_entries(parent / "mdev_supported_types")) {
      MdevType t;
      t.parent = parent.filename().string();
      t.id = dir.filename().string();
      t.name = attr_or_empty(dir / "name");
      t.description = attr_or_empty(dir / "description");
      t.device_api = attr_or_empty(dir / "device_api");
      t.available = unsigned_attr(dir / "available_instances");
      for (const auto& d : sorted_entries(dir / "devices"))
        if (auto u = Uuid::parse(d.filename().string())) t.devices.push_back(*u);
      out.push_back(std::move(t));
    }
  }
  return out;
}

Result<std::optional<MdevDevice>> find_mdev(const SysfsRoot& root, const Uuid& uuid) {
  const auto dir = mdev_dir(root, uuid);
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return std::optional<MdevDevice>();
  MdevDevice d;
  d.uuid = uuid;
  // mdev_type -> .../<parent>/mdev_supported_types/<type>
  std::filesystem::path type = std::filesystem::read_symlink(dir / "mdev_type", ec);
  if (ec) return fail(Errc::malformed, (dir / "mdev_type").string(), "is not a link to the mdev's type");
  d.type = type.filename().string();
  d.parent = type.parent_path().parent_path().filename().string();
  d.driver = read_link_name(dir / "driver");
  if (auto g = read_link_name(dir / "iommu_group")) {
    unsigned n = 0;
    if (std::sscanf(g->c_str(), "%u", &n) == 1) d.iommu_group = n;
  }
  return std::optional<MdevDevice>(std::move(d));
}

Result<std::vector<MdevDevice>> list_mdevs(const SysfsRoot& root) {
  std::vector<MdevDevice> out;
  for (const auto& entry : sorted_entries(root.path() / "bus/mdev/devices")) {
    auto uuid = Uuid::parse(entry.filename().string());
    if (!uuid) continue;
    auto d = find_mdev(root, *uuid);
    if (!d) return fail(d.error());
    if (*d) out.push_back(std::move(**d));
  }
  return out;
}

Result<MdevType> find_mdev_type(const SysfsRoot& root, const std::string& parent, const std::string& id) {
  auto types = list_mdev_types(root);
  if (!types) return fail(types.error());
  std::vector<MdevType> matches;
  for (auto& t : *types)
    if (t.id == id && (parent.empty() || t.parent == parent)) matches.push_back(std::move(t));
  if (matches.size() == 1) return std::move(matches.front());
  if (matches.empty()) {
    std::string known;
    for (const auto& t : *types) known += fmt::format("{}{}/{}", known.empty() ? "" : ", ", t.parent, t.id);
    return fail(Errc::not_found, parent.empty() ? id : parent + "/" + id,
                known.empty() ? std::string("is not an mdev type: this host has no mdev parent devices")
                              : fmt::format("is not an mdev type here (types: {})", known));
  }
  return fail(Errc::invalid_argument, id, "is offered by several parents; name the parent (--parent)");
}

}  // namespace vfiokit::host
