// SPDX-License-Identifier: Apache-2.0
// Opening what a read-only command was pointed at: the live /sys, a
// directory laid out like it, a snapshot directory (holding sys/), or a
// snapshot archive, unpacked in-process into a private directory for as
// long as the source lives (host/archive/archive_reader.hpp).
//
// Everything but the live /sys is someone else's tree and is read confined
// to it (confinement.hpp): no link leads out, no FIFO blocks, and an
// attribute that is not a regular file is a problem of its device.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/archive/private_dir.hpp"
#include "vfiokit/host/sysfs/confinement.hpp"
#include "vfiokit/host/sysfs/root.hpp"

namespace vfiokit::host {

class SysfsSource {
 public:
  // `spec` empty: $VFIOKIT_SYSFS_ROOT, then /sys. A path that is a regular
  // file is read as a snapshot archive, whatever its name.
  static Result<SysfsSource> open(const std::string& spec);
  // A snapshot archive held in memory (`name` for messages).
  static Result<SysfsSource> open_archive(std::span<const uint8_t> bytes, const std::string& name);

  SysfsSource(SysfsSource&& other) noexcept = default;
  SysfsSource& operator=(SysfsSource&&) = delete;
  ~SysfsSource() = default;

  const SysfsRoot& root() const { return root_; }

  // The modules.alias that goes with the tree: the running kernel's
  // (/lib/modules/RELEASE) for the live /sys, the tree's own top-level
  // modules.alias otherwise (`vfiokit snapshot` adds its pci lines);
  // nullopt when there is none.
  Result<std::optional<std::string>> read_modules_alias() const;

 private:
  SysfsSource(SysfsRoot root, std::optional<PrivateDir> unpacked, std::optional<ConfinedTree> confined)
      : unpacked_(std::move(unpacked)), confined_(std::move(confined)), root_(std::move(root)) {}
  static Result<SysfsSource> confine(const std::filesystem::path& dir, std::optional<PrivateDir> unpacked);
  // Declared in this order so that the confinement ends before the
  // unpacked tree is removed.
  std::optional<PrivateDir> unpacked_;
  std::optional<ConfinedTree> confined_;
  SysfsRoot root_;
};

}  // namespace vfiokit::host
