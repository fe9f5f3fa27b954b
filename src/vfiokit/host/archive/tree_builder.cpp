// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/archive/tree_builder.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vfiokit/base/printable.hpp"
#include "vfiokit/host/archive/tree_path.hpp"

namespace vfiokit::host {

std::string TreeBuilder::subject(const std::string& path) const {
  return fmt::format("{}: {}", name_, printable(path));
}

std::unexpected<Error> TreeBuilder::refuse(const std::string& path, const std::string& why) const {
  return fail(Errc::malformed, subject(path), why);
}

Result<int> TreeBuilder::open_parent(const std::vector<std::string>& dirs, const std::string& path) {
  if (dirs == parent_path_ && parent_fd_.valid()) return parent_fd_.get();
  UniqueFd at(::dup(root_fd_));
  if (!at.valid()) return std::unexpected(Error::from_errno(errno, subject(path), "cannot open its directory"));
  for (const auto& d : dirs) {
    if (::mkdirat(at.get(), d.c_str(), dir_mode_) != 0 && errno != EEXIST)
      return std::unexpected(Error::from_errno(errno, subject(path), "cannot create a directory"));
    UniqueFd next(::openat(at.get(), d.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid())
      return refuse(path, errno == ELOOP || errno == ENOTDIR ? "lies below a link or a file, not a directory"
                                                             : "cannot open its directory");
    at = std::move(next);
  }
  parent_fd_ = std::move(at);
  parent_path_ = dirs;
  return parent_fd_.get();
}

Result<void> TreeBuilder::make_dir(int parent, const std::string& leaf, const std::string& path) {
  if (::mkdirat(parent, leaf.c_str(), dir_mode_) == 0) return {};
  struct stat st {};
  if (errno == EEXIST && ::fstatat(parent, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
    return {};
  return refuse(path, "a directory where another entry is already");
}

Result<UniqueFd> TreeBuilder::create_file(int parent, const std::string& leaf, const std::string& path) {
  UniqueFd out(::openat(parent, leaf.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, file_mode_));
  if (!out.valid())
    return std::unexpected(
        Error::from_errno(errno, subject(path), errno == EEXIST ? "appears twice" : "cannot create the file"));
  return out;
}

Result<void> TreeBuilder::write_all(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t w = ::write(fd, bytes.data(), bytes.size());
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return std::unexpected(Error::from_errno(errno, subject(path), "cannot write"));
    bytes.remove_prefix(static_cast<size_t>(w));
  }
  return {};
}

Result<void> TreeBuilder::make_link(int parent, const std::string& leaf, const std::string& target, size_t depth,
                                    const std::string& path) {
  if (!link_stays_inside(target, depth))
    return refuse(path, fmt::format("a link to '{}' leaves the snapshot", printable(target)));
  if (::symlinkat(target.c_str(), parent, leaf.c_str()) != 0)
    return std::unexpected(
        Error::from_errno(errno, subject(path), errno == EEXIST ? "appears twice" : "cannot create the link"));
  return {};
}

}  // namespace vfiokit::host
