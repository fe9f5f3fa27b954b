// SPDX-License-Identifier: Apache-2.0
// The binding, VFIO and ReBAR commands as a user runs them on a machine
// without devices to give: plans from a lab snapshot, and every mistake a
// clear error that changes nothing. What they do to real devices is shown
// in the lab (suites binding, binding-in-use, vfio).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace vfiokit {
namespace {

using testing::run_process;

const std::string kSnapshot = std::string(VFIOKIT_SOURCE_DIR) + "/data/fixtures/lab-q35-debian-6.12.tar.gz";

TEST(CliBind, DryRunPlansTheWholeGroupFromASnapshot) {
  // The lab's multifunction slot: e1000e fn0 + edu fn1 in group 15.
  auto r = run_process({VFIOKIT_BIN, "bind", "--dry-run", "--sysfs-root", kSnapshot, "0000:08:00.1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("plan: bind IOMMU group 15 to vfio-pci"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0000:08:00.0  e1000e -> vfio-pci"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0000:08:00.0: unbind from e1000e"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dry run: nothing was changed"), std::string::npos) << r.out;
  // The PCIe-to-PCI bridge group: the bridge stays.
  r = run_process({VFIOKIT_BIN, "bind", "--dry-run", "--sysfs-root", kSnapshot, "0000:07:01.0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("0000:06:00.0  bridge, stays"), std::string::npos) << r.out;
}

TEST(CliBind, MistakesAreClearErrors) {
  testing::TempDir journal;
  auto r = run_process({VFIOKIT_BIN, "bind", "--sysfs-root", kSnapshot, "0000:08:00.1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("only plans (--dry-run)"), std::string::npos) << r.err;
  r = run_process({VFIOKIT_BIN, "bind", "--dry-run", "--sysfs-root", kSnapshot, "08:00.9"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("function must be at most 7"), std::string::npos) << r.err;
  r = run_process({VFIOKIT_BIN, "bind", "--dry-run", "--sysfs-root", kSnapshot, "0000:3f:00.0"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no such PCI function"), std::string::npos) << r.err;
  r = run_process({VFIOKIT_BIN, "bind", "--dry-run", "--sysfs-root", kSnapshot, "--group", "999"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("IOMMU group 999: does not exist"), std::string::npos) << r.err;
  r = run_process({VFIOKIT_BIN, "bind", "--dry-run", "--sysfs-root", kSnapshot, "0000:08:00.1", "--group", "15"});
  EXPECT_EQ(r.exit_code, 2) << "a function and a group at once";
  // Nothing held: release says so; the journal directory stays empty.
  r = run_process({VFIOKIT_BIN, "release", "--journal-dir", journal.path().string(), "--group", "999"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(std::filesystem::is_empty(journal.path()));
}

TEST(CliJournal, StatusAndRecoverReadTheJournal) {
  testing::TempDir journal;
  auto r = run_process({VFIOKIT_BIN, "status", "--journal-dir", journal.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("vfiokit holds nothing"), std::string::npos) << r.out;
  r = run_process({VFIOKIT_BIN, "recover", "--journal-dir", journal.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("0 operation(s) undone"), std::string::npos) << r.out;

  // A held group (as `bind` leaves it) is shown and left alone by recover.
  std::ofstream(journal.path() / "group-15.json") << R"({"schema":"vfiokit.journal/2","kind":"group","id":"15",
    "state":"held","next_step":6,"steps":["a"],"pid":1,"record":{"group":15,"driver":"vfio-pci",
    "members":[{"bdf":"0000:08:00.0","driver":"e1000e","driver_override":null,"bridge":false}]}})";
  r = run_process({VFIOKIT_BIN, "status", "--json", "--journal-dir", journal.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["groups"].size(), 1u);
  EXPECT_EQ(j["groups"][0]["state"], "held");
  EXPECT_EQ(j["groups"][0]["members"][0]["original"]["driver"], "e1000e");
  r = run_process({VFIOKIT_BIN, "recover", "--journal-dir", journal.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("held on vfio-pci (complete"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(journal.path() / "group-15.json"));

  // A damaged entry is named, and nothing is touched.
  std::ofstream(journal.path() / "group-15.json") << "{ not json";
  r = run_process({VFIOKIT_BIN, "recover", "--journal-dir", journal.path().string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("group-15.json: is not a JSON object"), std::string::npos) << r.err;
}

TEST(CliVfio, ProbeVirtConfigAndRebarRefuseWhatTheyCannotUse) {
  for (const char* command : {"probe", "virt-config"}) {
    auto r = run_process({VFIOKIT_BIN, command, "00:20.0"});
    EXPECT_EQ(r.exit_code, 2) << command;
    EXPECT_NE(r.err.find("device must be at most 1f"), std::string::npos) << command << ": " << r.err;
    r = run_process({VFIOKIT_BIN, command, "0000:fe:1f.7"});
    EXPECT_EQ(r.exit_code, 1) << command;
    EXPECT_NE(r.err.find("0000:fe:1f.7: no such PCI function"), std::string::npos) << command << ": " << r.err;
  }
  auto r = run_process({VFIOKIT_BIN, "probe", "--backend", "vfio-user", "0000:00:00.0"});
  EXPECT_EQ(r.exit_code, 2);
  r = run_process({VFIOKIT_BIN, "rebar"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("name a function or --from DUMP"), std::string::npos) << r.err;
  r = run_process({VFIOKIT_BIN, "rebar", "--from", "/nonexistent.lspci"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent.lspci"), std::string::npos) << r.err;
  r = run_process({VFIOKIT_BIN, "rebar", "--example", "0000:01:00.0"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("no Resizable BAR capability"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vfiokit
