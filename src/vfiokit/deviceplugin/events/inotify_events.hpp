// SPDX-License-Identifier: Apache-2.0
// Every event pending on a non-blocking inotify descriptor, read without
// waiting; what each means is the caller's (events/tree_watch,
// events/kubelet_dir_watch).
#pragma once

#include <sys/inotify.h>

#include <functional>

#include "vfiokit/base/error.hpp"

namespace vfiokit::deviceplugin {

Result<void> drain_inotify(int fd, const std::function<void(const inotify_event&)>& each);

}  // namespace vfiokit::deviceplugin
