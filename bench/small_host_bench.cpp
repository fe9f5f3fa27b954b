// SPDX-License-Identifier: Apache-2.0
// Small hosts, timed as whole processes: most real hosts have a few dozen
// functions, where what a command costs is mostly its own start. On each of
// the lab's snapshots (data/fixtures/lab-q35-*, 8-34 functions) it runs
// `vfiokit list --json` and `lspci -D` on the same tree, alternately, and
// prints the median of each and their ratio; beside them `vfiokit --version`
// and /bin/true, the cost of starting any process on this machine. vfiokit
// runs stripped, as installed.
// Targets (issue 27): --version <= 3 ms, list <= 0.5x lspci.
//
// Alternating the commands, rather than timing one and then the other,
// puts both under the same load: a 2-core machine's figures drift by more
// than the differences measured here.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "support/figures.hpp"
#include "support/lab_fixture.hpp"
#include "support/temp_dir.hpp"

extern char** environ;

namespace {

constexpr int kRounds = 101;

// Runs argv with every standard stream on /dev/null and returns its wall
// time in milliseconds; a command that fails ends the benchmark, since its
// figure would measure an error path.
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
    std::fprintf(stderr, "small_host_bench: %s failed\n", argv[0].c_str());
    std::exit(1);
  }
  return std::chrono::duration<double, std::milli>(end - start).count();
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// Medians of each command, run alternately, `kRounds` times each after one
// untimed round (the first read of a tree pays for its inodes).
std::vector<double> alternate(const std::vector<std::vector<std::string>>& commands) {
  std::vector<std::vector<double>> times(commands.size());
  for (const auto& c : commands) run_ms(c);
  for (int round = 0; round < kRounds; ++round)
    for (size_t i = 0; i < commands.size(); ++i) times[i].push_back(run_ms(commands[i]));
  std::vector<double> out;
  for (auto& t : times) out.push_back(median(std::move(t)));
  return out;
}

}  // namespace

int main() {
  vfiokit::testing::Figures figures;
  // The program as a user runs it: stripped, as the package installs it
  // (dh_strip). The build tree's copy carries some 70 MB of debug info,
  // which the loader never reads but which costs its start a dozen page
  // faults more on the lab's VM; its figure is printed beside.
  const vfiokit::testing::TempDir dir;
  const std::string vfiokit = (dir.path() / "vfiokit").string();
  (void)run_ms({"strip", "-o", vfiokit, VFIOKIT_BIN});
  const auto start = alternate({{vfiokit, "--version"}, {"/bin/true"}, {VFIOKIT_BIN, "--version"}});
  std::printf(
      "start-up, medians of %d alternating runs: vfiokit --version %.2f ms (stripped, as installed; %.2f ms as built, "
      "with debug info), /bin/true %.2f ms\n",
      kRounds, start[0], start[2], start[1]);
  figures.add("startup.version_ms", start[0]);
  figures.add("startup.version_unstripped_ms", start[2]);
  figures.add("startup.true_ms", start[1]);

  std::printf("%-22s %10s %10s %10s %12s\n", "snapshot", "functions", "list ms", "lspci ms", "list/lspci");
  double worst = 0;
  for (const char* name : {"q35-custom", "q35-debian-6.1", "q35-debian-6.12"}) {
    const vfiokit::testing::LabFixture fixture(name);
    const std::string sys = fixture.sys();
    const auto t = alternate({{vfiokit, "list", "--json", "--sysfs-root", sys},
                              {"lspci", "-D", "-A", "linux-sysfs", "-O", "sysfs.path=" + sys + "/bus/pci"}});
    const auto functions = std::distance(std::filesystem::directory_iterator(sys + "/bus/pci/devices"),
                                         std::filesystem::directory_iterator());
    std::printf("%-22s %10ld %10.2f %10.2f %11.2fx\n", name, static_cast<long>(functions), t[0], t[1], t[0] / t[1]);
    figures.add(std::string("small_host.") + name + ".list_ms", t[0]);
    figures.add(std::string("small_host.") + name + ".lspci_ms", t[1]);
    worst = std::max(worst, t[0] / t[1]);
  }
  figures.add("small_host.list_over_lspci_worst", worst);
}
