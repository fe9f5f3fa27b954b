// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/deviceplugin/events/kubelet_dir_watch.hpp"

#include <errno.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cstring>

namespace vfiokit::deviceplugin {

Result<std::unique_ptr<KubeletDirWatch>> KubeletDirWatch::open(const std::filesystem::path& dir,
                                                               std::function<bool(const std::string&)> ours) {
  UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!fd.valid()) return fail(Error::from_errno(errno, "inotify", "cannot start watching the kubelet's directory"));
  if (::inotify_add_watch(fd.get(), dir.c_str(), IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | IN_ONLYDIR) < 0)
    return fail(
        Error::from_errno(errno, dir.string(), "cannot be watched (is it the kubelet's device-plugins directory?)"));
  return std::unique_ptr<KubeletDirWatch>(new KubeletDirWatch(std::move(fd), std::move(ours)));
}

Result<KubeletDirEvents> KubeletDirWatch::drain() {
  KubeletDirEvents out;
  alignas(inotify_event) std::array<char, 8192> buffer;
  for (;;) {
    const ssize_t n = ::read(fd_.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EAGAIN) return out;
      if (errno == EINTR) continue;
      return fail(Error::from_errno(errno, "inotify", "read failed"));
    }
    for (ssize_t at = 0; at < n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buffer.data() + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
      if (ev->mask & IN_Q_OVERFLOW) {
        out.kubelet_started = out.socket_removed = true;  // lost events: start over, as after a restart
        continue;
      }
      const std::string name = ev->len ? std::string(ev->name, ::strnlen(ev->name, ev->len)) : "";
      if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) && name == kKubeletSocket) out.kubelet_started = true;
      if ((ev->mask & (IN_DELETE | IN_MOVED_FROM)) && ours_(name)) out.socket_removed = true;
    }
  }
}

}  // namespace vfiokit::deviceplugin
