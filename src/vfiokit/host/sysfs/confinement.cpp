// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/sysfs/confinement.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <mutex>
#include <vector>

namespace vfiokit::host {
namespace {

std::mutex g_mutex;
std::vector<std::shared_ptr<const Confinement>> g_trees;  // few: one per open source

std::optional<std::string> fd_path(int fd) {
  std::array<char, 4096> buf;
  const std::string proc = fmt::format("/proc/self/fd/{}", fd);
  const ssize_t n = ::readlink(proc.c_str(), buf.data(), buf.size());
  if (n <= 0 || static_cast<size_t>(n) == buf.size()) return std::nullopt;
  return std::string(buf.data(), static_cast<size_t>(n));
}

bool below(std::string_view path, std::string_view root) {
  return path == root || (path.starts_with(root) && (root == "/" || path[root.size()] == '/'));
}

Error not_regular(const std::string& subject, mode_t mode) {
  const char* what = S_ISLNK(mode)                    ? "a symbolic link"
                     : S_ISFIFO(mode)                 ? "a FIFO"
                     : S_ISCHR(mode) || S_ISBLK(mode) ? "a device node"
                     : S_ISDIR(mode)                  ? "a directory"
                                                      : "not a regular file";
  return Error(Errc::malformed, subject, fmt::format("{} where an attribute file belongs; not read", what));
}

// A regular file or, when the open was meant for one, an error naming what
// is there instead. Consumes `fd` on failure.
Result<int> require_regular(int fd, const std::string& subject) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return std::unexpected(Error::from_errno(err, subject, "cannot open"));
  }
  if (S_ISREG(st.st_mode)) return fd;
  ::close(fd);
  return std::unexpected(not_regular(subject, st.st_mode));
}

Result<int> opened_or_error(int fd, int flags, const std::string& subject) {
  if (fd >= 0) return (flags & O_DIRECTORY) ? Result<int>(fd) : require_regular(fd, subject);
  const int err = errno;
  if (err == ELOOP && !(flags & O_DIRECTORY)) return std::unexpected(not_regular(subject, S_IFLNK));
  if (err == EXDEV) return fail(Errc::permission, subject, "leads out of the tree through a link; not followed");
  return std::unexpected(
      Error::from_errno(err, subject, (flags & O_DIRECTORY) ? "cannot open the directory" : "cannot open"));
}

}  // namespace

Result<std::shared_ptr<const Confinement>> Confinement::open(const std::filesystem::path& root) {
  std::error_code ec;
  auto absolute = std::filesystem::absolute(root, ec).lexically_normal().string();
  if (ec) return std::unexpected(Error::from_errno(ec.value(), root.string(), "cannot open the directory"));
  while (absolute.size() > 1 && absolute.back() == '/') absolute.pop_back();
  const int fd = ::open(absolute.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(Error::from_errno(errno, absolute, "cannot open the directory"));
  auto real = fd_path(fd);
  if (!real) {
    ::close(fd);
    return fail(Errc::io, absolute, "cannot tell where the directory is");
  }
  return std::shared_ptr<const Confinement>(new Confinement(std::move(absolute), std::move(*real), fd));
}

Confinement::~Confinement() { ::close(fd_); }

std::optional<std::string_view> Confinement::relative(std::string_view path) const {
  if (!below(path, root_)) return std::nullopt;
  path.remove_prefix(std::min(path.size(), root_.size() + (root_ == "/" ? 0 : 1)));
  return path;
}

namespace {

// openat2(2): with RESOLVE_BENEATH the kernel fails with EAGAIN when a
// rename or mount anywhere on the system raced the resolution of a path
// (it cannot then prove that ".." stayed beneath), and says the caller may
// retry. Parallel work renaming directories (a simulation's remove) makes
// that happen; a few retries get a settled answer.
int openat2_retrying(int dir_fd, const char* path, const open_how& how) {
  int fd = -1;
  for (int attempt = 0; attempt < 64; ++attempt) {
    fd = static_cast<int>(::syscall(SYS_openat2, dir_fd, path, &how, sizeof how));
    if (fd >= 0 || errno != EAGAIN) break;
  }
  return fd;
}

}  // namespace

Result<int> Confinement::open_beneath(std::string_view relative, int flags, const std::string& subject) const {
  const std::string rel = relative.empty() ? "." : std::string(relative);
  // O_PATH takes no other flags but these (openat2 refuses the rest).
  flags |= (flags & O_PATH) ? O_CLOEXEC : O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  if (!(flags & O_DIRECTORY)) flags |= O_NOFOLLOW;
  open_how how{};
  how.flags = static_cast<uint64_t>(flags);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  int fd = openat2_retrying(fd_, rel.c_str(), how);
  if (fd < 0 && errno == ENOSYS) {
    // Before Linux 5.6: open, then ask where the descriptor landed.
    fd = ::openat(fd_, rel.c_str(), flags);
    if (fd >= 0) {
      const auto where = fd_path(fd);
      if (!where || !below(*where, real_root_)) {
        ::close(fd);
        errno = EXDEV;
        fd = -1;
      }
    }
  }
  return opened_or_error(fd, flags, subject);
}

Result<int> Confinement::open_file_in(int dir_fd, const char* name, const std::function<std::string()>& subject) {
  const int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW;
  const int fd = ::openat(dir_fd, name, flags);
  if (fd >= 0) return fd;  // its type is asked only when a read finds nothing (check_regular)
  const int err = errno;
  const std::string named = subject();
  errno = err;  // opened_or_error tells the failure by errno
  return opened_or_error(fd, flags, named);
}

std::optional<Error> Confinement::check_regular(int fd, const std::string& subject) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Error::from_errno(errno, subject, "cannot read");
  if (S_ISREG(st.st_mode)) return std::nullopt;
  return not_regular(subject, st.st_mode);
}

