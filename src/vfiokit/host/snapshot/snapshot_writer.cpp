// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/snapshot/snapshot_writer.hpp"

#include <fmt/format.h>

#include <array>
#include <set>

#include "vfiokit/host/archive/archive_writer.hpp"
#include "vfiokit/host/archive/tree_path.hpp"
#include "vfiokit/host/archive/tree_writer.hpp"
#include "vfiokit/host/devices/host_apertures.hpp"
#include "vfiokit/host/sysfs/dir.hpp"

namespace vfiokit::host {
namespace {

// The attributes vfiokit reads (host/devices/function_attributes.cpp), and
// what the other commands will need.
constexpr std::array<const char*, 35> kAttributes = {"config",
                                                     "uevent",
                                                     "vendor",
                                                     "device",
                                                     "subsystem_vendor",
                                                     "subsystem_device",
                                                     "class",
                                                     "revision",
                                                     "resource",
                                                     "irq",
                                                     "numa_node",
                                                     "driver_override",
                                                     "reset_method",
                                                     "power_state",
                                                     "d3cold_allowed",
                                                     "enable",
                                                     "msi_bus",
                                                     "sriov_totalvfs",
                                                     "sriov_numvfs",
                                                     "sriov_offset",
                                                     "sriov_stride",
                                                     "sriov_vf_device",
                                                     "resource0_resize",
                                                     "resource1_resize",
                                                     "resource2_resize",
                                                     "resource3_resize",
                                                     "resource4_resize",
                                                     "resource5_resize",
                                                     "current_link_speed",
                                                     "current_link_width",
                                                     "max_link_speed",
                                                     "max_link_width",
                                                     "secondary_bus_number",
                                                     "subordinate_bus_number",
                                                     "boot_vga"};
constexpr std::array<const char*, 3> kLinks = {"driver", "iommu_group", "physfn"};
constexpr size_t kFileLimit = 1 << 20;

// Where a link at `dir` (components below the root) that stays inside
// leads: its ".." components climb `dir`, its names descend.
std::vector<std::string> resolve(std::vector<std::string> dir, const std::string& target) {
  // link_stays_inside has checked that the ".."s do not climb past the root.
  for (const auto part : path_components(target)) {
    if (part == "..") dir.pop_back();
    else dir.emplace_back(part);
  }
  return dir;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out = "sys";
  for (const auto& p : parts) out += "/" + p;
  return out;
}

// Out: ArchiveWriter or TreeWriter, which take the same entries.
template <class Out>
class Capture {
 public:
  Capture(const SysfsRoot& root, Out& out, SnapshotSummary& summary) : root_(root), out_(out), summary_(summary) {}

  // The directories above `parts` and `parts` itself, each once.
  Result<void> dirs(const std::vector<std::string>& parts) {
    std::vector<std::string> at;
    if (auto r = dir_once(at); !r) return r;
    for (const auto& p : parts) {
      at.push_back(p);
      if (auto r = dir_once(at); !r) return r;
    }
    return {};
  }

  // A link of `dir` (at `where` below the root), kept when it stays inside.
  // Returns where it leads, or nothing when there is no such link.
  Result<std::optional<std::vector<std::string>>> link(const SysfsDir& dir, const std::vector<std::string>& where,
                                                       const std::string& name) {
    const auto target = dir.link_target(name);
    if (!target) return std::optional<std::vector<std::string>>();
    if (!link_stays_inside(*target, where.size())) {
      summary_.skipped.push_back(Error(Errc::malformed, dir / name, "a link that leaves the tree; left out"));
      return std::optional<std::vector<std::string>>();
    }
    auto path = where;
    path.push_back(name);
    if (auto r = out_.add_link(joined(path), *target); !r) return std::unexpected(r.error());
    ++summary_.files;
    return std::optional(resolve(where, *target));
  }

  Result<void> file(const SysfsDir& dir, const std::vector<std::string>& where, const char* name,
                    bool* limited = nullptr) {
    size_t size = 0;
    auto bytes = dir.read(name, kFileLimit, &size);
    if (!bytes) {
      summary_.skipped.push_back(bytes.error());
      return {};
    }
    if (!*bytes) return {};
    if (limited) *limited = size > (*bytes)->size();
    auto path = where;
    path.push_back(name);
    if (auto r = out_.add_file(joined(path), **bytes); !r) return r;
    ++summary_.files;
    return {};
  }

  Result<std::optional<SysfsDir>> open(const std::vector<std::string>& parts) {
    std::filesystem::path p = root_.path();
    for (const auto& part : parts) p /= part;
    auto dir = SysfsDir::open(p);
    if (!dir) {
      summary_.skipped.push_back(dir.error());
      return std::optional<SysfsDir>();
    }
    return std::optional<SysfsDir>(std::move(*dir));
  }

 private:
  Result<void> dir_once(const std::vector<std::string>& parts) {
    const auto path = joined(parts);
    if (!added_.insert(path).second) return {};
    return out_.add_dir(path);
  }

