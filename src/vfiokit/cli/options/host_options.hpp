// SPDX-License-Identifier: Apache-2.0
// Options and endings shared by the read-only commands that look at a host
// (list, groups): where to read from, JSON output, and --strict.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <span>
#include <string>

#include "vfiokit/host/sysfs/source.hpp"
#include "vfiokit/host/view/host_view.hpp"

namespace vfiokit::cli {

struct HostOptions {
  std::string sysfs_root;
  bool example = false;
  bool json = false;
  bool strict = false;
};

void add_host_options(CLI::App* cmd, HostOptions& options);

// --sysfs-root as every command that reads a host takes it: the live /sys,
// a sysfs or snapshot directory, or a snapshot archive.
void add_sysfs_root_option(CLI::App* cmd, std::string& sysfs_root);
// Opens it, printing the error when that fails.
std::optional<host::SysfsSource> open_sysfs_root(const std::string& sysfs_root);

// Opens what the options point at (printing the error when that fails).
std::optional<host::SysfsSource> open_host_source(const HostOptions& options);

// The built-in example host: a snapshot (.tar.gz) the lab captured.
std::span<const uint8_t> example_snapshot();

// Prints each problem found while reading as one stderr line; with --strict
// any problem makes the exit status 1.
int report_host_problems(const host::HostView& view, bool strict);

// Said plainly where a table would otherwise be empty.
extern const char* const kNoIommuAdvice;

}  // namespace vfiokit::cli