Result<int> Confinement::open_child_dir(int parent_fd, const char* name, std::string_view relative,
                                        const std::string& subject) const {
  // Beneath the parent first: one path component, as a real subdirectory
  // is. A link that climbs out of the parent (bus/pci/devices/BDF) is then
  // resolved from the root, beneath it.
  open_how how{};
  how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  const int fd = openat2_retrying(parent_fd, name, how);
  if (fd >= 0) return fd;
  if (errno != EXDEV && errno != ENOSYS) return opened_or_error(fd, O_DIRECTORY, subject);
  return open_beneath(relative, O_RDONLY | O_DIRECTORY, subject);
}

ConfinedTree::ConfinedTree(std::shared_ptr<const Confinement> confinement) : confinement_(std::move(confinement)) {
  const std::lock_guard lock(g_mutex);
  g_trees.push_back(confinement_);
}

ConfinedTree::~ConfinedTree() {
  if (!confinement_) return;
  const std::lock_guard lock(g_mutex);
  std::erase(g_trees, confinement_);
}

std::shared_ptr<const Confinement> confinement_of(const std::filesystem::path& path, std::string* normal) {
  {
    const std::lock_guard lock(g_mutex);
    if (g_trees.empty()) return nullptr;
  }
  // As written first: a ".." in it is then resolved by the kernel beneath
  // the root, never lexically out of it. Then normalized ("rel/./sys").
  const std::string raw = path.is_absolute() ? path.string() : std::filesystem::absolute(path).string();
  const std::string tidy = std::filesystem::path(raw).lexically_normal().string();
  const std::lock_guard lock(g_mutex);
  // The innermost tree: one may lie inside another.
  std::shared_ptr<const Confinement> best;
  const std::string* best_path = nullptr;
  for (const std::string* p : {&raw, &tidy}) {
    for (const auto& t : g_trees)
      if (t->relative(*p) && (!best || t->root().size() > best->root().size())) best = t, best_path = p;
    if (best) break;
  }
  if (best && normal) *normal = *best_path;
  return best;
}

Result<int> open_for_reading(const std::filesystem::path& path, int flags) {
  std::string normal;
  if (auto c = confinement_of(path, &normal)) return c->open_beneath(*c->relative(normal), flags, path.string());
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return std::unexpected(
        Error::from_errno(errno, path.string(), (flags & O_DIRECTORY) ? "cannot open the directory" : "cannot open"));
  return fd;
}

}  // namespace vfiokit::host
