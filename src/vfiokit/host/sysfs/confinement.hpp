// SPDX-License-Identifier: Apache-2.0
// A sysfs-like tree that someone else handed vfiokit (any --sysfs-root
// directory, an unpacked snapshot archive), confined for as long as it is
// open: every read below its root, by any part of vfiokit, is resolved by
// the kernel beneath the root (openat2 RESOLVE_BENEATH), so no link in the
// tree leads out of it, and an attribute must be reached without a link at
// its end (O_NOFOLLOW | O_NONBLOCK: a link is not followed, a FIFO never
// blocks and is named when its read finds nothing). What breaks
// these rules is a problem of the device it belongs to, named but never
// followed and never printed.
//
// The live /sys is the kernel's own and is read as it is.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vfiokit/base/error.hpp"

namespace vfiokit::host {

class Confinement {
 public:
  // `root` must be a directory; it is made absolute and opened now.
  static Result<std::shared_ptr<const Confinement>> open(const std::filesystem::path& root);
  ~Confinement();
  Confinement(const Confinement&) = delete;
  Confinement& operator=(const Confinement&) = delete;

  const std::string& root() const { return root_; }
  // The part of an absolute, normal `path` below the root ("" for the root
  // itself), or nullopt when it is not below it.
  std::optional<std::string_view> relative(std::string_view path) const;

  // Opens `relative` beneath the root. A directory (O_DIRECTORY in `flags`)
  // may be reached through links that stay beneath; anything else must be
  // a regular file with no link at its end. The error names `subject`.
  Result<int> open_beneath(std::string_view relative, int flags, const std::string& subject) const;
  // A file of a directory of the tree, one path component: opened with
  // O_NOFOLLOW | O_NONBLOCK (a link is refused, a FIFO never blocks) and
  // without asking its type, which would cost a system call per attribute
  // of every function. The reader asks check_regular when a read comes back
  // empty or failed, which is what a FIFO or a directory gives. (A device
  // node gives data; only root can make one, and an unpacked archive never
  // holds one.) The subject is made only for an error.
  static Result<int> open_file_in(int dir_fd, const char* name, const std::function<std::string()>& subject);
  // nullopt for a regular file; else an error naming what is there.
  static std::optional<Error> check_regular(int fd, const std::string& subject);
  // A subdirectory `name` of the open directory `parent_fd`, whose path
  // below the root is `relative`: beneath the parent when it is there,
  // else resolved from the root, beneath it.
  Result<int> open_child_dir(int parent_fd, const char* name, std::string_view relative,
                             const std::string& subject) const;

 private:
  Confinement(std::string root, std::string real_root, int fd)
      : root_(std::move(root)), real_root_(std::move(real_root)), fd_(fd) {}
  std::string root_;       // absolute and lexically normal, as paths are built from it
  std::string real_root_;  // without links, for the check on kernels without openat2
  int fd_;
};

// While it lives, paths below `confinement`'s root are read confined.
class ConfinedTree {
 public:
  explicit ConfinedTree(std::shared_ptr<const Confinement> confinement);
  ConfinedTree(ConfinedTree&& other) noexcept : confinement_(std::move(other.confinement_)) {}
  ConfinedTree& operator=(ConfinedTree&&) = delete;
  ~ConfinedTree();
  const std::shared_ptr<const Confinement>& confinement() const { return confinement_; }

 private:
  std::shared_ptr<const Confinement> confinement_;
};

// The confinement `path` lies in, if any (with the path made absolute and
// normal: `normal` receives it).
std::shared_ptr<const Confinement> confinement_of(const std::filesystem::path& path, std::string* normal = nullptr);

// Opens a file (or, with O_DIRECTORY, a directory) the sysfs readers read:
// confined when `path` lies in a confined tree, else as open(2) would.
Result<int> open_for_reading(const std::filesystem::path& path, int flags);

}  // namespace vfiokit::host
