// SPDX-License-Identifier: Apache-2.0
// `vfiokit rebar BDF --bar N --size SIZE|max [--dry-run] [--rehearse]
// [--force] [--simulate DIR]`: the resize plan, printed, then journaled,
// applied, verified, and rolled back on any failure.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "vfiokit/cli/options/change_root.hpp"
#include "vfiokit/cli/options/host_options.hpp"

namespace vfiokit::cli {

struct ResizeOptions {
  std::optional<unsigned> bar;
  std::string size;
  bool dry_run = false;
  bool rehearse = false;
  bool force = false;
  ChangeRoot where;
  bool requested() const { return bar.has_value() || !size.empty() || rehearse; }
};

void add_resize_options(CLI::App* cmd, ResizeOptions& options);
// `host.sysfs_root`: a tree to plan from (--dry-run only); the other host
// options are refused.
int run_resize(const std::string& bdf, const HostOptions& host, const ResizeOptions& options);

}  // namespace vfiokit::cli
