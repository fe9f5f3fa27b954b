// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/backend/group.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/vfio.h>

#include <algorithm>
#include <filesystem>

#include "vfiokit/host/sysfs/attr.hpp"
#include "vfiokit/vfio/internal/ioctl.hpp"

namespace vfiokit::vfio {

Result<unsigned> iommu_group_of(const host::SysfsRoot& root, const DeviceAddress& device) {
  const auto dir = device.sysfs_dir(root);
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec))
    return fail(Errc::not_found, device.str(), fmt::format("no such {}", device.kind_name()));
  const auto name = host::read_link_name(dir / "iommu_group");
  if (!name)
    return fail(Errc::not_found, device.str(),
                "has no IOMMU group (is the IOMMU on? boot with intel_iommu=on or amd_iommu=on)");
  unsigned group = 0;
  if (std::sscanf(name->c_str(), "%u", &group) != 1)
    return fail(Errc::malformed, (dir / "iommu_group").string(), "does not point to a group number");
  return group;
}

std::vector<HostBoundDevice> host_bound_members(const host::SysfsRoot& root, unsigned group) {
  std::vector<HostBoundDevice> out;
  std::error_code ec;
  const auto devices = root.path() / "kernel/iommu_groups" / std::to_string(group) / "devices";
  for (const auto& entry : std::filesystem::directory_iterator(devices, ec)) {
    auto bdf = pci::Bdf::parse(entry.path().filename().string());
    if (!bdf) continue;
    const auto driver = host::read_link_name(entry.path() / "driver");
    if (!driver || *driver == "vfio-pci" || *driver == "pci-stub" || *driver == "pcieport") continue;
    out.push_back({*bdf, *driver});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.bdf < b.bdf; });
  return out;
}

Error not_bound_error(const host::SysfsRoot& root, const DeviceAddress& device) {
  if (device.is_mdev())
    return Error(Errc::not_found, device.str(),
                 "has no VFIO driver bound (an mdev is bound to its parent's mdev driver when created)");
  const pci::Bdf bdf = *device.bdf();
  return Error(Errc::not_found, bdf.str(),
               fmt::format("is not bound to vfio-pci (driver: {}); bind it to vfio-pci first (vfiokit bind {})",
                           host::read_link_name(root.device_dir(bdf) / "driver").value_or("none"), bdf.str()));
}

Error not_viable_error(const host::SysfsRoot& root, unsigned group, int sys_errno) {
  const auto bound = host_bound_members(root, group);
  std::string who;
  for (const auto& d : bound) who += fmt::format("{}{} is bound to {}", who.empty() ? "" : ", ", d.bdf.str(), d.driver);
  if (who.empty()) who = "a member is still in use by a host driver";
  return Error(Errc::permission, fmt::format("IOMMU group {}", group),
               fmt::format("is not viable: {} (every endpoint of the group must be bound to vfio-pci or to no "
                           "driver; `vfiokit groups` shows the group)",
                           who),
               sys_errno);
}

std::string Group::node() const { return fmt::format("/dev/vfio/{}", id_); }

Result<Group> Group::open(unsigned id) {
  const std::string node = fmt::format("/dev/vfio/{}", id);
  const int fd = ::open(node.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT)
      return fail(Error(Errc::not_found, node,
                        fmt::format("does not exist: no member of IOMMU group {} is bound to vfio-pci", id), err));
    if (err == EBUSY)
      return fail(Error(Errc::permission, node, "is already open (another process, or this one, owns the group)", err));
    return fail(Error::from_errno(err, node, "cannot open"));
  }
  return Group(id, UniqueFd(fd));
}

Result<GroupStatus> Group::status() const {
  vfio_group_status st{.argsz = sizeof(st), .flags = 0};
  if (auto rc = checked_ioctl(fd(), VFIO_GROUP_GET_STATUS, &st, "VFIO_GROUP_GET_STATUS", node()); !rc)
    return fail(rc.error());
  return GroupStatus{bool(st.flags & VFIO_GROUP_FLAGS_VIABLE), bool(st.flags & VFIO_GROUP_FLAGS_CONTAINER_SET)};
}

}  // namespace vfiokit::vfio
