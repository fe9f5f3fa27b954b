// SPDX-License-Identifier: Apache-2.0
// Writing a snapshot as a directory tree (`vfiokit snapshot DIR`): what the
// archive holds (archive_writer.hpp), unpacked already, for --sysfs-root and
// for `rebar --simulate DIR/sys`, which acts on a directory.
//
// Like the archive, its entries come from what vfiokit read, never from
// files on disk. The tree is built in a new directory beside the
// destination (mkdtemp: 0700, a name nobody else had), each entry made by
// TreeBuilder (relative to an opened directory, never through a link, never
// over something already there), and renamed to the destination only when
// complete and only if nothing is there by then: RENAME_NOREPLACE, so a
// directory or a link planted at the destination meanwhile is neither
// replaced nor followed.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "vfiokit/base/error.hpp"

namespace vfiokit::host {

class TreeWriter {
 public:
  // The destination must not exist.
  static Result<TreeWriter> create(const std::filesystem::path& out);
  TreeWriter(TreeWriter&&) noexcept;
  TreeWriter& operator=(TreeWriter&&) = delete;
  ~TreeWriter();  // an unfinished tree is removed
  // As ArchiveWriter's: relative paths, parents added first. The top
  // directory stays 0700 (run as root, the tree holds whole config spaces,
  // which sysfs shows to root only); inside it, 0755 and 0644.
  Result<void> add_dir(const std::string& path);
  Result<void> add_file(const std::string& path, std::string_view bytes);
  // `target` must stay inside the tree (tree_path.hpp).
  Result<void> add_link(const std::string& path, const std::string& target);
  // Renames the tree to its destination (not synced: see the .cpp).
  Result<void> finish();

 private:
  struct State;
  explicit TreeWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace vfiokit::host
