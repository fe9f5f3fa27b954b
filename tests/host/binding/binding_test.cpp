// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "support/temp_dir.hpp"
#include "vfiokit/host/binding/operation.hpp"
#include "vfiokit/host/binding/persistence.hpp"
#include "vfiokit/host/binding/plan.hpp"
#include "vfiokit/host/devices/in_use.hpp"

namespace vfiokit::host {
namespace {

using pci::Bdf;

const Bdf kPort(0, 0, 6, 0), kNic(0, 1, 0, 0), kEdu(0, 1, 0, 1);

PciFunction function(Bdf bdf, std::string driver, unsigned group, bool bridge = false) {
  PciFunction f;
  f.bdf = bdf;
  f.driver = std::move(driver);
  f.iommu_group = group;
  if (bridge) f.class_code = 0x060400;
  return f;
}

// The lab's multifunction slot: e1000e fn0 + edu fn1 (no driver) in group 7
// with nothing else; the root port is alone in group 6.
HostView multifunction_host() {
  HostView view;
  view.functions = {function(kPort, "pcieport", 6, true), function(kNic, "e1000e", 7), function(kEdu, "", 7)};
  view.groups = {IommuGroup{6, {kPort}, {}, {}, {}}, IommuGroup{7, {kNic, kEdu}, {}, {}, {}}};
  return view;
}

std::vector<StepKind> kinds(const BindPlan& plan) {
  std::vector<StepKind> out;
  for (const auto& s : plan.steps) out.push_back(s.kind);
  return out;
}

TEST(BindPlan, EveryEndpointOfTheGroupOverridesFirstThenUnbindThenProbe) {
  auto plan = plan_bind(multifunction_host(), 7, "vfio-pci", /*driver_loaded=*/false, {});
  ASSERT_TRUE(plan) << plan.error().describe();
  EXPECT_EQ(kinds(*plan),
            (std::vector<StepKind>{StepKind::load_module, StepKind::set_override, StepKind::set_override,
                                   StepKind::unbind, StepKind::probe, StepKind::probe, StepKind::verify}));
  EXPECT_EQ(plan->steps[3].describe(), "0000:01:00.0: unbind from e1000e");
  ASSERT_EQ(plan->members.size(), 2u);
  EXPECT_EQ(plan->members[0].original.driver, "e1000e");
  EXPECT_EQ(plan->members[1].original.driver, "");
  EXPECT_FALSE(plan->nothing_to_do());
  EXPECT_TRUE(plan->in_use.empty() && plan->refusals.empty());
}

TEST(BindPlan, BridgesStayAndBoundFunctionsNeedNothing) {
  HostView view = multifunction_host();
  view.groups = {IommuGroup{7, {kPort, kNic, kEdu}, {}, {}, {}}};  // the port without ACS joins the group
  for (auto& f : view.functions)
    if (!f.is_bridge()) f.driver = "vfio-pci", f.driver_override = "vfio-pci";
  auto plan = plan_bind(view, 7, "vfio-pci", true, {});
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->nothing_to_do());
  ASSERT_EQ(plan->members.size(), 3u);
  EXPECT_TRUE(plan->members[0].bridge);
}

TEST(BindPlan, InUseAndSriovAreReported) {
  HostView view = multifunction_host();
  view.functions[1].sriov_numvfs = 4;
  const UsageMap usage = {{kNic, {"network interface eth0 is up with addresses 10.0.0.1"}}, {kEdu, {}}};
  auto plan = plan_bind(view, 7, "vfio-pci", true, usage);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->in_use.size(), 1u);
  EXPECT_EQ(plan->in_use[0], "0000:01:00.0: network interface eth0 is up with addresses 10.0.0.1");
  ASSERT_EQ(plan->refusals.size(), 1u);
  EXPECT_NE(plan->refusals[0].find("4 SR-IOV virtual functions enabled"), std::string::npos);
}

TEST(BindPlan, AnOverrideTheJournalCannotRecordIsRefused) {
  HostView view = multifunction_host();
  view.functions[2].driver_override = std::string("bad\xff\xfe");  // driver_override holds any bytes written
  auto plan = plan_bind(view, 7, "vfio-pci", true, {});
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->refusals.size(), 1u);
  EXPECT_NE(plan->refusals[0].find("0000:01:00.1"), std::string::npos) << plan->refusals[0];
  EXPECT_NE(plan->refusals[0].find("not UTF-8 text"), std::string::npos) << plan->refusals[0];
}

