// SPDX-License-Identifier: Apache-2.0
// Which process wrote a journal entry, told apart from a later process that
// happens to get the same pid: the pid and the process's start time (field
// 22 of /proc/PID/stat, clock ticks since boot). `status` uses it to tell a
// change that is running now from one that was interrupted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace vfiokit::host {

struct ProcessIdentity {
  long pid = 0;
  uint64_t start = 0;  // 0: not recorded (an entry of an older vfiokit)

  static ProcessIdentity self();
  // Whether that very process still runs. Unknown start: whether any
  // process has the pid.
  bool alive() const;
};

// The start time in /proc/PID/stat's text, nullopt when it does not parse
// (the command name, in parentheses, may hold spaces and parentheses).
std::optional<uint64_t> start_time_from_stat(const std::string& stat);

}  // namespace vfiokit::host
