#include "vfiokit/host/iommu/groups.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <sstream>

#include "vfiokit/host/sysfs/attr.hpp"

namespace vfiokit::host {

namespace {

// Members, type and reserved regions of the group in `dir`.
void read_group_dir(const std::filesystem::path& dir, IommuGroup& g) {
  std::error_code dev_ec;
  for (const auto& dev : std::filesystem::directory_iterator(dir / "devices", dev_ec)) {
    if (auto bdf = pci::Bdf::parse(dev.path().filename().string())) g.devices.push_back(*bdf);
    std::error_code target_ec;
    if (!std::filesystem::exists(dev.path(), target_ec))
      g.problems.push_back(Error(Errc::malformed, dev.path().string(), "link points nowhere"));
  }
  if (dev_ec) g.problems.push_back(Error::from_errno(dev_ec.value(), (dir / "devices").string(), "cannot list"));
  std::sort(g.devices.begin(), g.devices.end());
  if (auto type = read_attr(dir / "type"); !type) g.problems.push_back(type.error());
  else g.type = *type;
  if (auto regions = read_attr(dir / "reserved_regions"); !regions) {
    g.problems.push_back(regions.error());
  } else if (*regions) {
    std::istringstream in(**regions);
    std::string line;
    while (std::getline(in, line)) {
      ReservedRegion r;
      char type[32] = {};
      if (std::sscanf(line.c_str(), "0x%lx 0x%lx %31s", &r.start, &r.end, type) != 3) {
        g.problems.push_back(Error(Errc::malformed, (dir / "reserved_regions").string(),
                                   fmt::format("'{}' is not 'START END TYPE'", line)));
        continue;
      }
      r.type = type;
      g.reserved_regions.push_back(r);
    }
  }
}

}  // namespace

Result<IommuGroup> read_iommu_group(const SysfsRoot& root, unsigned id) {
  const auto dir = root.path() / "kernel/iommu_groups" / std::to_string(id);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return fail(Errc::not_found, dir.string(), "no such IOMMU group");
  IommuGroup g;
  g.id = id;
  read_group_dir(dir, g);
  return g;
}

std::vector<IommuGroup> read_iommu_groups(const SysfsRoot& root, std::vector<Error>& problems) {
  std::vector<IommuGroup> out;
  const auto base = root.path() / "kernel/iommu_groups";
  std::error_code ec;
  if (!std::filesystem::is_directory(base, ec)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(base, ec)) {
    const std::string name = entry.path().filename().string();
    IommuGroup g;
    auto [end, err] = std::from_chars(name.data(), name.data() + name.size(), g.id);
    if (err != std::errc() || end != name.data() + name.size()) {
      problems.push_back(Error(Errc::malformed, entry.path().string(), "not a group number"));
      continue;
    }
    read_group_dir(entry.path(), g);
    out.push_back(std::move(g));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

}  // namespace vfiokit::host
