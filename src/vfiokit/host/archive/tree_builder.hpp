// SPDX-License-Identifier: Apache-2.0
// Making a snapshot's entries below a directory vfiokit created and holds
// open: an unpacked archive (archive_reader.hpp) or a snapshot written as a
// directory (tree_writer.hpp). Every entry is made relative to an opened
// directory, each directory on the way opened without following a link,
// and nothing is made over what is already there: an entry never lands
// outside the tree through a link an earlier one made, nor writes through
// one.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/base/unique_fd.hpp"

namespace vfiokit::host {

class TreeBuilder {
 public:
  // `root_fd` stays the caller's; `name` starts every message ("the
  // archive x.tar.gz", "host-dir"). New directories and files get
  // `dir_mode` and `file_mode` (less the umask).
  TreeBuilder(int root_fd, std::string name, mode_t dir_mode, mode_t file_mode)
      : root_fd_(root_fd), name_(std::move(name)), dir_mode_(dir_mode), file_mode_(file_mode) {}

  // The directory `dirs` (components below the root), made where missing;
  // `path` is the entry's, for messages. The last one opened is kept, so
  // the entries of one directory open it once.
  Result<int> open_parent(const std::vector<std::string>& dirs, const std::string& path);
  // A directory, or nothing when one is there already.
  Result<void> make_dir(int parent, const std::string& leaf, const std::string& path);
  // A new file, opened for writing; one already there is an error.
  Result<UniqueFd> create_file(int parent, const std::string& leaf, const std::string& path);
  // `bytes` written whole to `fd`.
  Result<void> write_all(int fd, std::string_view bytes, const std::string& path);
  // A link to `target`, which must stay inside the tree from where it is,
  // `depth` directories below the root (tree_path.hpp).
  Result<void> make_link(int parent, const std::string& leaf, const std::string& target, size_t depth,
                         const std::string& path);

  // "NAME: PATH", printable.
  std::string subject(const std::string& path) const;
  std::unexpected<Error> refuse(const std::string& path, const std::string& why) const;

 private:
  int root_fd_;
  std::string name_;
  mode_t dir_mode_;
  mode_t file_mode_;
  std::vector<std::string> parent_path_;
  UniqueFd parent_fd_;
};

}  // namespace vfiokit::host
