// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/archive/private_dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <utility>

namespace vfiokit::host {
namespace {

// A tree vfiokit made is at most ArchiveLimits::depth deep; the removal
// stops a little beyond, so that its stack (a small buffer per level) is
// bounded whatever is found.
constexpr int kMaxRemovalDepth = 80;

void remove_tree_below(int dir_fd, int depth) {
  if (depth > kMaxRemovalDepth) return;
  // Reading while entries are removed can skip some: read again until a
  // pass finds nothing left.
  for (bool removed_any = true; removed_any;) {
    removed_any = false;
    if (::lseek(dir_fd, 0, SEEK_SET) < 0) return;
    alignas(dirent64) char buffer[1024];
    for (;;) {
      const ssize_t n = ::getdents64(dir_fd, buffer, sizeof buffer);
      if (n <= 0) break;
      for (ssize_t at = 0; at < n;) {
        const auto* d = reinterpret_cast<const dirent64*>(buffer + at);
        at += d->d_reclen;
        if (std::strcmp(d->d_name, ".") == 0 || std::strcmp(d->d_name, "..") == 0) continue;
        if (::unlinkat(dir_fd, d->d_name, 0) == 0) {
          removed_any = true;
          continue;
        }
        const int child = ::openat(dir_fd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (child < 0) continue;
        remove_tree_below(child, depth + 1);
        ::close(child);
        if (::unlinkat(dir_fd, d->d_name, AT_REMOVEDIR) == 0) removed_any = true;
      }
    }
  }
}

// The directories to remove if a signal ends the process: fixed slots, so
// the handler reads them without locks or allocation.
constexpr int kSlots = 16;
std::array<std::atomic<int>, kSlots> g_parent_fds{};  // the directory holding each, or -1
std::array<std::array<char, 64>, kSlots> g_names{};   // its name there
std::array<std::atomic<bool>, kSlots> g_used{};
std::once_flag g_handlers_installed;
constexpr std::array kCleanupSignals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};

void on_signal(int sig) {
  const int saved = errno;
  for (int i = 0; i < kSlots; ++i)
    if (g_used[i].load()) {
      const int parent = g_parent_fds[i].load();
      if (parent >= 0) remove_tree_at(parent, g_names[i].data());
    }
  errno = saved;
  // Then end as the signal would have: default action, raised again.
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_handlers() {
  for (int sig : kCleanupSignals) {
    struct sigaction old {};
    // Only where nobody else has chosen: a program linking the library may
    // handle (or ignore) these signals itself.
    if (::sigaction(sig, nullptr, &old) != 0 || old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO)) continue;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(sig, &sa, nullptr);
  }
}

int claim_slot(int parent_fd, const std::string& name) {
  std::call_once(g_handlers_installed, install_handlers);
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (!g_used[i].compare_exchange_strong(expected, true)) continue;
    g_parent_fds[i].store(-1);
    std::strncpy(g_names[i].data(), name.c_str(), g_names[i].size() - 1);
    g_parent_fds[i].store(parent_fd);
    return i;
  }
  return -1;  // more than kSlots at once: removed by the destructor only
}

void release_slot(int slot) {
  if (slot < 0) return;
  const int parent = g_parent_fds[slot].exchange(-1);
  g_used[slot].store(false);
  if (parent >= 0) ::close(parent);
}

}  // namespace

void remove_tree_at(int dir_fd, const char* name) {
  if (::unlinkat(dir_fd, name, 0) == 0) return;  // a file or a link
  const int fd = ::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  remove_tree_below(fd, 0);
  ::close(fd);
  ::unlinkat(dir_fd, name, AT_REMOVEDIR);
}

Result<PrivateDir> PrivateDir::create() {
  const char* tmpdir = ::secure_getenv("TMPDIR");
  std::string base = tmpdir && *tmpdir == '/' ? tmpdir : "/tmp";
  std::string templ = base + "/vfiokit-snapshot-XXXXXX";
  // mkdtemp makes it 0700 and exclusively: nothing planted there is used.
  if (!::mkdtemp(templ.data())) return std::unexpected(Error::from_errno(errno, templ, "cannot create a directory"));
  const int fd = ::open(templ.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  const int parent = ::open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || parent < 0) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    if (parent >= 0) ::close(parent);
    ::rmdir(templ.c_str());
    return std::unexpected(Error::from_errno(err, templ, "cannot open the directory"));
  }
  const std::filesystem::path path(templ);
  const int slot = claim_slot(parent, path.filename().string());
  if (slot < 0) ::close(parent);
  return PrivateDir(path, fd, slot);
}

PrivateDir::PrivateDir(PrivateDir&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)), slot_(std::exchange(other.slot_, -1)) {}

PrivateDir::~PrivateDir() {
  if (fd_ < 0) return;
  remove_tree_below(fd_, 0);
  ::close(fd_);
  ::rmdir(path_.c_str());
  release_slot(slot_);
}

}  // namespace vfiokit::host
