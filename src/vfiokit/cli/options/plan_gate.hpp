// SPDX-License-Identifier: Apache-2.0
// The shared ending of a printed plan that changes the host: functions the
// host is using refuse it unless --force, and --dry-run stops after it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfiokit::cli {

// The exit status to stop with, or nullopt to apply the plan. `forced` says
// what --force does to a function in use ("taken", "removed"); `how_to_force`
// completes "stop using it first, or ..." where --force is not the only way.
std::optional<int> stop_before_applying(const std::vector<std::string>& in_use, bool force, bool dry_run,
                                        std::string_view forced, std::string_view how_to_force = "pass --force");

}  // namespace vfiokit::cli
