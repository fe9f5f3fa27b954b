// SPDX-License-Identifier: Apache-2.0
// `vfiokit rebar --bar N --size SIZE` and `vfiokit recover` as a user runs
// them, on a simulated host (--simulate): --dry-run changes nothing, a
// resize completes, and a run killed after any step is undone by recover.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <sstream>
#include <thread>

#include "fakes/rebar_scenario.hpp"
#include "support/run_process.hpp"
#include "vfiokit/host/change/journal.hpp"
#include "vfiokit/host/rebar/resize_record.hpp"
#include "vfiokit/simulator/kernel.hpp"

namespace vfiokit {
namespace {

using testing::RebarScenario;
using testing::run_process;

std::vector<std::string> resize_args(const RebarScenario& s, const std::string& size) {
  return {VFIOKIT_BIN, "rebar", RebarScenario::gpu.str(), "--bar", "0", "--size", size, "--simulate", s.dir().string()};
}

TEST(CliResize, DryRunPrintsThePlanAndChangesNothing) {
  RebarScenario s(true);
  const std::string before = s.state();
  auto args = resize_args(s, "512M");
  args.push_back("--dry-run");
  auto r = run_process(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("plan: 0000:01:00.0 BAR 0: 256MiB -> 512MiB"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("soft-remove 0000:01:00.1 (shares 0000:00:01.0's window; recorded: 0000:01:00.1 snd_hda_intel)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("write 9 to resource0_resize"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("restore 0000:01:00.2: vfio-pci (driver_override vfio-pci)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dry run: nothing was changed"), std::string::npos) << r.out;
  EXPECT_EQ(s.state(), before);
  EXPECT_TRUE(s.kernel_log().empty());
}

TEST(CliResize, ResizesAndSaysSo) {
  RebarScenario s(true);
  auto r = run_process(resize_args(s, "512M"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("resized: 0000:01:00.0 BAR 0 is 512MiB; every function is back as it was"), std::string::npos);
  r = run_process({VFIOKIT_BIN, "rebar", RebarScenario::gpu.str(), "--sysfs-root", s.dir().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("BAR 0: current 512MiB"), std::string::npos) << r.out;
}

TEST(CliResize, ARunKilledAfterAnyStepIsUndoneByRecover) {
  size_t steps = 0;
  {
    RebarScenario s(true);
    auto args = resize_args(s, "512M");
    args.push_back("--dry-run");
    const auto r = run_process(args);
    std::istringstream lines(r.out.substr(r.out.find("steps:\n") + 7));
    for (std::string line; std::getline(lines, line) && line.starts_with("  ");) ++steps;
  }
  ASSERT_EQ(steps, 11u);  // with the root port removed after the write and found again
  for (size_t k = 1; k < steps; ++k) {
    RebarScenario s(true);
    const std::string before = s.sizes_and_bindings();
    auto r = run_process(resize_args(s, "512M"), {"VFIOKIT_TEST_KILL_AFTER_STEP=" + std::to_string(k)});
    ASSERT_EQ(r.exit_code, 128 + 9) << "step " << k << ": " << r.out << r.err;
    r = run_process({VFIOKIT_BIN, "recover", "--simulate", s.dir().string()});
    ASSERT_EQ(r.exit_code, 0) << "step " << k << ": " << r.out << r.err;
    EXPECT_NE(r.out.find("0000:01:00.0 BAR 0: a resize 256MiB -> 512MiB stopped at step"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("recover: 1 operation(s) undone"), std::string::npos) << r.out;
    EXPECT_EQ(s.sizes_and_bindings(), before) << "killed after step " << k;
    r = run_process({VFIOKIT_BIN, "recover", "--simulate", s.dir().string()});
    EXPECT_NE(r.out.find("recover: 0 operation(s) undone"), std::string::npos) << r.out;
  }
}

TEST(CliResize, MistakesAreClearErrorsThatChangeNothing) {
  RebarScenario s(true);
  const std::string before = s.state();
  const std::string dir = s.dir().string();
  const std::string gpu = RebarScenario::gpu.str();
  auto r = run_process({VFIOKIT_BIN, "rebar", gpu, "--bar", "0", "--simulate", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("needs --size"), std::string::npos) << r.err;
  r = run_process({VFIOKIT_BIN, "rebar", gpu, "--bar", "0", "--size", "3G", "--simulate", dir});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("BAR 0 cannot be 3GiB: resource0_resize offers 256MiB 512MiB 1GiB 2GiB 4GiB 8GiB 16GiB"),
            std::string::npos)
      << r.err;
  r = run_process({VFIOKIT_BIN, "rebar", gpu, "--bar", "2", "--size", "1G", "--simulate", dir});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("BAR 2 is not assigned an address"), std::string::npos) << r.err;
  r = run_process({VFIOKIT_BIN, "rebar", RebarScenario::nic.str(), "--bar", "0", "--size", "1G", "--simulate", dir});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("BAR 0 is not resizable: there is no resource0_resize"), std::string::npos) << r.err;
  r = run_process({VFIOKIT_BIN, "rebar", gpu, "--bar", "0", "--size", "1G", "--sysfs-root", dir});
  EXPECT_EQ(r.exit_code, 2);
  r = run_process({VFIOKIT_BIN, "rebar", gpu, "--bar", "0", "--size", "1G", "--json", "--simulate", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--json, --example and --strict belong to the read-only view"), std::string::npos) << r.err;
  r = run_process({VFIOKIT_BIN, "rebar", gpu, "--bar", "9", "--size", "1G", "--simulate", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--bar: BAR index '9': a function has BARs 0 to 5"), std::string::npos) << r.err;
  r = run_process({VFIOKIT_BIN, "rebar", gpu, "--bar", "0", "--size", "1G", "--simulate", "/nonexistent"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("is not a sysfs tree"), std::string::npos) << r.err;
  r = run_process({VFIOKIT_BIN, "rebar", "01:00.9", "--bar", "0", "--size", "1G", "--simulate", dir});
  EXPECT_EQ(r.exit_code, 2);
  // The siblings could not come back into a window grown to 2 GiB: the plan
  // says so from the host's apertures before anything changes.
  r = run_process({VFIOKIT_BIN, "rebar", gpu, "--bar", "0", "--size", "2G", "--simulate", dir});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("in the host bridge aperture 0x80000000-0xffffffff, which has no such room"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("try a smaller size"), std::string::npos) << r.err;
  EXPECT_EQ(s.state(), before);
}

// Two vfiokits on one function: the second waits at the function's lock,
// taken before it plans, says so, and runs once the first lets go.
TEST(CliResize, ASecondVfiokitWaitsForTheTargetsLockAndThenRuns) {
  RebarScenario s(true);
  const host::Journal journal(host::SimulatedKernel::state_file(s.dir()).parent_path() / "journal");
  auto lock = journal.lock(host::resize_key(RebarScenario::gpu));
  ASSERT_TRUE(lock) << lock.error().describe();
  std::atomic<bool> finished = false;
  testing::ProcessResult r;
  std::thread second([&] {
    r = run_process(resize_args(s, "512M"));
    finished = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const bool ran_while_locked = finished;
  *lock = host::Journal::Lock();  // let go
  second.join();
  EXPECT_FALSE(ran_while_locked) << r.out << r.err;
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("waiting for another vfiokit to finish with resize-0000:01:00.0.json"), std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("resized: 0000:01:00.0 BAR 0 is 512MiB"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vfiokit
