// SPDX-License-Identifier: Apache-2.0
// The kernel's uevents, on a NETLINK_KOBJECT_UEVENT socket joined to the
// kernel's multicast group 1. Only messages the kernel sent are taken
// (sender port 0): anyone may send to a netlink multicast group a process
// listens on, and udev re-sends on group 2 in its own format.
#pragma once

#include <memory>

#include "vfiokit/base/unique_fd.hpp"
#include "vfiokit/deviceplugin/events/host_changes.hpp"

namespace vfiokit::deviceplugin {

class UeventSocket : public HostChanges {
 public:
  static Result<std::unique_ptr<UeventSocket>> open();
  int fd() const override { return fd_.get(); }
  // A receive queue that overflowed (ENOBUFS: events were lost) asks for a
  // full read of the host, which is the truth the events only point at.
  Result<PendingChanges> drain() override;

 private:
  explicit UeventSocket(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace vfiokit::deviceplugin