TEST(BindPlan, ADriverNameIsAPlainWord) {
  for (const char* name : {"", "../devices", "vfio/pci", ".hidden", "bad\xff", "a b"}) {
    auto plan = plan_bind(multifunction_host(), 7, name, true, {});
    ASSERT_FALSE(plan) << name;
    EXPECT_EQ(plan.error().code(), Errc::invalid_argument) << name;
  }
  for (const char* name : {"vfio-pci", "snd_hda_intel", "pci-stub"})
    EXPECT_TRUE(plan_bind(multifunction_host(), 7, name, true, {})) << name;
}

TEST(BindPlan, UnknownGroupAndNoIommu) {
  EXPECT_FALSE(plan_bind(multifunction_host(), 42, "vfio-pci", true, {}));
  HostView view = multifunction_host();
  view.functions[1].iommu_group.reset();
  auto g = group_of_function(view, kNic);
  ASSERT_FALSE(g);
  EXPECT_NE(g.error().message().find("IOMMU is off"), std::string::npos);
  EXPECT_FALSE(group_of_function(view, Bdf(0, 9, 0, 0)));
}

TEST(BindingRecord, RoundTripsThroughTheJournal) {
  testing::TempDir dir;
  const Journal journal(dir.path() / "journal");
  const BindingRecord r{7,
                        "vfio-pci",
                        {GroupMember{kNic, Binding{"e1000e", std::nullopt}, false},
                         GroupMember{kEdu, Binding{"", std::string("none")}, false}}};
  ASSERT_TRUE(journal.write({binding_key(7), ChangeState::held, 3, {"a", "b"}, 99, 0, binding_record_to_json(r)}));
  auto back = read_held_group(journal, 7);
  ASSERT_TRUE(back && *back) << (back ? "none" : back.error().describe());
  EXPECT_EQ((*back)->entry.next_step, 3u);
  EXPECT_EQ((*back)->record.driver, "vfio-pci");
  EXPECT_EQ((*back)->record.members[0].original, (Binding{"e1000e", std::nullopt}));
  EXPECT_EQ((*back)->record.members[1].original, (Binding{"", std::string("none")}));
  EXPECT_FALSE(*read_held_group(journal, 3));
}

TEST(BindingRecord, RecordedNamesAreCheckedAsNewInputIs) {
  testing::TempDir dir;
  const Journal journal(dir.path());
  auto record = [](const std::string& group, const std::string& driver, const std::string& member_driver) {
    return R"({"group":)" + group + R"(,"driver":")" + driver + R"(","members":[{"bdf":"0000:08:00.0","driver":")" +
           member_driver + R"(","driver_override":null,"bridge":false}]})";
  };
  ASSERT_TRUE(binding_record_from_json(record("15", "vfio-pci", "e1000e"), "f"));
  // A driver name is a path under bus/pci/drivers and an argument of modprobe.
  for (const auto& text : {record("15", "../../../../x", "e1000e"), record("15", "vfio-pci", "../../x"),
                           record("15", "vfio-pci", ".."), record("-1", "vfio-pci", "e1000e"), std::string("[]")}) {
    auto r = binding_record_from_json(text, "group-15.json");
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().subject(), "group-15.json") << text;
  }
  // group-15.json that records group 16 is refused, and group 16 is not touched.
  ASSERT_TRUE(journal.write({binding_key(15), ChangeState::held, 0, {}, 1, 0, record("16", "vfio-pci", "e1000e")}));
  auto held = read_held_group(journal, 15);
  ASSERT_FALSE(held);
  EXPECT_NE(held.error().message().find("records group 16"), std::string::npos) << held.error().describe();
}

TEST(InUse, ParsesMountsSwapsAndRoutes) {
  const auto mounts =
      mounted_devices("/dev/nvme0n1p1 /mnt ext4 rw 0 0\nproc /proc proc rw 0 0\n/dev/sda1 / ext4 rw 0 0\n");
  ASSERT_EQ(mounts.size(), 2u);
  EXPECT_EQ(mounts[0], (std::pair<std::string, std::string>{"nvme0n1p1", "/mnt"}));
  EXPECT_EQ(swap_devices("Filename Type Size Used Priority\n/dev/nvme0n1 partition 16380 0 -2\n"),
            (std::vector<std::string>{"nvme0n1"}));
  const auto routed = interfaces_with_routes("Iface\tDestination\tGateway\nenp1s0\t0000000A\t00000000\n",
                                             "fe800000000000000000000000000000 40 00000000000000000000000000000000 00 "
                                             "00000000000000000000000000000000 00000100 "
                                             "00000001 00000000 00000001     eth1\n"
                                             "00000000000000000000000000000001 80 00000000000000000000000000000000 00 "
                                             "00000000000000000000000000000000 00000000 "
                                             "00000002 00000000 80200001       lo\n");
  EXPECT_EQ(routed, (std::vector<std::string>{"enp1s0", "eth1"}));
}

