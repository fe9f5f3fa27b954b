// SPDX-License-Identifier: Apache-2.0
// VFIO groups (/dev/vfio/N): the unit of ownership on the legacy path. The
// kernel refuses a group that is not viable with a bare EPERM; vfiokit names
// the devices that make it so.
#pragma once

#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/sysfs/root.hpp"
#include "vfiokit/pci/bdf.hpp"
#include "vfiokit/vfio/device_address.hpp"
#include "vfiokit/vfio/unique_fd.hpp"

namespace vfiokit::vfio {

// The IOMMU group of a function or mdev, from its iommu_group link.
Result<unsigned> iommu_group_of(const host::SysfsRoot& root, const DeviceAddress& device);

// "0000:01:00.0: is not bound to vfio-pci (driver: e1000e); ...": said
// before any VFIO node is touched, the most common mistake.
Error not_bound_error(const host::SysfsRoot& root, const DeviceAddress& device);

struct HostBoundDevice {
  pci::Bdf bdf;
  std::string driver;
};

// Members of the group bound to a driver that uses the kernel's DMA API:
// anything but vfio-pci, pci-stub and pcieport (the drivers the kernel's
// vfio viability check accepts) or no driver at all.
std::vector<HostBoundDevice> host_bound_members(const host::SysfsRoot& root, unsigned group);

// The error for a group the kernel called not viable (or refused with EPERM):
// "group 7 is not viable: 0000:01:00.0 is bound to e1000e ...".
Error not_viable_error(const host::SysfsRoot& root, unsigned group, int sys_errno);

struct GroupStatus {
  bool viable = false;
  bool container_set = false;
};

class Group {
 public:
  // Opens /dev/vfio/N; a missing node means no member is bound to vfio-pci.
  static Result<Group> open(unsigned id);

  unsigned id() const { return id_; }
  int fd() const { return fd_.get(); }
  std::string node() const;
  Result<GroupStatus> status() const;

 private:
  Group(unsigned id, UniqueFd fd) : id_(id), fd_(std::move(fd)) {}
  unsigned id_;
  UniqueFd fd_;
};

}  // namespace vfiokit::vfio
