// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/iommu/groups.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <sstream>

#include "vfiokit/base/printable.hpp"
#include "vfiokit/host/sysfs/attr.hpp"
#include "vfiokit/host/sysfs/dir.hpp"

namespace vfiokit::host {

namespace {

// Members, type and reserved regions of the group in `dir`. Read through
// SysfsDir, so a tree someone handed vfiokit is read confined to it.
void read_group_dir(const SysfsDir& dir, IommuGroup& g) {
  auto devices = dir.open_child("devices");
  auto members = devices ? devices->list() : Result<std::vector<DirEntry>>(std::unexpected(devices.error()));
  if (!members) g.problems.push_back(members.error());
  else
    for (const auto& m : *members) {
      if (auto bdf = pci::Bdf::parse(m.name)) g.devices.push_back(*bdf);
      // Each member is a link to the function's directory, which must be
      // there (in a handed-over tree, beneath its root).
      if (!devices->has_dir(m.name))
        g.problems.push_back(Error(Errc::malformed, *devices / m.name, "link points nowhere"));
    }
  std::sort(g.devices.begin(), g.devices.end());
  if (auto type = read_attr(dir, "type"); !type) g.problems.push_back(type.error());
  else g.type = *type;
  if (auto regions = read_attr(dir, "reserved_regions"); !regions) {
    g.problems.push_back(regions.error());
  } else if (*regions) {
    std::istringstream in(**regions);
    std::string line;
    while (std::getline(in, line)) {
      ReservedRegion r;
      char type[32] = {};
      if (std::sscanf(line.c_str(), "0x%lx 0x%lx %31s", &r.start, &r.end, type) != 3) {
        g.problems.push_back(Error(Errc::malformed, dir / "reserved_regions",
                                   fmt::format("'{}' is not 'START END TYPE'", printable(line.substr(0, 64)))));
        continue;
      }
      r.type = type;
      g.reserved_regions.push_back(r);
    }
  }
}

}  // namespace

Result<IommuGroup> read_iommu_group(const SysfsRoot& root, unsigned id) {
  const auto path = root.path() / "kernel/iommu_groups" / std::to_string(id);
  auto dir = SysfsDir::open(path);
  if (!dir) {
    if (dir.error().sys_errno() == ENOENT || dir.error().sys_errno() == ENOTDIR)
      return fail(Errc::not_found, path.string(), "no such IOMMU group");
    return fail(dir.error());
  }
  IommuGroup g;
  g.id = id;
  read_group_dir(*dir, g);
  return g;
}

std::vector<IommuGroup> read_iommu_groups(const SysfsRoot& root, std::vector<Error>& problems) {
  std::vector<IommuGroup> out;
  auto base = SysfsDir::open(root.path() / "kernel/iommu_groups");
  if (!base) {
    // No IOMMU (or a tree without groups) is said by the callers; anything
    // else (a link out of the tree) is a problem.
    if (base.error().sys_errno() != ENOENT && base.error().sys_errno() != ENOTDIR) problems.push_back(base.error());
    return out;
  }
  auto entries = base->list();
  if (!entries) {
    problems.push_back(entries.error());
    return out;
  }
  for (const auto& entry : *entries) {
    const std::string& name = entry.name;
    IommuGroup g;
    auto [end, err] = std::from_chars(name.data(), name.data() + name.size(), g.id);
    if (err != std::errc() || end != name.data() + name.size()) {
      problems.push_back(Error(Errc::malformed, *base / name, "not a group number"));
      continue;
    }
    auto dir = base->open_child(name);
    if (!dir) g.problems.push_back(dir.error());
    else read_group_dir(*dir, g);
    out.push_back(std::move(g));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

}  // namespace vfiokit::host
