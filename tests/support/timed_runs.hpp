// SPDX-License-Identifier: Apache-2.0
// Whole commands timed side by side, for the benchmarks that compare a
// vfiokit process with another program's (lspci) or with a floor.
//
// The commands of one comparison run alternately, round after round, and
// each gets the median of its rounds: a 2-core machine's timings drift by
// more than the differences measured, and alternating puts every command
// under the same drift; a median is not moved by the odd round that a
// page-cache writeback or a timer lands in.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace vfiokit::testing {

// Runs argv (looked up in PATH) with every standard stream on /dev/null and
// returns its wall time in milliseconds. A command that fails ends the
// program: its figure would time an error path.
double run_ms(const std::vector<std::string>& argv);

// A copy of `binary` in `dir` without its symbols and debug info, as a
// package installs it (dh_strip); returns its path.
std::string stripped_copy(const std::string& binary, const std::filesystem::path& dir);

// Anything timed: returns its own wall time in milliseconds.
using TimedRun = std::function<double()>;

TimedRun timed_command(std::vector<std::string> argv);

// Each run once untimed (the first read of a tree pays for its inodes),
// then `rounds` rounds of all of them in turn; the median of each.
std::vector<double> alternate_medians(const std::vector<TimedRun>& runs, int rounds);

}  // namespace vfiokit::testing