  const SysfsRoot& root_;
  Out& out_;
  SnapshotSummary& summary_;
  std::set<std::string> added_;
};

template <class Out>
Result<void> capture_function(Capture<Out>& capture, const std::vector<std::string>& where, SnapshotSummary& summary) {
  auto dir = capture.open(where);
  if (!dir) return std::unexpected(dir.error());
  if (!*dir) return {};
  ++summary.functions;
  if (auto r = capture.dirs(where); !r) return r;
  for (const char* attr : kAttributes) {
    bool limited = false;
    if (auto r = capture.file(**dir, where, attr, &limited); !r) return r;
    if (limited) summary.config_limited = true;
  }
  for (const char* link : kLinks)
    if (auto r = capture.link(**dir, where, link); !r) return std::unexpected(r.error());
  // vfio-dev/vfioN: which cdev a function bound to vfio-pci has.
  if (auto vfio = (*dir)->open_child("vfio-dev")) {
    auto entries = vfio->list();
    if (entries)
      for (const auto& e : *entries) {
        auto at = where;
        at.push_back("vfio-dev");
        at.push_back(e.name);
        if (e.is_dir)
          if (auto r = capture.dirs(at); !r) return r;
      }
  }
  return {};
}

template <class Out>
Result<void> capture_groups(Capture<Out>& capture, SnapshotSummary& summary) {
  const std::vector<std::string> base = {"kernel", "iommu_groups"};
  auto groups = capture.open(base);
  if (!groups) return std::unexpected(groups.error());
  if (!*groups) return {};
  auto entries = (*groups)->list();
  if (!entries) return {};
  for (const auto& g : *entries) {
    if (!g.is_dir) continue;
    auto where = base;
    where.push_back(g.name);
    auto dir = capture.open(where);
    if (!dir) return std::unexpected(dir.error());
    if (!*dir) continue;
    ++summary.groups;
    if (auto r = capture.dirs(where); !r) return r;
    for (const char* attr : {"type", "reserved_regions"})
      if (auto r = capture.file(**dir, where, attr); !r) return r;
    where.push_back("devices");
    auto devices = capture.open(where);
    if (!devices) return std::unexpected(devices.error());
    if (!*devices) continue;
    if (auto r = capture.dirs(where); !r) return r;
    auto members = (*devices)->list();
    if (!members) continue;
    for (const auto& m : *members)
      if (auto r = capture.link(**devices, where, m.name); !r) return std::unexpected(r.error());
  }
  return {};
}

// class/net and class/block: their links name the function below which
// each interface and disk lives (host/devices/class_devices.hpp).
template <class Out>
Result<void> capture_class_links(Capture<Out>& capture, const char* cls) {
  const std::vector<std::string> where = {"class", cls};
  auto dir = capture.open(where);
  if (!dir) return std::unexpected(dir.error());
  if (!*dir) return {};
  if (auto r = capture.dirs(where); !r) return r;
  auto entries = (*dir)->list();
  if (!entries) return {};
  for (const auto& e : *entries)
    if (auto r = capture.link(**dir, where, e.name); !r) return std::unexpected(r.error());
  return {};
}

std::string pci_alias_lines(std::string_view text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    if (line.starts_with("alias pci:")) out.append(line).push_back('\n');
    start = end + 1;
  }
  return out;
}

template <class Out>
Result<SnapshotSummary> capture_into(const SysfsRoot& root, Result<Out> out,
                                     const std::optional<std::string>& modules_alias,
                                     const std::optional<std::string>& iomem) {
  if (!out) return std::unexpected(out.error());
  SnapshotSummary summary;
  Capture capture(root, *out, summary);
  const std::vector<std::string> bus = {"bus", "pci", "devices"};
  auto devices = SysfsDir::open(root.pci_devices());
  if (!devices) return std::unexpected(devices.error());
  auto entries = devices->list();
  if (!entries) return std::unexpected(entries.error());
  if (auto r = capture.dirs(bus); !r) return std::unexpected(r.error());
  std::set<std::string> captured;
  for (const auto& entry : *entries) {
    // bus/pci/devices/BDF links to the function's directory: the function
    // is captured where its link leads, if the link stays inside.
    auto leads = capture.link(*devices, bus, entry.name);
    if (!leads) return std::unexpected(leads.error());
    // Two links to one directory capture it once.
    if (*leads && captured.insert(joined(**leads)).second)
      if (auto r = capture_function(capture, **leads, summary); !r) return std::unexpected(r.error());
  }
  if (auto r = capture_groups(capture, summary); !r) return std::unexpected(r.error());
  for (const char* cls : {"net", "block"})
    if (auto r = capture_class_links(capture, cls); !r) return std::unexpected(r.error());
  if (modules_alias)
    if (auto r = out->add_file("modules.alias", pci_alias_lines(*modules_alias)); !r) return std::unexpected(r.error());
  if (iomem && !parse_host_apertures(*iomem).empty())
    if (auto r = out->add_file("iomem", pci_aperture_lines(*iomem)); !r) return std::unexpected(r.error());
  if (auto r = out->finish(); !r) return std::unexpected(r.error());
  return summary;
}

}  // namespace

Result<SnapshotSummary> write_snapshot(const SysfsRoot& root, const std::filesystem::path& out_tarball,
                                       const std::optional<std::string>& modules_alias,
                                       const std::optional<std::string>& iomem) {
  return capture_into(root, ArchiveWriter::create(out_tarball), modules_alias, iomem);
}

Result<SnapshotSummary> write_snapshot_directory(const SysfsRoot& root, const std::filesystem::path& out_dir,
                                                 const std::optional<std::string>& modules_alias,
                                                 const std::optional<std::string>& iomem) {
  return capture_into(root, TreeWriter::create(out_dir), modules_alias, iomem);
}

}  // namespace vfiokit::host
