// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/deviceplugin/events/inotify_events.hpp"

#include <errno.h>
#include <unistd.h>

#include <array>

namespace vfiokit::deviceplugin {

Result<void> drain_inotify(int fd, const std::function<void(const inotify_event&)>& each) {
  // The kernel hands out whole events only, each with its name padded, and
  // fails a read too short for the next one (EINVAL): this buffer holds
  // many of the longest (NAME_MAX).
  alignas(inotify_event) std::array<char, 16384> buffer;
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EAGAIN) return {};
      if (errno == EINTR) continue;
      return fail(Error::from_errno(errno, "inotify", "read failed"));
    }
    for (ssize_t at = 0; at < n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buffer.data() + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
      each(*ev);
    }
  }
}

}  // namespace vfiokit::deviceplugin
