// SPDX-License-Identifier: Apache-2.0
// Reading sysfs attribute files: one value per file, a trailing newline.
// A missing file is "absent" (std::nullopt); a file that cannot be read or
// parsed is an Error naming the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/sysfs/dir.hpp"

namespace vfiokit::host {

// The file's text without the trailing newline; nullopt when it does not exist.
Result<std::optional<std::string>> read_attr(const std::filesystem::path& file);
// "0x1af4" style values (vendor, device, class).
Result<std::optional<uint64_t>> read_hex_attr(const std::filesystem::path& file, uint64_t max);
// Decimal values (numa_node, sriov_numvfs, d3cold_allowed).
Result<std::optional<int64_t>> read_int_attr(const std::filesystem::path& file);
// The last path component a symlink points to ("vfio-pci" for driver), or
// nullopt when there is no link.
std::optional<std::string> read_link_name(const std::filesystem::path& link);

// The same reads, relative to an open directory (one path component each).
Result<std::optional<std::string>> read_attr(const SysfsDir& dir, std::string_view name);
Result<std::optional<uint64_t>> read_hex_attr(const SysfsDir& dir, std::string_view name, uint64_t max);
Result<std::optional<int64_t>> read_int_attr(const SysfsDir& dir, std::string_view name);
std::optional<std::string> read_link_name(const SysfsDir& dir, std::string_view name);

}  // namespace vfiokit::host
