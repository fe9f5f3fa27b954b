// SPDX-License-Identifier: Apache-2.0
// One open sysfs directory, read through its file descriptor.
//
// A host with thousands of functions is read with as few system calls and
// path walks as possible: each function's directory is opened once
// (relative to its parent's), listed once with getdents64, and its
// attributes are opened relative to it (openat, readlinkat), so the kernel
// resolves one path component per file instead of the whole path.
//
// In a confined tree (confinement.hpp) a directory is opened beneath the
// tree's root and a file must be a regular file with no link at its end.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/sysfs/confinement.hpp"

namespace vfiokit::host {

struct DirEntry {
  std::string name;
  bool is_dir = false;
  bool is_link = false;
};

// An entry while its directory is being read.
struct EntryView {
  std::string_view name;
  bool is_dir = false;
  bool is_link = false;
};

// A file opened for reads at chosen offsets.
class SysfsFile {
 public:
  SysfsFile(SysfsFile&& other) noexcept;
  SysfsFile& operator=(SysfsFile&&) = delete;
  SysfsFile(const SysfsFile&) = delete;
  SysfsFile& operator=(const SysfsFile&) = delete;
  ~SysfsFile();

  // Up to buffer.size() bytes from `offset`, fewer at the end of the file.
  Result<size_t> read_at(size_t offset, std::span<uint8_t> buffer) const;
  // The size fstat reports (what a sysfs attribute declares).
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  friend class SysfsDir;
  SysfsFile(int fd, size_t size, std::string path) : fd_(fd), size_(size), path_(std::move(path)) {}
  int fd_ = -1;
  size_t size_ = 0;
  std::string path_;
};

class SysfsDir {
 public:
  static Result<SysfsDir> open(const std::filesystem::path& path);
  // A subdirectory (a link to one is followed).
  Result<SysfsDir> open_child(std::string_view name) const;

  SysfsDir(SysfsDir&& other) noexcept;
  SysfsDir& operator=(SysfsDir&& other) noexcept;
  SysfsDir(const SysfsDir&) = delete;
  SysfsDir& operator=(const SysfsDir&) = delete;
  ~SysfsDir();

  std::filesystem::path path() const { return path_; }
  // For messages: the path of an entry.
  std::string operator/(std::string_view name) const;

  // Every entry but "." and "..", sorted by name.
  Result<std::vector<DirEntry>> list() const;
  // The same entries, in the order the file system keeps them, each handed
  // to `f` as it is read, with nothing allocated: for a reader that only
  // picks names out (a large host's walk lists thousands of directories).
  // The entry's name is valid only during the call.
  Result<void> each_entry(const std::function<void(const EntryView&)>& f) const;
  // Up to `limit` bytes of a file, read until EOF; nullopt when it does not
  // exist. `file_size`, when given, receives the size fstat reports, or
  // `limit` when the read filled it (sysfs `config` is larger than what an
  // unprivileged reader gets).
  Result<std::optional<std::string>> read(std::string_view name, size_t limit, size_t* file_size = nullptr) const;
  // The same read into the caller's buffer (at most its size): the number
  // of bytes read, nullopt when the file does not exist.
  Result<std::optional<size_t>> read_into(std::string_view name, std::span<char> buffer,
                                          size_t* file_size = nullptr) const;
  // For reads at offsets; nullopt when the file does not exist.
  Result<std::optional<SysfsFile>> open_file(std::string_view name) const;

  // Whether the directory is on the kernel's sysfs (not a snapshot): there a
  // read of `config` reaches the device, 4 bytes at a time.
  bool on_sysfs() const { return on_sysfs_; }

  // Whether `name` leads to a directory (a link is followed, in a confined
  // tree only beneath its root): one system call, nothing kept open.
  bool has_dir(std::string_view name) const;

  // Where a link points, as written; nullopt when there is no such link.
  std::optional<std::string> link_target(std::string_view name) const;

 private:
  SysfsDir(int fd, std::string path, bool on_sysfs, std::shared_ptr<const Confinement> confined)
      : fd_(fd), path_(std::move(path)), on_sysfs_(on_sysfs), confined_(std::move(confined)) {}
  // Opens a file of this directory for reading (errno kept on failure to
  // open: -1; a confined tree's refusal: an error).
  Result<int> open_entry(std::string_view name) const;
  // In a confined tree, after a read that found nothing or failed: an error
  // when `fd` is not a regular file (a FIFO, a directory).
  std::optional<Error> not_a_file(int fd, std::string_view name) const;
  int fd_ = -1;
  // A string, not a std::filesystem::path: thousands of directories are
  // opened per read of a large host, and the path serves messages only.
  std::string path_;
  bool on_sysfs_ = false;  // asked once, at the top; a child is on its parent's file system
  mutable bool listed_ = false;
  std::shared_ptr<const Confinement> confined_;  // none for the live /sys
};

// Whether a sorted listing holds `name`.
bool has_entry(const std::vector<DirEntry>& entries, std::string_view name);

}  // namespace vfiokit::host
