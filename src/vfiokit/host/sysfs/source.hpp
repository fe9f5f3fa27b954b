// Opening what a read-only command was pointed at: the live /sys, a
// directory laid out like it, a snapshot directory (holding sys/), or a
// snapshot tarball, which is unpacked into a private directory for as long
// as the source lives.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/sysfs/root.hpp"

namespace vfiokit::host {

class SysfsSource {
 public:
  // `spec` empty: $VFIOKIT_SYSFS_ROOT, then /sys.
  static Result<SysfsSource> open(const std::string& spec);
  SysfsSource(SysfsSource&& other) noexcept;
  SysfsSource& operator=(SysfsSource&&) = delete;
  ~SysfsSource();

  const SysfsRoot& root() const { return root_; }

 private:
  SysfsSource(SysfsRoot root, std::optional<std::filesystem::path> owned)
      : root_(std::move(root)), owned_(std::move(owned)) {}
  SysfsRoot root_;
  std::optional<std::filesystem::path> owned_;  // an unpacked tarball to remove
};

}  // namespace vfiokit::host
