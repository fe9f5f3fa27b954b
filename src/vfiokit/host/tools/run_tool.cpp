#include "vfiokit/host/tools/run_tool.hpp"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

namespace vfiokit::host {

Result<void> run_tool(std::vector<std::string> argv, const std::string& subject) {
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid = 0;
  if (const int rc = ::posix_spawnp(&pid, cargv[0], nullptr, nullptr, cargv.data(), environ); rc != 0)
    return std::unexpected(Error::from_errno(rc, subject, fmt::format("cannot run '{}'", argv[0])));
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return fail(Errc::io, subject, fmt::format("'{}' failed", argv[0]));
  return {};
}

}  // namespace vfiokit::host
