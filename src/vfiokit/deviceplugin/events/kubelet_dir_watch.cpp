// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/deviceplugin/events/kubelet_dir_watch.hpp"

#include <errno.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cstring>

#include "vfiokit/deviceplugin/events/inotify_events.hpp"

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
  auto ok = drain_inotify(fd_.get(), [&](const inotify_event& ev) {
    if (ev.mask & IN_Q_OVERFLOW) {
      out.kubelet_started = out.socket_removed = true;  // lost events: start over, as after a restart
      return;
    }
    const std::string name = ev.len ? std::string(ev.name, ::strnlen(ev.name, ev.len)) : "";
    if ((ev.mask & (IN_CREATE | IN_MOVED_TO)) && name == kKubeletSocket) out.kubelet_started = true;
    if ((ev.mask & (IN_DELETE | IN_MOVED_FROM)) && ours_(name)) out.socket_removed = true;
  });
  if (!ok) return fail(ok.error());
  return out;
}

}  // namespace vfiokit::deviceplugin
