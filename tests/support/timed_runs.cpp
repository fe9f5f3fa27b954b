// SPDX-License-Identifier: Apache-2.0
#include "support/timed_runs.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

extern char** environ;

namespace vfiokit::testing {

double run_ms(const std::vector<std::string>& argv) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (int fd : {0, 1, 2}) posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_RDWR, 0);
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  int status = 0;
  const int rc = ::posix_spawnp(&pid, cargv[0], &actions, nullptr, cargv.data(), environ);
  if (rc == 0) ::waitpid(pid, &status, 0);
  const auto end = std::chrono::steady_clock::now();
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string line;
    for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
    std::fprintf(stderr, "timed run failed: %s\n", line.c_str());
    std::exit(1);
  }
  return std::chrono::duration<double, std::milli>(end - start).count();
}

std::string stripped_copy(const std::string& binary, const std::filesystem::path& dir) {
  const std::string copy = (dir / std::filesystem::path(binary).filename()).string();
  (void)run_ms({"strip", "-o", copy, binary});
  return copy;
}

TimedRun timed_command(std::vector<std::string> argv) {
  return [argv = std::move(argv)] { return run_ms(argv); };
}

std::vector<double> alternate_medians(const std::vector<TimedRun>& runs, int rounds) {
  std::vector<std::vector<double>> times(runs.size());
  for (const auto& run : runs) run();
  for (int round = 0; round < rounds; ++round)
    for (size_t i = 0; i < runs.size(); ++i) times[i].push_back(runs[i]());
  std::vector<double> medians;
  for (auto& t : times) {
    const auto middle = t.begin() + static_cast<long>(t.size() / 2);
    std::nth_element(t.begin(), middle, t.end());
    medians.push_back(*middle);
  }
  return medians;
}

}  // namespace vfiokit::testing
