// SPDX-License-Identifier: Apache-2.0
// A temporary directory only this process uses, for a snapshot unpacked on
// the user's behalf: created 0700 whatever the umask or the archive says,
// and removed when the object goes, and also when the process is ended by
// SIGINT, SIGTERM, SIGHUP, SIGQUIT or SIGPIPE (a Ctrl-C while a large
// snapshot is read leaves nothing behind). SIGKILL cannot be caught: what
// it leaves is in $TMPDIR, named vfiokit-snapshot-*, owned by its user.
#pragma once

#include <filesystem>
#include <string>

#include "vfiokit/base/error.hpp"

namespace vfiokit::host {

class PrivateDir {
 public:
  // In $TMPDIR (ignored when the process runs with elevated privileges,
  // secure_getenv), else /tmp.
  static Result<PrivateDir> create();
  PrivateDir(PrivateDir&& other) noexcept;
  PrivateDir& operator=(PrivateDir&&) = delete;
  PrivateDir(const PrivateDir&) = delete;
  PrivateDir& operator=(const PrivateDir&) = delete;
  ~PrivateDir();

  const std::filesystem::path& path() const { return path_; }
  // The directory, opened: everything inside is created relative to it.
  int fd() const { return fd_; }

 private:
  PrivateDir(std::filesystem::path path, int fd, int slot) : path_(std::move(path)), fd_(fd), slot_(slot) {}
  std::filesystem::path path_;
  int fd_ = -1;
  int slot_ = -1;  // where the signal handler finds it
};

// Removes `name` in `dir_fd` and everything below it, never following a
// link, with system calls only (it runs in a signal handler too).
void remove_tree_at(int dir_fd, const char* name);

}  // namespace vfiokit::host
