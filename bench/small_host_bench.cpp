// SPDX-License-Identifier: Apache-2.0
// Small hosts, timed as whole processes: most real hosts have a few dozen
// functions, where what a command costs is mostly its own start. On each of
// the lab's snapshots (data/fixtures/lab-q35-*, 8-34 functions) it runs
// `vfiokit list --json` and `lspci -D` on the same tree, alternately, and
// prints the median of each and their ratio; beside them `vfiokit --version`
// and /bin/true, the cost of starting any process on this machine, and a
// C++ program that prints one line linked as vfiokit is (start_floor.cpp),
// what starting the C++ runtime costs. vfiokit runs stripped, as installed.
// Targets (issue 27): --version <= 3 ms, list <= 0.5x lspci.
// Why alternately and medians: support/timed_runs.hpp.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "support/figures.hpp"
#include "support/lab_fixture.hpp"
#include "support/temp_dir.hpp"
#include "support/timed_runs.hpp"

namespace {

constexpr int kRounds = 101;

using vfiokit::testing::timed_command;

}  // namespace

int main() {
  vfiokit::testing::Figures figures;
  // The program as a user runs it: stripped, as the package installs it
  // (dh_strip). The build tree's copy carries some 70 MB of debug info,
  // which the loader never reads but which costs its start a dozen page
  // faults more on the lab's VM; its figure is printed beside.
  const vfiokit::testing::TempDir dir;
  const std::string vfiokit = vfiokit::testing::stripped_copy(VFIOKIT_BIN, dir.path());
  const std::string floor = vfiokit::testing::stripped_copy(VFIOKIT_START_FLOOR, dir.path());
  const auto start =
      vfiokit::testing::alternate_medians({timed_command({vfiokit, "--version"}), timed_command({"/bin/true"}),
                                           timed_command({VFIOKIT_BIN, "--version"}), timed_command({floor})},
                                          kRounds);
  std::printf(
      "start-up, medians of %d alternating runs: vfiokit --version %.2f ms (stripped, as installed; %.2f ms as built, "
      "with debug info), a C++ program printing one line linked as vfiokit is %.2f ms, /bin/true %.2f ms\n",
      kRounds, start[0], start[2], start[3], start[1]);
  figures.add("startup.version_ms", start[0]);
  figures.add("startup.version_unstripped_ms", start[2]);
  figures.add("startup.cxx_floor_ms", start[3]);
  figures.add("startup.true_ms", start[1]);

  std::printf("%-22s %10s %10s %10s %12s\n", "snapshot", "functions", "list ms", "lspci ms", "list/lspci");
  double worst = 0;
  for (const char* name : {"q35-custom", "q35-debian-6.1", "q35-debian-6.12"}) {
    const vfiokit::testing::LabFixture fixture(name);
    const std::string sys = fixture.sys();
    const auto t = vfiokit::testing::alternate_medians(
        {timed_command({vfiokit, "list", "--json", "--sysfs-root", sys}),
         timed_command({"lspci", "-D", "-A", "linux-sysfs", "-O", "sysfs.path=" + sys + "/bus/pci"})},
        kRounds);
    const auto functions = std::distance(std::filesystem::directory_iterator(sys + "/bus/pci/devices"),
                                         std::filesystem::directory_iterator());
    std::printf("%-22s %10ld %10.2f %10.2f %11.2fx\n", name, static_cast<long>(functions), t[0], t[1], t[0] / t[1]);
    figures.add(std::string("small_host.") + name + ".list_ms", t[0]);
    figures.add(std::string("small_host.") + name + ".lspci_ms", t[1]);
    worst = std::max(worst, t[0] / t[1]);
  }
  figures.add("small_host.list_over_lspci_worst", worst);
}
