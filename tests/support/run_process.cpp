#include "support/run_process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace vfiokit::testing {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs argv with standard output to `out_fd` and standard error to `err_fd`.
ProcessResult spawn_and_wait(const std::vector<std::string>& argv, const std::vector<std::string>& env, int out_fd,
                             int err_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);

  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  env_strings.insert(env_strings.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (auto& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, cargv[0], &actions, nullptr, cargv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ProcessResult result;
  if (rc == 0) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  } else {
    result.err = "cannot start " + argv[0];
  }
  return result;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  char out_path[] = "/tmp/vfiokit-out-XXXXXX";
  char err_path[] = "/tmp/vfiokit-err-XXXXXX";
  const int out_fd = ::mkstemp(out_path);
  const int err_fd = ::mkstemp(err_path);
  if (out_fd < 0 || err_fd < 0) throw std::runtime_error("mkstemp failed");
  ProcessResult result = spawn_and_wait(argv, env, out_fd, err_fd);
  ::close(out_fd);
  ::close(err_fd);
  result.out = slurp(out_path);
  result.err += slurp(err_path);
  ::unlink(out_path);
  ::unlink(err_path);
  return result;
}

ProcessResult run_process_discarding_output(const std::vector<std::string>& argv) {
  char err_path[] = "/tmp/vfiokit-err-XXXXXX";
  const int out_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  const int err_fd = ::mkstemp(err_path);
  if (out_fd < 0 || err_fd < 0) throw std::runtime_error("cannot open /dev/null or a temporary file");
  ProcessResult result = spawn_and_wait(argv, {}, out_fd, err_fd);
  ::close(out_fd);
  ::close(err_fd);
  result.err += slurp(err_path);
  ::unlink(err_path);
  return result;
}

}  // namespace vfiokit::testing
