// SPDX-License-Identifier: Apache-2.0
#include "support/run_process.hpp"

#include <fcntl.h>
#include <pty.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

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
// Standard input is `in_path` (/dev/null unless given).
ProcessResult spawn_and_wait(const std::vector<std::string>& argv, const std::vector<std::string>& env, int out_fd,
                             int err_fd, const char* in_path = "/dev/null") {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in_path, O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);

  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  env_strings.insert(env_strings.end(), env.begin(), env.end());
  // An entry of `env` replaces the inherited one of its name.
  std::vector<char*> envp;
  for (auto& e : env_strings) {
    const std::string name = e.substr(0, e.find('=') + 1);
    const bool from_env = &e >= &env_strings[env_strings.size() - env.size()];
    const bool replaced =
        std::any_of(env.begin(), env.end(), [&](const std::string& n) { return n.starts_with(name); });
    if (from_env || !replaced) envp.push_back(e.data());
  }
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

ProcessResult run_process_with_input(const std::vector<std::string>& argv, const std::string& input,
                                     const std::vector<std::string>& env) {
  char in_path[] = "/tmp/vfiokit-in-XXXXXX";
  char out_path[] = "/tmp/vfiokit-out-XXXXXX";
  char err_path[] = "/tmp/vfiokit-err-XXXXXX";
  const int in_fd = ::mkstemp(in_path);
  const int out_fd = ::mkstemp(out_path);
  const int err_fd = ::mkstemp(err_path);
  if (in_fd < 0 || out_fd < 0 || err_fd < 0) throw std::runtime_error("mkstemp failed");
  if (::write(in_fd, input.data(), input.size()) != ssize_t(input.size())) throw std::runtime_error("write failed");
  ::close(in_fd);
  ProcessResult result = spawn_and_wait(argv, env, out_fd, err_fd, in_path);
  ::close(out_fd);
  ::close(err_fd);
  result.out = slurp(out_path);
  result.err += slurp(err_path);
  ::unlink(in_path);
  ::unlink(out_path);
  ::unlink(err_path);
  return result;
}

ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  return run_process_with_input(argv, "", env);  // an empty standard input reads as /dev/null does
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

ProcessResult run_process_into_closed_pipe(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  ::close(fds[0]);
  char err_path[] = "/tmp/vfiokit-err-XXXXXX";
  const int err_fd = ::mkstemp(err_path);
  if (err_fd < 0) throw std::runtime_error("mkstemp failed");
  ProcessResult result = spawn_and_wait(argv, {}, fds[1], err_fd);
  ::close(fds[1]);
  ::close(err_fd);
  result.err += slurp(err_path);
  ::unlink(err_path);
  return result;
}

ProcessResult run_process_in_terminal(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  int controller = -1, terminal = -1;
  if (::openpty(&controller, &terminal, nullptr, nullptr, nullptr) != 0) throw std::runtime_error("openpty failed");
  ::fcntl(controller, F_SETFD, FD_CLOEXEC);
  ::fcntl(terminal, F_SETFD, FD_CLOEXEC);
  // Read while the child writes: a terminal holds only a few KiB.
  std::string shown;
  std::thread reader([&] {
    char buf[4096];
    for (ssize_t n; (n = ::read(controller, buf, sizeof buf)) > 0;) shown.append(buf, static_cast<size_t>(n));
  });
  ProcessResult result = spawn_and_wait(argv, env, terminal, terminal);
  ::close(terminal);  // the last writer gone, the reader sees EIO and ends
  reader.join();
  ::close(controller);
  result.out = std::move(shown);
  return result;
}

}  // namespace vfiokit::testing
