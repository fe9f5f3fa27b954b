// SPDX-License-Identifier: Apache-2.0
// `vfiokit profile create`, `up`, `down`, `status` and `recover` as a user
// runs them, on a simulated copy of a host the lab captured from Debian 6.12
// booting the profile suite's devices alone (now the second half of
// lab/topologies/rebar-device.topo): the Resizable BAR test device and an
// e1000e sharing a slot (IOMMU group 5), and a second e1000e (group 6).
#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "support/lab_fixture.hpp"
#include "support/run_process.hpp"
#include "vfiokit/host/view/host_view.hpp"
#include "vfiokit/simulator/kernel.hpp"

namespace vfiokit {
namespace {

using testing::run_process;

const pci::Bdf kRebar(0, 2, 0, 0), kSlotNic(0, 2, 0, 1), kOtherNic(0, 1, 0, 0);

struct ProfileHost {
  testing::LabFixture dir{"profile-debian-6.12"};
  std::string sys() const { return dir.sys(); }
  std::string profile(const std::string& text, const std::string& name = "vm") const {
    const auto file = dir.path() / (name + ".toml");
    std::ofstream(file) << text;
    return file.string();
  }
  // Every function's driver, override and BAR sizes.
  std::string state() const {
    std::string out;
    for (const auto& f : host::read_host(host::SysfsRoot(sys())).functions) {
      out += f.bdf.str() + " " + f.driver + " " + f.driver_override.value_or("-");
      for (size_t i = 0; i < 6 && i < f.resources.size(); ++i) out += " " + std::to_string(f.resources[i].size());
      out += "\n";
    }
    return out;
  }
  testing::ProcessResult vfiokit(std::vector<std::string> args, const std::vector<std::string>& env = {}) const {
    args.insert(args.begin(), VFIOKIT_BIN);
    if (args[1] == "up" || args[1] == "down" || args[1] == "status" || args[1] == "recover") {
      args.push_back("--simulate");
      args.push_back(sys());
    }
    return run_process(args, env);
  }
};

// The profile `profile create` writes for the slot, with BAR 2 of the
// test device set to `size`.
std::string created_with_bar2(const ProfileHost& h, const std::string& size) {
  auto r = h.vfiokit({"profile", "create", "vm", kRebar.str(), "--sysfs-root", h.sys()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string text = r.out;
  const size_t at = text.find("[device.device]\n");
  EXPECT_NE(at, std::string::npos) << text;
  if (at != std::string::npos) text.insert(at + 16, "bar2 = \"" + size + "\"\nd3cold_allowed = true\n");
  return text + "reset_method = \"bus\"\n";  // to the last device, the NIC
}

TEST(CliProfile, CreateNamesTheWholeGroupByIdentitiesThatSurviveRenumbering) {
  ProfileHost h;
  auto r = h.vfiokit({"profile", "create", "vm", kRebar.str(), "--sysfs-root", h.sys()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("name = \"vm\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[device.device]\nid = \"1234:ba12\"\nsubsystem = "), std::string::npos) << r.out;
  // Two e1000e: the serial number tells this one apart.
  EXPECT_NE(r.out.find("[device.nic]\nid = \"8086:10d3\"\nserial = \"52-54-00-ff-ff-"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("0000:01:00.0"), std::string::npos) << r.out;
}

TEST(CliProfile, UpResizesAndBindsTheGroupStatusShowsItAndDownGivesAllBack) {
  ProfileHost h;
  const std::string before = h.state();
  const std::string file = h.profile(created_with_bar2(h, "256M"));

  auto r = h.vfiokit({"up", file, "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("plan: profile vm"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("write 8 to resource2_resize: BAR 2 16MiB -> 256MiB"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[IOMMU group 5]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dry run: nothing was changed"), std::string::npos) << r.out;
  EXPECT_EQ(h.state(), before);

  r = h.vfiokit({"up", file});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("up: profile vm: 2 device(s) ready"), std::string::npos) << r.out;
  const host::HostView up = host::read_host(host::SysfsRoot(h.sys()));
  EXPECT_EQ(up.function(kRebar)->resources[2].size(), 256u << 20);
  EXPECT_EQ(up.function(kRebar)->driver, "vfio-pci");
  EXPECT_EQ(up.function(kSlotNic)->driver, "vfio-pci");
  EXPECT_EQ(up.function(kOtherNic)->driver, "e1000e");
  const auto attr = [&](const pci::Bdf& bdf, const char* name) {
    std::ifstream in(h.dir.path() / "sys/bus/pci/devices" / bdf.str() / name);
    std::string v;
    std::getline(in, v);
    return v;
  };
  EXPECT_EQ(attr(kRebar, "d3cold_allowed"), "1");
  EXPECT_EQ(attr(kSlotNic, "reset_method"), "bus");

  r = h.vfiokit({"status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("profile vm: up"), std::string::npos) << r.out;
  r = h.vfiokit({"up", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("profile vm is already up: nothing to do"), std::string::npos) << r.out;

  r = h.vfiokit({"down", "vm"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("down: profile vm: every device is back as it was before `up`"), std::string::npos) << r.out;
  EXPECT_EQ(h.state(), before);
  EXPECT_EQ(attr(kRebar, "d3cold_allowed"), "0");
  EXPECT_EQ(attr(kSlotNic, "reset_method"), "pm");
  r = h.vfiokit({"down", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("profile vm is not up: nothing to do"), std::string::npos) << r.out;
}

TEST(CliProfile, AnUpKilledAfterAnyStepIsUndoneByRecover) {
  size_t steps = 0;
  {
    ProfileHost h;
    auto r = h.vfiokit({"up", h.profile(created_with_bar2(h, "256M")), "--dry-run"});
    std::istringstream lines(r.out.substr(r.out.find("steps:\n") + 7));
    for (std::string line; std::getline(lines, line) && line.starts_with("  ");) ++steps;
  }
  ASSERT_GE(steps, 8u);
  for (size_t k = 1; k < steps; ++k) {
    ProfileHost h;
    const std::string before = h.state();
    auto r = h.vfiokit({"up", h.profile(created_with_bar2(h, "256M"))},
                       {"VFIOKIT_TEST_KILL_AFTER_STEP=" + std::to_string(k)});
    ASSERT_EQ(r.exit_code, 128 + 9) << "step " << k << ": " << r.out << r.err;
    r = h.vfiokit({"recover"});
    ASSERT_EQ(r.exit_code, 0) << "step " << k << ": " << r.out << r.err;
    EXPECT_NE(r.out.find("profile vm: an up of 1 resize(s), 1 group bind(s) and 2 setting(s) stopped at step"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(h.state(), before) << "killed after step " << k;
    r = h.vfiokit({"status"});
    EXPECT_EQ(r.out.find("profile vm"), std::string::npos) << r.out;
  }
}

TEST(CliProfile, AStepThatFailsRollsTheWholeProfileBack) {
  ProfileHost h;
  host::SimulatedHostSetup faults;
  faults.unbind_errno[kSlotNic] = EBUSY;  // the e1000e will not let go: the bind fails after the resize
  ASSERT_TRUE(host::SimulatedKernel::setup(h.sys(), faults));
  const std::string before = h.state();
  auto r = h.vfiokit({"up", h.profile(created_with_bar2(h, "256M"))});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("e1000e refused to unbind (step 6 of 13"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("every device is back as it was before `up`"), std::string::npos) << r.err;
  EXPECT_EQ(h.state(), before);
  r = h.vfiokit({"status"});
  EXPECT_EQ(r.out.find("profile vm"), std::string::npos) << r.out;
  // Failing each step in turn: every one is rolled back to the host before `up`.
  for (size_t k = 1; k <= 13; ++k) {
    ProfileHost fresh;
    const std::string was = fresh.state();
    r = fresh.vfiokit({"up", fresh.profile(created_with_bar2(fresh, "256M"))},
                      {"VFIOKIT_TEST_FAIL_STEP=" + std::to_string(k)});
    ASSERT_EQ(r.exit_code, 1) << "step " << k << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("failed on purpose (VFIOKIT_TEST_FAIL_STEP) (step " + std::to_string(k) + " of 13"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("every device is back as it was before `up`"), std::string::npos) << r.err;
    EXPECT_EQ(fresh.state(), was) << "failed at step " << k;
  }
}

TEST(CliProfile, ADeviceTheHostUsesIsTakenOnlyWhenTheProfileSaysForce) {
  ProfileHost h;
  // The test device is the firmware's console, as a GPU the host booted on is.
  std::ofstream(std::filesystem::path(h.sys()) / "bus/pci/devices" / kRebar.str() / "boot_vga") << "1\n";
  const std::string before = h.state();
  const std::string text = created_with_bar2(h, "256M");
  auto r = h.vfiokit({"up", h.profile(text)});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("refusing: in use: 0000:02:00.0: is the boot VGA device"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("or set `force = true` in the profile (or pass --force) to take it anyway"), std::string::npos)
      << r.err;
  EXPECT_EQ(h.state(), before);
  r = h.vfiokit({"up", h.profile("force = true\n" + text)});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("in use, taken anyway (forced): 0000:02:00.0: is the boot VGA device"), std::string::npos)
      << r.err;
  EXPECT_NE(h.state(), before);
  r = h.vfiokit({"down", "vm"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(h.state(), before);
}

TEST(CliProfile, AGroupAnotherProfileHoldsIsRefusedUntilThatOneIsDown) {
  ProfileHost h;
  auto r = h.vfiokit({"up", h.profile(created_with_bar2(h, "256M"))});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string up = h.state();
  // "vm" is up; the same slot's NIC in a second profile: its group is the first's.
  r = h.vfiokit(
      {"up", h.profile("[device.gpu]\nid = \"1234:ba12\"\n[device.nic]\nbdf = \"0000:02:00.1\"\n", "second")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("IOMMU group 5: is held by profile vm, which is up: `vfiokit down vm` first"), std::string::npos)
      << r.err;
  EXPECT_EQ(h.state(), up);
  r = h.vfiokit({"down", "vm"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = h.vfiokit({"up", (h.dir.path() / "second.toml").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(CliProfile, ProfilesThatCannotBeMetAreRefusedBeforeAnyChange) {
  ProfileHost h;
  const std::string before = h.state();
  const std::pair<std::string, std::string> cases[] = {
      {"[device.gpu]\nid = \"1234:ba12\"\n",
       "IOMMU group 5: of device 'gpu' also holds 0000:02:00.1 [8086:10d3], which the profile does not name"},
      {"[device.gpu]\nid = \"1234:ba12\"\n[device.nic]\nid = \"8086:10d3\"\n",
       "device 'nic' (id 8086:10d3): matches 2 functions (0000:01:00.0, 0000:02:00.1)"},
      {"[device.gpu]\nid = \"1234:ba12\"\nbar2 = \"64G\"\n[device.nic]\nbdf = \"0000:02:00.1\"\n",
       "device 'gpu': 0000:02:00.0: BAR 2 cannot be 64GiB: resource2_resize offers"},
      {"[device.gpu]\nid = \"abcd:0001\"\n", "device 'gpu' (id abcd:0001): matches no function on this host"},
      // Two devices, one function.
      {"[device.gpu]\nid = \"1234:ba12\"\n[device.again]\nbdf = \"0000:02:00.0\"\n",
       "device 'again' (bdf 0000:02:00.0): matches 0000:02:00.0, which device 'gpu' matches too"},
      // Two BARs behind one bridge: the second's plan would be stale after the first.
      {"[device.gpu]\nid = \"1234:ba12\"\nbar2 = \"256M\"\nbar4 = \"64M\"\n[device.nic]\nbdf = \"0000:02:00.1\"\n",
       "BAR 4 of 0000:02:00.0: and BAR 2 of 0000:02:00.0 both need the window of bridge 0000:00:02.0 re-sized"},
      {"[device.gpu]\nid = \"1234:ba12\"\ncolor = 1\n", "vm.toml:3: unknown key 'color' in device 'gpu'"},
      {"[device.gpu]\nid = \"1234:ba12\"\n[device.nic]\nbdf = \"0000:01:00.0\"\n",
       "IOMMU group 5: of device 'gpu' also holds 0000:02:00.1"},
  };
  for (const auto& [text, expected] : cases) {
    auto r = h.vfiokit({"up", h.profile(text)});
    EXPECT_EQ(r.exit_code, 1) << text;
    EXPECT_NE(r.err.find(expected), std::string::npos) << text << "\n" << r.err;
    EXPECT_EQ(h.state(), before) << text;
  }
  auto r = h.vfiokit({"up", (h.dir.path() / "none.toml").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no such profile file"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vfiokit
