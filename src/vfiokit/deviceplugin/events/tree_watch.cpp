// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/deviceplugin/events/tree_watch.hpp"

#include <errno.h>
#include <sys/inotify.h>

#include <filesystem>

#include "vfiokit/deviceplugin/events/inotify_events.hpp"

namespace vfiokit::deviceplugin {

namespace {
constexpr uint32_t kFunctionEvents = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF;
constexpr size_t kMaxWatches = 65536;  // far above any host's functions; the kernel's own cap is lower by default
}  // namespace

Result<std::unique_ptr<TreeWatch>> TreeWatch::open(const host::SysfsRoot& root) {
  UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!fd.valid()) return fail(Error::from_errno(errno, "inotify", "cannot start watching the tree"));
  std::unique_ptr<TreeWatch> w(new TreeWatch(std::move(fd), root));
  w->devices_watch_ = ::inotify_add_watch(w->fd_.get(), root.pci_devices().c_str(),
                                          IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR);
  if (w->devices_watch_ < 0) return fail(Error::from_errno(errno, root.pci_devices().string(), "cannot be watched"));
  if (auto ok = w->watch_functions(); !ok) return fail(ok.error());
  return w;
}

Result<void> TreeWatch::watch_functions() {
  std::error_code ec;
  size_t watched = 0;
  for (const auto& e : std::filesystem::directory_iterator(root_.pci_devices(), ec)) {
    if (++watched > kMaxWatches)
      return fail(Errc::out_of_range, root_.pci_devices().string(), "holds too many functions");
    // The entries are links to the functions' directories and are
    // followed: a watch only reports names, so a link planted to point
    // out of the tree can cause an extra look at the tree, nothing more.
    // Adding a watch that exists already only updates its mask.
    if (::inotify_add_watch(fd_.get(), e.path().c_str(), kFunctionEvents | IN_ONLYDIR) < 0 && errno != ENOENT)
      return fail(Error::from_errno(errno, e.path().string(), "cannot be watched"));
  }
  if (ec) return fail(Error::from_errno(ec.value(), root_.pci_devices().string(), "cannot be listed"));
  return {};
}

Result<PendingChanges> TreeWatch::drain() {
  PendingChanges out;
  auto ok = drain_inotify(fd_.get(), [&](const inotify_event& ev) {
    if ((ev.mask & IN_Q_OVERFLOW) || ev.wd == devices_watch_) out.devices = out.health = true;
    else out.health = true;
  });
  if (!ok) return fail(ok.error());
  if (out.devices)
    if (auto watched = watch_functions(); !watched) return fail(watched.error());
  return out;
}

}  // namespace vfiokit::deviceplugin
