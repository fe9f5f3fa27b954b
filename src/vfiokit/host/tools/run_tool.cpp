// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/tools/run_tool.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace vfiokit::host {

std::optional<std::filesystem::path> find_tool(const std::string& tool) {
  if (tool.empty() || tool.find('/') != std::string::npos) return std::nullopt;
  for (const char* dir : kToolDirs) {
    std::filesystem::path candidate = std::filesystem::path(dir) / tool;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

Result<void> run_tool(std::vector<std::string> argv, const std::string& subject) {
  const auto path = find_tool(argv.at(0));
  if (!path)
    return fail(Errc::not_found, subject,
                fmt::format("'{}' is not installed (looked in /usr/sbin, /usr/bin, /sbin and /bin)", argv[0]));
  return run_program(*path, std::move(argv), subject);
}

Result<void> run_program(const std::filesystem::path& program, std::vector<std::string> argv,
                         const std::string& subject) {
  const auto* path = &program;
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  std::string path_env = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
  std::string locale_env = "LC_ALL=C";
  char* envp[] = {path_env.data(), locale_env.data(), nullptr};
  // The program starts with no signal blocked, whatever the caller blocks
  // for itself (the device plugin takes SIGTERM through a signalfd).
  posix_spawnattr_t attr;
  ::posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  ::posix_spawnattr_setsigmask(&attr, &none);
  ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, path->c_str(), nullptr, &attr, cargv.data(), envp);
  ::posix_spawnattr_destroy(&attr);
  if (rc != 0) return std::unexpected(Error::from_errno(rc, subject, fmt::format("cannot run '{}'", path->string())));
  int status = 0;
  pid_t waited = 0;
  do waited = ::waitpid(pid, &status, 0);
  while (waited < 0 && errno == EINTR);
  if (waited != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return fail(Errc::io, subject, fmt::format("'{}' failed", path->string()));
  return {};
}

}  // namespace vfiokit::host
