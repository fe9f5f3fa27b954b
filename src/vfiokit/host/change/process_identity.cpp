// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/change/process_identity.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "vfiokit/host/sysfs/file_io.hpp"

namespace vfiokit::host {
namespace {

std::optional<uint64_t> start_time_of(long pid) {
  auto bytes = read_file_bytes(fmt::format("/proc/{}/stat", pid), 4096);
  if (!bytes) return std::nullopt;
  return start_time_from_stat(std::string(bytes->begin(), bytes->end()));
}

}  // namespace

std::optional<uint64_t> start_time_from_stat(const std::string& stat) {
  // "PID (COMM) STATE PPID ..." (proc(5)): fields after the last ')'; the
  // start time is field 22, the 20th after COMM.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  size_t at = close + 1;
  for (int field = 3; field <= 22; ++field) {
    while (at < stat.size() && stat[at] == ' ') ++at;
    const size_t end = stat.find(' ', at);
    if (field == 22) {
      const size_t stop = end == std::string::npos ? stat.size() : end;
      uint64_t value = 0;
      auto [p, ec] = std::from_chars(stat.data() + at, stat.data() + stop, value);
      if (ec != std::errc() || p != stat.data() + stop || stop == at) return std::nullopt;
      return value;
    }
    if (end == std::string::npos) return std::nullopt;
    at = end;
  }
  return std::nullopt;
}

ProcessIdentity ProcessIdentity::self() {
  const long pid = ::getpid();
  return {pid, start_time_of(pid).value_or(0)};
}

bool ProcessIdentity::alive() const {
  if (pid <= 0) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return false;
  if (start == 0) return true;
  const auto now = start_time_of(pid);
  return now && *now == start;
}

}  // namespace vfiokit::host
