// SPDX-License-Identifier: Apache-2.0
// Changes to a sysfs tree on disk (a snapshot the plugin reads with
// --sysfs-root, or a simulated host `vfiokit bind --simulate` acts on):
// inotify on ROOT/bus/pci/devices (functions come and go) and on every
// function's own directory (its `driver` link and vfio-dev appear and go
// when it binds and unbinds). The live /sys sends no inotify events for
// what the kernel changes; there the kernel's uevents are used.
#pragma once

#include <memory>
#include <vector>

#include "vfiokit/base/unique_fd.hpp"
#include "vfiokit/deviceplugin/events/host_changes.hpp"
#include "vfiokit/host/sysfs/root.hpp"

namespace vfiokit::deviceplugin {

class TreeWatch : public HostChanges {
 public:
  static Result<std::unique_ptr<TreeWatch>> open(const host::SysfsRoot& root);
  int fd() const override { return fd_.get(); }
  Result<PendingChanges> drain() override;

 private:
  TreeWatch(UniqueFd fd, host::SysfsRoot root) : fd_(std::move(fd)), root_(std::move(root)) {}
  // Watches every function's directory that exists now (again after
  // functions came or went: a watch ends with its directory).
  Result<void> watch_functions();
  UniqueFd fd_;
  host::SysfsRoot root_;
  int devices_watch_ = -1;
};

}  // namespace vfiokit::deviceplugin
