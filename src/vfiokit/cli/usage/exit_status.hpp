// SPDX-License-Identifier: Apache-2.0
// The exit status of every vfiokit command, the same everywhere:
//   0  done (or, for a read-only command, nothing wrong was found),
//   1  it failed, or what was read has defects,
//   2  the command line was wrong: nothing was read or changed.
#pragma once

#include <string_view>

namespace vfiokit::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Prints "vfiokit: MESSAGE" and a pointer to --help; returns kExitUsage.
int usage_error(std::string_view message);

}  // namespace vfiokit::cli
