// `vfiokit snapshot`: the part of sysfs vfiokit reads, captured into a
// .tar.gz that every read-only command accepts with --sysfs-root, so a user
// can attach their host to a bug report.
#pragma once

#include <filesystem>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/sysfs/root.hpp"

namespace vfiokit::host {

struct SnapshotSummary {
  size_t functions = 0;
  size_t groups = 0;
  size_t files = 0;
  bool config_limited = false;  // config spaces were cut to 64 bytes (not root)
};

Result<SnapshotSummary> write_snapshot(const SysfsRoot& root, const std::filesystem::path& out_tarball);

}  // namespace vfiokit::host
