// SPDX-License-Identifier: Apache-2.0
// Writing a snapshot archive (.tar.gz) in-process with libarchive: entries
// come from what vfiokit read, never from files on disk, so writing one can
// create nothing but the archive itself. The archive is written to a new
// temporary file beside the destination (created exclusively, never through
// a link) and renamed over it only when complete.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "vfiokit/base/error.hpp"

namespace vfiokit::host {

class ArchiveWriter {
 public:
  static Result<ArchiveWriter> create(const std::filesystem::path& out);
  ArchiveWriter(ArchiveWriter&&) noexcept;
  ArchiveWriter& operator=(ArchiveWriter&&) = delete;
  ~ArchiveWriter();  // an unfinished archive is removed

  // Paths are relative ("sys/bus/pci"); parents are not added implicitly.
  // Owner root, modes 0755 and 0644: a snapshot carries no owners or modes
  // of the host it came from.
  Result<void> add_dir(const std::string& path);
  Result<void> add_file(const std::string& path, std::string_view bytes);
  Result<void> add_link(const std::string& path, const std::string& target);
  // Completes the archive, syncs it and renames it to its destination.
  Result<void> finish();

 private:
  struct State;
  explicit ArchiveWriter(std::unique_ptr<State> state);
  Result<void> add(const std::string& path, unsigned type, unsigned mode, std::string_view bytes,
                   const std::string* target);
  std::unique_ptr<State> state_;
};

}  // namespace vfiokit::host
