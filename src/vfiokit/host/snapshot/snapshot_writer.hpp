// SPDX-License-Identifier: Apache-2.0
// `vfiokit snapshot`: the part of sysfs vfiokit reads, captured into a
// .tar.gz that every read-only command accepts with --sysfs-root, so a user
// can attach their host to a bug report; or into a new directory, the same
// tree unpacked, which `rebar --simulate` can act on at once.
//
// Either is written in-process (host/archive/archive_writer.hpp,
// tree_writer.hpp) from what is read: nothing is created on disk but the
// archive or the new directory, whatever links the tree holds. Paths in it are built from the names walked, below
// "sys/"; a link is kept only when it stays inside the tree
// (host/archive/tree_path.hpp), as sysfs's own links do.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/sysfs/root.hpp"

namespace vfiokit::host {

struct SnapshotSummary {
  size_t functions = 0;
  size_t groups = 0;
  size_t files = 0;
  bool config_limited = false;  // config spaces were cut to 64 bytes (not root)
  std::vector<Error> skipped;   // what was left out, and why
};

// `modules_alias`, when given, is kept (its `alias pci:` lines) as the
// snapshot's top-level modules.alias, for `list` to name the modules that
// could drive each function (host/devices/module_aliases.hpp). `iomem`,
// when it shows addresses, is kept (its top-level "PCI Bus" lines) as the
// snapshot's iomem: the host bridge apertures (host/rebar/host_apertures.hpp).
Result<SnapshotSummary> write_snapshot(const SysfsRoot& root, const std::filesystem::path& out_tarball,
                                       const std::optional<std::string>& modules_alias = std::nullopt,
                                       const std::optional<std::string>& iomem = std::nullopt);
// The same as a directory `out_dir`, which must not exist: `sys/...`,
// `modules.alias` and `iomem` as the archive holds them.
Result<SnapshotSummary> write_snapshot_directory(const SysfsRoot& root, const std::filesystem::path& out_dir,
                                                 const std::optional<std::string>& modules_alias = std::nullopt,
                                                 const std::optional<std::string>& iomem = std::nullopt);

}  // namespace vfiokit::host
