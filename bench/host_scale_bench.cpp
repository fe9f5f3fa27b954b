// SPDX-License-Identifier: Apache-2.0
// Scale of the host commands: a synthetic sysfs tree of N functions (16
// SR-IOV physical functions, each with its virtual functions, behind the
// downstream ports of a switch), read by `vfiokit list --json`,
// `vfiokit groups --json`, and by `lspci -D` on the same tree, as whole
// processes. For N = 1024, 2048 and 4096 it prints each command's median
// time, the ratios lspci/list and lspci/groups, and the time per 1,024
// functions (linear in N).
// Targets (issue 27): vfiokit >= 4x faster than lspci at 4,096 functions
// and >= 3x at 1,024, within 1.5x of the floor, linear in N.
//
// Beside them, the floor: only the system calls `list` needs per function
// (open the directory, list it, read uevent, read config (a PF's; a VF's
// only for its resizable BARs, which these have not), close; a VF's PF
// comes from the PF's SR-IOV capability, not its physfn link), made by as
// many threads as vfiokit uses, inside this process, with nothing else: no
// process start, no parsing, no output. No reader of these files can be
// faster, so lspci/floor bounds the ratio any implementation can reach on
// this machine.
//
// All twelve commands (four for each size) run in turn, round after
// round, and each figure is the median of its rounds
// (support/timed_runs.hpp says why); vfiokit runs stripped, as installed,
// as in bench/small_host_bench.cpp.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/figures.hpp"
#include "support/scale_host.hpp"
#include "support/temp_dir.hpp"
#include "support/timed_runs.hpp"

namespace {

using vfiokit::testing::ScaleFunction;
using vfiokit::testing::ScaleHost;

constexpr int kRounds = 21;

// The trees, as `list` reads them (no IOMMU groups, no drivers).
const ScaleHost& built(unsigned functions) {
  return vfiokit::testing::scale_host({.functions = functions, .iommu_groups = false, .vf_driver = ""});
}

// One function's system calls, as `list` makes them.
void read_function(int port_fd, const ScaleFunction& f) {
  alignas(dirent64) static thread_local std::array<char, 32 * 1024> dents;
  std::array<char, 4096> page;
  const int dir = ::openat(port_fd, f.name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  while (::getdents64(dir, dents.data(), dents.size()) > 0) {}
  for (const char* file : {"uevent", "config"}) {
    if (f.vf && file == std::string_view("config")) continue;  // host::Detail::summary
    const int fd = ::openat(dir, file, O_RDONLY | O_CLOEXEC);
    if (::read(fd, page.data(), page.size()) < 0) std::perror(file);
    ::close(fd);
  }
  ::close(dir);
}

// The floor's system calls over a whole tree, timed from inside.
class SyscallFloor {
 public:
  explicit SyscallFloor(const ScaleHost& host) : host_(host), bus_((host.sysfs.root() / "bus/pci/devices").string()) {
    std::map<std::filesystem::path, int> port_fds;
    for (const auto& f : host.functions) {
      auto [it, added] = port_fds.try_emplace(f.port_dir, -1);
      if (added) {
        it->second = ::open(f.port_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        port_fds_.push_back(it->second);
      }
      fd_of_.push_back(it->second);
    }
  }
  SyscallFloor(const SyscallFloor&) = delete;
  SyscallFloor& operator=(const SyscallFloor&) = delete;
  ~SyscallFloor() {
    for (int fd : port_fds_) ::close(fd);
  }

  double run_ms() const {
    const auto start = std::chrono::steady_clock::now();
    // The bus's list, as vfiokit reads it first.
    const int b = ::open(bus_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    alignas(dirent64) std::array<char, 32 * 1024> dents;
    while (::getdents64(b, dents.data(), dents.size()) > 0) {}
    ::close(b);
    const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);  // as host/function_tree_walk
    const auto part = [&](unsigned k) {
      const size_t n = host_.functions.size(), lo = n * k / threads, hi = n * (k + 1) / threads;
      for (size_t i = lo; i < hi; ++i) read_function(fd_of_[i], host_.functions[i]);
    };
    {
      std::vector<std::jthread> pool;
      for (unsigned k = 1; k < threads; ++k) pool.emplace_back(part, k);
      part(0);
    }
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  }

 private:
  const ScaleHost& host_;
  std::string bus_;
  std::vector<int> port_fds_;
  std::vector<int> fd_of_;
};

}  // namespace

int main() {
  using vfiokit::testing::timed_command;
  const vfiokit::testing::TempDir dir;
  const std::string vfiokit = vfiokit::testing::stripped_copy(VFIOKIT_BIN, dir.path());
  constexpr std::array<unsigned, 3> kSizes = {1024, 2048, 4096};
  // Every tree exists, written back, before the first command is timed.
  std::vector<std::unique_ptr<SyscallFloor>> floors;
  for (unsigned n : kSizes) floors.push_back(std::make_unique<SyscallFloor>(built(n)));

  // All twelve (four a size) in one rotation, so that a stretch of a slow
  // machine (a neighbour's burst, reclaim after a build) lands on every
  // size alike rather than on the size that happened to be running.
  std::vector<vfiokit::testing::TimedRun> runs;
  for (size_t i = 0; i < kSizes.size(); ++i) {
    const std::string root = built(kSizes[i]).sysfs.root().string();
    runs.push_back(timed_command({vfiokit, "list", "--json", "--sysfs-root", root}));
    runs.push_back(timed_command({vfiokit, "groups", "--json", "--sysfs-root", root}));
    runs.push_back(timed_command({"lspci", "-D", "-A", "linux-sysfs", "-O", "sysfs.path=" + root + "/bus/pci"}));
    runs.push_back([floor = floors[i].get()] { return floor->run_ms(); });
  }
  const auto t = vfiokit::testing::alternate_medians(runs, kRounds);

  vfiokit::testing::Figures figures;
  std::printf("medians of %d rounds, every command of every size in turn\n", kRounds);
  std::printf("%-10s %10s %10s %10s %10s %12s %13s %12s %14s\n", "functions", "list ms", "groups ms", "lspci ms",
              "floor ms", "lspci/list", "lspci/groups", "lspci/floor", "list ms/1k fn");
  for (size_t i = 0; i < kSizes.size(); ++i) {
    const unsigned n = kSizes[i];
    const double list = t[4 * i], groups = t[4 * i + 1], lspci = t[4 * i + 2], floor_ms = t[4 * i + 3];
    std::printf("%-10u %10.1f %10.1f %10.1f %10.1f %11.2fx %12.2fx %11.2fx %14.1f\n", n, list, groups, lspci, floor_ms,
                lspci / list, lspci / groups, lspci / floor_ms, list / (n / 1024.0));
    const std::string key = "host_scale." + std::to_string(n) + ".";
    figures.add(key + "list_ms", list);
    figures.add(key + "groups_ms", groups);
    figures.add(key + "lspci_ms", lspci);
    figures.add(key + "floor_ms", floor_ms);
  }
}
