// SPDX-License-Identifier: Apache-2.0
// Unpacking a snapshot archive (`vfiokit snapshot` writes them; users attach
// them to bug reports) in-process with libarchive, never with tar as root.
//
// What an archive may hold is what a snapshot holds: regular files,
// directories, and links that stay inside the tree however they are
// followed (tree_path.hpp). Anything else (a device node, a FIFO, a hard
// link, an absolute or "../" path, a link out) refuses the whole archive,
// naming the entry. Nothing is created with the archive's owner or mode:
// directories are 0700 and files 0600 in a PrivateDir, and every file is
// created exclusively without following links, so an entry can never write
// through an earlier one. The caps of ArchiveLimits bound what is written.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/archive/archive_limits.hpp"
#include "vfiokit/host/archive/private_dir.hpp"

namespace vfiokit::host {

struct UnpackSummary {
  size_t entries = 0;
  uint64_t bytes = 0;
};

// A tar archive, plain or compressed with gzip, xz or zstd (libarchive's
// own decoders; no external program is ever run).
Result<UnpackSummary> unpack_archive(const std::filesystem::path& archive, const PrivateDir& into,
                                     const ArchiveLimits& limits = {});
// The same from memory (the example host built into the CLI, the fuzzer).
// `name` is the archive's name in messages.
Result<UnpackSummary> unpack_archive_bytes(std::span<const uint8_t> bytes, const std::string& name,
                                           const PrivateDir& into, const ArchiveLimits& limits = {});

}  // namespace vfiokit::host
