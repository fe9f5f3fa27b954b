// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/archive/tree_writer.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vfiokit/base/printable.hpp"
#include "vfiokit/base/unique_fd.hpp"
#include "vfiokit/host/archive/private_dir.hpp"
#include "vfiokit/host/archive/tree_builder.hpp"
#include "vfiokit/host/archive/tree_path.hpp"

namespace vfiokit::host {

struct TreeWriter::State {
  std::string subject;  // the destination, printable
  UniqueFd parent;      // the directory the destination is made in
  std::string name;     // the destination's name in it
  std::string tmp;      // the tree's name in it while it is written
  UniqueFd root;
  std::unique_ptr<TreeBuilder> tree;
  bool finished = false;

  ~State() {
    if (!finished && !tmp.empty()) remove_tree_at(parent.get(), tmp.c_str());
  }

  // The components of an entry's path, the last one split off.
  Result<std::pair<std::vector<std::string>, std::string>> split(const std::string& path) const {
    auto parts = tree_path_components(path, tree->subject(path));
    if (!parts) return std::unexpected(parts.error());
    if (parts->empty()) return tree->refuse(path, "names the tree itself");
    std::string leaf = std::move(parts->back());
    parts->pop_back();
    return std::pair(std::move(*parts), std::move(leaf));
  }
};

TreeWriter::TreeWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}
TreeWriter::TreeWriter(TreeWriter&&) noexcept = default;
TreeWriter::~TreeWriter() = default;

Result<TreeWriter> TreeWriter::create(const std::filesystem::path& out) {
  std::string dest = out.string();
  while (dest.size() > 1 && dest.ends_with('/')) dest.pop_back();
  const std::filesystem::path where(dest);
  auto s = std::make_unique<State>();
  s->subject = printable(dest);
  s->name = where.filename().string();
  if (s->name.empty() || s->name == "." || s->name == ".." || dest == "/")
    return fail(Errc::invalid_argument, s->subject, "names no new directory for the snapshot");
  const std::filesystem::path parent = where.has_parent_path() ? where.parent_path() : std::filesystem::path(".");
  s->parent = UniqueFd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!s->parent.valid()) return std::unexpected(Error::from_errno(errno, s->subject, "cannot create the snapshot"));
  struct stat st {};
  if (::fstatat(s->parent.get(), s->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
    return std::unexpected(Error::from_errno(EEXIST, s->subject, "cannot create the snapshot"));
  // mkdtemp: 0700, a fresh name; nothing planted beside the destination
  // is used.
  std::string templ = (parent / (s->name + ".XXXXXX")).string();
  if (!::mkdtemp(templ.data()))
    return std::unexpected(Error::from_errno(errno, s->subject, "cannot create the snapshot"));
  s->tmp = std::filesystem::path(templ).filename().string();
  s->root = UniqueFd(::openat(s->parent.get(), s->tmp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!s->root.valid()) return std::unexpected(Error::from_errno(errno, s->subject, "cannot create the snapshot"));
  s->tree = std::make_unique<TreeBuilder>(s->root.get(), s->subject, 0755, 0644);
  return TreeWriter(std::move(s));
}

Result<void> TreeWriter::add_dir(const std::string& path) {
  auto entry = state_->split(path);
  if (!entry) return std::unexpected(entry.error());
  auto parent = state_->tree->open_parent(entry->first, path);
  if (!parent) return std::unexpected(parent.error());
  return state_->tree->make_dir(*parent, entry->second, path);
}

Result<void> TreeWriter::add_file(const std::string& path, std::string_view bytes) {
  auto entry = state_->split(path);
  if (!entry) return std::unexpected(entry.error());
  auto parent = state_->tree->open_parent(entry->first, path);
  if (!parent) return std::unexpected(parent.error());
  auto fd = state_->tree->create_file(*parent, entry->second, path);
  if (!fd) return std::unexpected(fd.error());
  return state_->tree->write_all(fd->get(), bytes, path);
}

Result<void> TreeWriter::add_link(const std::string& path, const std::string& target) {
  auto entry = state_->split(path);
  if (!entry) return std::unexpected(entry.error());
  auto parent = state_->tree->open_parent(entry->first, path);
  if (!parent) return std::unexpected(parent.error());
  return state_->tree->make_link(*parent, entry->second, target, entry->first.size(), path);
}

Result<void> TreeWriter::finish() {
  // Not synced, unlike the archive: a directory is for reading now (a
  // simulation, a look), and syncing it would mean a sync of each of its
  // hundreds of files or of the whole file system (syncfs: 0.4 s here on
  // an idle disk). A snapshot to keep across a crash is the archive.
  if (::renameat2(state_->parent.get(), state_->tmp.c_str(), state_->parent.get(), state_->name.c_str(),
                  RENAME_NOREPLACE) != 0)
    return std::unexpected(Error::from_errno(errno, state_->subject, "cannot create the snapshot"));
  state_->finished = true;
  return {};
}

}  // namespace vfiokit::host
