// SPDX-License-Identifier: Apache-2.0
// Where the plugin learns that the host changed, without polling: a file
// descriptor the daemon's loop waits on, and what the pending events mean.
// On the live host that is the kernel's uevents (events/uevent_socket); on
// a tree on disk (a snapshot under --sysfs-root or --simulate), inotify on
// the functions' directories (events/tree_watch), since no kernel sends
// uevents for those.
#pragma once

#include "vfiokit/base/error.hpp"

namespace vfiokit::deviceplugin {

struct PendingChanges {
  bool health = false;   // a driver or a device node may have changed: check every device's health
  bool devices = false;  // functions came or went: read the host again
};

class HostChanges {
 public:
  virtual ~HostChanges() = default;
  virtual int fd() const = 0;
  // Reads every pending event without blocking.
  virtual Result<PendingChanges> drain() = 0;
};

}  // namespace vfiokit::deviceplugin