TEST(Persistence, OneRulePerGroupRunningVfiokitBindForTheAnnouncedEndpoint) {
  const auto text = persist_rule_text({kNic, kEdu}, "vfio-pci", "/usr/bin/vfiokit");
  EXPECT_NE(text.find("ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"0000:01:00.0|0000:01:00.1\", "
                      "RUN+=\"/usr/bin/vfiokit bind --driver vfio-pci %k\"\n"),
            std::string::npos)
      << text;
  // One rule line, so that udev starts one bind per announced endpoint of
  // the group, not one per rule line.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n') - 2, 1) << text;
  EXPECT_EQ(persist_rule_endpoints(text), (std::vector<std::string>{"0000:01:00.0", "0000:01:00.1"}));
  EXPECT_EQ(persist_rule_file("/etc/udev/rules.d", {kNic, kEdu}), "/etc/udev/rules.d/70-vfiokit-0000:01:00.0.rules");
}

TEST(Persistence, RuleFilesAre0644WhateverTheUmaskAndNeverFollowAPlantedLink) {
  testing::TempDir dir;
  const mode_t old = ::umask(0);
  std::filesystem::create_symlink("/nonexistent-target", dir.path() / "70-vfiokit-0000:01:00.0.rules.tmp");
  auto a = write_persist_rule(dir.path(), {kNic, kEdu}, "vfio-pci", "/usr/bin/vfiokit");
  ::umask(old);
  ASSERT_TRUE(a) << a.error().describe();
  struct stat st {};
  ASSERT_EQ(::lstat(a->c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  EXPECT_FALSE(std::filesystem::exists("/nonexistent-target"));
}

TEST(Persistence, OnlyAProgramNobodyButRootCanReplaceIsTrusted) {
  testing::TempDir dir;
  const auto program = dir.path() / "vfiokit";
  std::ofstream(program) << "#!/bin/sh\n";
  std::filesystem::permissions(program, std::filesystem::perms::owner_all);
  std::filesystem::permissions(dir.path(), std::filesystem::perms::all);  // a build tree others may write
  auto refused = trusted_program(program);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("may be written by others"), std::string::npos)
      << refused.error().describe();
  EXPECT_FALSE(trusted_program(dir.path() / "missing"));
  // A link to a trusted program is only as safe as the directory it is in.
  std::filesystem::create_symlink("/bin/sh", dir.path() / "sh");
  EXPECT_FALSE(trusted_program(dir.path() / "sh"));
  if (::geteuid() == 0) {
    const auto sh = trusted_program("/bin/sh");
    EXPECT_TRUE(sh) << sh.error().describe();
    // Below a sticky directory others may write (as /tmp), root's own
    // directory is root's alone: nobody else can rename or remove it.
    std::filesystem::permissions(dir.path(), std::filesystem::perms::all | std::filesystem::perms::sticky_bit);
    std::filesystem::create_directory(dir.path() / "bin");
    std::filesystem::permissions(dir.path() / "bin", std::filesystem::perms(0755));
    std::filesystem::copy_file("/bin/true", dir.path() / "bin/vfiokit");
    const auto below_sticky = trusted_program(dir.path() / "bin/vfiokit");
    EXPECT_TRUE(below_sticky) << below_sticky.error().describe();
    // ... while a directory others may write below it is not.
    std::filesystem::permissions(dir.path() / "bin", std::filesystem::perms(0777));
    EXPECT_FALSE(trusted_program(dir.path() / "bin/vfiokit"));
  }
}

TEST(Persistence, ReleaseRemovesOnlyRulesNamingTheFunctions) {
  testing::TempDir dir;
  auto a = write_persist_rule(dir.path(), {kNic, kEdu}, "vfio-pci", "/usr/bin/vfiokit");
  ASSERT_TRUE(a) << a.error().describe();
  auto b = write_persist_rule(dir.path(), {kPort}, "vfio-pci", "/usr/bin/vfiokit");
  ASSERT_TRUE(b);
  std::ofstream(dir.path() / "99-other.rules") << "KERNEL==\"0000:01:00.1\"\n";
  // A planted FIFO with a rule's name is neither waited on nor removed.
  ASSERT_EQ(::mkfifo((dir.path() / "70-vfiokit-0000:01:00.9.rules").c_str(), 0600), 0);
  auto removed = remove_persist_rules(dir.path(), {kEdu});
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, (std::vector<std::filesystem::path>{*a}));
  EXPECT_TRUE(std::filesystem::exists(*b));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "99-other.rules"));
  EXPECT_TRUE(std::filesystem::is_fifo(dir.path() / "70-vfiokit-0000:01:00.9.rules"));
}

}  // namespace
}  // namespace vfiokit::host
