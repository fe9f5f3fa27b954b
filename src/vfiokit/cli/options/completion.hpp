// SPDX-License-Identifier: Apache-2.0
// Completion of a vfiokit command line, from the CLI's own command model
// (the CLI11 definitions --help prints): commands, subcommands and options,
// and live values read from the host the line would act on (the
// --sysfs-root or --simulate tree it names, the built-in --example host,
// $VFIOKIT_SYSFS_ROOT, or /sys): BDFs, IOMMU group numbers, BAR indexes of
// the named function, mdev types and UUIDs, drivers. The shell scripts in
// dist/completion ask `vfiokit __complete -- WORD...` and show the answer.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace vfiokit::cli {

// The answer for a word the shell should complete as a file name.
inline constexpr const char* kCompleteFiles = "__files__";

// `words` are the words after "vfiokit", the last one the word being
// completed (empty when the cursor follows a space). Returns the
// candidates that start with it, in the form it is typed in (a BDF typed
// without its domain is completed without one), or kCompleteFiles alone.
std::vector<std::string> completions(const CLI::App& app, const std::vector<std::string>& words);

}  // namespace vfiokit::cli
