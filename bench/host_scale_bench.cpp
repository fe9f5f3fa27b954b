// SPDX-License-Identifier: Apache-2.0
// Scale of the host commands: a synthetic sysfs tree of N functions (16
// SR-IOV physical functions, each with its virtual functions, behind the
// downstream ports of a switch), read by `vfiokit list --json`,
// `vfiokit groups --json`, and by `lspci -D` on the same tree. Prints the
// time per command for N = 1024, 2048 and 4096 and the ratios lspci/list
// and lspci/groups.
// Target: vfiokit list at least 3x faster than lspci, linear in N.
//
// Beside them, the floor: only the system calls `list` needs per function
// (open the directory, list it, read uevent, read config (a PF's; a VF's
// only for its resizable BARs, which these have not), close; a VF's PF
// comes from the PF's SR-IOV capability, not its physfn link), made by as many threads as vfiokit uses, inside this
// process, with nothing else: no process start, no parsing, no output. No
// reader of these files can be faster, so lspci/floor bounds the ratio any
// implementation can reach on this machine.
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <string_view>
#include <thread>

#include "support/run_process.hpp"
#include "support/scale_host.hpp"

namespace {

using vfiokit::testing::ScaleFunction;

// The trees, as `list` reads them (no IOMMU groups, no drivers).
const vfiokit::testing::ScaleHost& built(unsigned functions) {
  return vfiokit::testing::scale_host({.functions = functions, .iommu_groups = false, .vf_driver = ""});
}
const vfiokit::testing::FakeSysfs& tree(unsigned functions) { return built(functions).sysfs; }

void run_command(benchmark::State& state, std::vector<std::string> argv) {
  const auto& t = tree(static_cast<unsigned>(state.range(0)));
  for (auto& a : argv)
    if (a == "ROOT") a = t.root().string();
  // One run before the timed ones, for every command alike: the first read
  // of a tree pays for dentries and inodes no later one does.
  (void)vfiokit::testing::run_process_discarding_output(argv);
  for (auto _ : state) {
    auto r = vfiokit::testing::run_process_discarding_output(argv);
    if (r.exit_code != 0) state.SkipWithError(("command failed: " + r.err).c_str());
  }
  state.counters["functions"] = static_cast<double>(state.range(0));
}

void BM_VfiokitListJson(benchmark::State& state) {
  run_command(state, {VFIOKIT_BIN, "list", "--json", "--sysfs-root", "ROOT"});
}
void BM_VfiokitGroupsJson(benchmark::State& state) {
  run_command(state, {VFIOKIT_BIN, "groups", "--json", "--sysfs-root", "ROOT"});
}
void BM_LspciDFixed(benchmark::State& state) {
  const auto& t = tree(static_cast<unsigned>(state.range(0)));
  run_command(state, {"lspci", "-D", "-A", "linux-sysfs", "-O", "sysfs.path=" + (t.root() / "bus/pci").string()});
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
    benchmark::DoNotOptimize(::read(fd, page.data(), page.size()));
    ::close(fd);
  }
  ::close(dir);
}

void BM_SyscallFloor(benchmark::State& state) {
  const auto& t = built(static_cast<unsigned>(state.range(0)));
  std::map<std::filesystem::path, int> port_fds;
  for (const auto& f : t.functions)
    if (!port_fds.count(f.port_dir)) port_fds[f.port_dir] = ::open(f.port_dir.c_str(), O_RDONLY | O_DIRECTORY);
  std::vector<int> fd_of;
  for (const auto& f : t.functions) fd_of.push_back(port_fds.at(f.port_dir));
  const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);  // as host/function_tree_walk
  const std::string bus = (t.sysfs.root() / "bus/pci/devices").string();
  for (auto _ : state) {
    // The bus's list, as vfiokit reads it first.
    const int b = ::open(bus.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    alignas(dirent64) std::array<char, 32 * 1024> dents;
    while (::getdents64(b, dents.data(), dents.size()) > 0) {}
    ::close(b);
    const auto part = [&](unsigned k) {
      const size_t n = t.functions.size(), lo = n * k / threads, hi = n * (k + 1) / threads;
      for (size_t i = lo; i < hi; ++i) read_function(fd_of[i], t.functions[i]);
    };
    std::vector<std::jthread> pool;
    for (unsigned k = 1; k < threads; ++k) pool.emplace_back(part, k);
    part(0);
  }
  for (const auto& [path, fd] : port_fds) ::close(fd);
  state.counters["functions"] = static_cast<double>(state.range(0));
}

BENCHMARK(BM_VfiokitListJson)
    ->Arg(1024)
    ->Arg(2048)
    ->Arg(4096)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(10);
BENCHMARK(BM_VfiokitGroupsJson)
    ->Arg(1024)
    ->Arg(2048)
    ->Arg(4096)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(10);
BENCHMARK(BM_LspciDFixed)
    ->Arg(1024)
    ->Arg(2048)
    ->Arg(4096)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(10);
BENCHMARK(BM_SyscallFloor)
    ->Arg(1024)
    ->Arg(2048)
    ->Arg(4096)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(5);

// Prints, after the table, lspci's time over vfiokit's for each size.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      const std::string name = run.benchmark_name();
      const auto slash = name.find('/');
      times_[name.substr(0, slash)][name.substr(slash + 1, name.find('/', slash + 1) - slash - 1)] =
          run.GetAdjustedRealTime();
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\n%-10s %10s %10s %10s %10s %12s %13s %12s %14s\n", "functions", "list ms", "groups ms", "lspci ms",
                "floor ms", "lspci/list", "lspci/groups", "lspci/floor", "list ms/1k fn");
    for (const auto& [n, list] : times_["BM_VfiokitListJson"]) {
      const double groups = times_["BM_VfiokitGroupsJson"][n];
      const double lspci = times_["BM_LspciDFixed"][n];
      const double floor = times_["BM_SyscallFloor"][n];
      std::printf("%-10s %10.1f %10.1f %10.1f %10.1f %11.1fx %12.1fx %11.1fx %14.1f\n", n.c_str(), list, groups, lspci,
                  floor, lspci / list, lspci / groups, lspci / floor, list / (std::stod(n) / 1024));
    }
  }

 private:
  std::map<std::string, std::map<std::string, double>> times_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  // Every tree exists, written back, before the first command is timed.
  for (unsigned n : {1024u, 2048u, 4096u}) built(n);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
}
