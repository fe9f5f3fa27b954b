#include "vfiokit/host/snapshot/snapshot_writer.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "vfiokit/host/devices/device_config.hpp"
#include "vfiokit/host/sysfs/file_io.hpp"
#include "vfiokit/host/tools/run_tool.hpp"

namespace vfiokit::host {
namespace {

// The attributes vfiokit reads (host/pci_function.cpp), and what the other
// commands will need.
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

class Capture {
 public:
  Capture(const SysfsRoot& root, std::filesystem::path out) : root_(root), out_(std::move(out)) {}

  Result<void> copy_file(const std::filesystem::path& from) {
    auto bytes = read_file_bytes(from, 1 << 20);
    if (!bytes) return std::unexpected(bytes.error());
    const auto to = mirror(from);
    std::filesystem::create_directories(to.parent_path());
    std::ofstream(to, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes->data()), static_cast<std::streamsize>(bytes->size()));
    ++files_;
    return {};
  }

  void copy_link(const std::filesystem::path& from) {
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(from, ec);
    if (ec) return;
    const auto to = mirror(from);
    std::filesystem::create_directories(to.parent_path());
    std::filesystem::create_symlink(target, to, ec);
    ++files_;
  }

  std::filesystem::path mirror(const std::filesystem::path& p) const {
    return out_ / "sys" / p.lexically_relative(root_.path());
  }
  size_t files() const { return files_; }

 private:
  const SysfsRoot& root_;
  std::filesystem::path out_;
  size_t files_ = 0;
};

}  // namespace

Result<SnapshotSummary> write_snapshot(const SysfsRoot& root, const std::filesystem::path& out_tarball) {
  std::string tmp = (std::filesystem::temp_directory_path() / "vfiokit-snapshot-XXXXXX").string();
  if (!::mkdtemp(tmp.data())) return std::unexpected(Error::from_errno(errno, tmp, "cannot create a directory"));
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } cleanup{tmp};

  Capture capture(root, tmp);
  SnapshotSummary summary;
  std::error_code ec;
  std::filesystem::directory_iterator devices(root.pci_devices(), ec);
  if (ec) return std::unexpected(Error::from_errno(ec.value(), root.pci_devices().string(), "cannot list PCI devices"));
  for (const auto& entry : devices) {
    capture.copy_link(entry.path());
    const auto real = std::filesystem::canonical(entry.path(), ec);
    if (ec) continue;  // a dangling link is kept as it is
    ++summary.functions;
    for (const char* attr : kAttributes)
      if (std::filesystem::exists(real / attr, ec))
        if (auto r = capture.copy_file(real / attr); !r) return std::unexpected(r.error());
    for (const char* link : kLinks) capture.copy_link(real / link);
    if (std::filesystem::is_directory(real / "vfio-dev", ec))
      for (const auto& v : std::filesystem::directory_iterator(real / "vfio-dev", ec))
        std::filesystem::create_directories(capture.mirror(v.path()));
    if (auto bdf = pci::Bdf::parse(entry.path().filename().string()))
      if (auto config = read_device_config(root, *bdf); config && config->limited_by_privilege)
        summary.config_limited = true;
  }
  const auto groups = root.path() / "kernel/iommu_groups";
  if (std::filesystem::is_directory(groups, ec)) {
    for (const auto& g : std::filesystem::directory_iterator(groups, ec)) {
      ++summary.groups;
      for (const char* attr : {"type", "reserved_regions"})
        if (std::filesystem::exists(g.path() / attr, ec))
          if (auto r = capture.copy_file(g.path() / attr); !r) return std::unexpected(r.error());
      std::filesystem::create_directories(capture.mirror(g.path() / "devices"));
      for (const auto& d : std::filesystem::directory_iterator(g.path() / "devices", ec)) capture.copy_link(d.path());
    }
  }
  summary.files = capture.files();
  if (auto r = run_tool({"tar", "-czf", out_tarball.string(), "-C", tmp, "sys"}, out_tarball.string()); !r)
    return std::unexpected(r.error());
  return summary;
}

}  // namespace vfiokit::host
