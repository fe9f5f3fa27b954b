#include <gtest/gtest.h>

#include <fstream>

#include "host/binding_journal.hpp"
#include "host/binding_plan.hpp"
#include "host/in_use.hpp"
#include "host/persistence.hpp"
#include "support/temp_dir.hpp"

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
  EXPECT_EQ(kinds(*plan), (std::vector<StepKind>{StepKind::load_module, StepKind::set_override, StepKind::set_override,
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
  for (const char* name : {"vfio-pci", "snd_hda_intel", "pci-stub"}) EXPECT_TRUE(plan_bind(multifunction_host(), 7, name, true, {})) << name;
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

TEST(BindingJournal, RoundTripsAndListsEntries) {
  testing::TempDir dir;
  const BindingJournal journal(dir.path() / "journal");
  JournalEntry e;
  e.group = 7;
  e.driver = "vfio-pci";
  e.state = JournalState::binding;
  e.next_step = 3;
  e.steps = {"a", "b"};
  e.members = {GroupMember{kNic, Binding{"e1000e", std::nullopt}, false},
               GroupMember{kEdu, Binding{"", std::string("none")}, false}};
  e.pid = 99;
  ASSERT_TRUE(journal.write(e));
  auto back = journal.read(7);
  ASSERT_TRUE(back && *back);
  EXPECT_EQ((*back)->next_step, 3u);
  EXPECT_EQ((*back)->members[0].original, (Binding{"e1000e", std::nullopt}));
  EXPECT_EQ((*back)->members[1].original, (Binding{"", std::string("none")}));
  e.group = 3;
  e.state = JournalState::held;
  ASSERT_TRUE(journal.write(e));
  auto all = journal.list();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].group, 3u);
  EXPECT_EQ((*all)[0].state, JournalState::held);
  ASSERT_TRUE(journal.remove(3));
  EXPECT_FALSE(*journal.read(3));
  EXPECT_TRUE(journal.remove(3));  // removing twice is fine
  EXPECT_FALSE(std::filesystem::exists(journal.file(7).string() + ".tmp"));
}

TEST(BindingJournal, DamagedEntriesAreErrorsNamingTheFile) {
  testing::TempDir dir;
  const BindingJournal journal(dir.path());
  // A schema of another type once threw out of json::value() (found by fuzz.journal).
  for (const char* text : {"", "{", "[]", R"({"schema":456})", R"({"schema":"vfiokit.journal/1","group":5e+136})", R"({"schema":"vfiokit.journal/1"})",
                           R"({"schema":"vfiokit.journal/1","group":1,"driver":"x","state":"odd","next_step":0,"steps":[],"members":[]})"}) {
    std::ofstream(journal.file(1)) << text;
    auto e = journal.read(1);
    ASSERT_FALSE(e) << text;
    EXPECT_NE(e.error().describe().find("group-1.json"), std::string::npos) << e.error().describe();
  }
  EXPECT_FALSE(journal.list());
}

TEST(InUse, ParsesMountsSwapsAndRoutes) {
  const auto mounts = mounted_devices("/dev/nvme0n1p1 /mnt ext4 rw 0 0\nproc /proc proc rw 0 0\n/dev/sda1 / ext4 rw 0 0\n");
  ASSERT_EQ(mounts.size(), 2u);
  EXPECT_EQ(mounts[0], (std::pair<std::string, std::string>{"nvme0n1p1", "/mnt"}));
  EXPECT_EQ(swap_devices("Filename Type Size Used Priority\n/dev/nvme0n1 partition 16380 0 -2\n"),
            (std::vector<std::string>{"nvme0n1"}));
  const auto routed = interfaces_with_routes(
      "Iface\tDestination\tGateway\nenp1s0\t0000000A\t00000000\n",
      "fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 "
      "00000001 00000000 00000001     eth1\n"
      "00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 "
      "00000002 00000000 80200001       lo\n");
  EXPECT_EQ(routed, (std::vector<std::string>{"enp1s0", "eth1"}));
}

TEST(Persistence, OneRuleLinePerEndpointRunningVfiokitBind) {
  const auto text = persist_rule_text({kNic, kEdu}, "vfio-pci", "/usr/bin/vfiokit");
  EXPECT_NE(text.find("ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"0000:01:00.0\", "
                      "RUN+=\"/usr/bin/vfiokit bind --driver vfio-pci 0000:01:00.0\"\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("KERNEL==\"0000:01:00.1\""), std::string::npos);
  EXPECT_EQ(persist_rule_file("/etc/udev/rules.d", {kNic, kEdu}), "/etc/udev/rules.d/70-vfiokit-0000:01:00.0.rules");
}

TEST(Persistence, ReleaseRemovesOnlyRulesNamingTheFunctions) {
  testing::TempDir dir;
  auto a = write_persist_rule(dir.path(), {kNic, kEdu}, "vfio-pci");
  ASSERT_TRUE(a) << a.error().describe();
  auto b = write_persist_rule(dir.path(), {kPort}, "vfio-pci");
  ASSERT_TRUE(b);
  std::ofstream(dir.path() / "99-other.rules") << "KERNEL==\"0000:01:00.1\"\n";
  auto removed = remove_persist_rules(dir.path(), {kEdu});
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, (std::vector<std::filesystem::path>{*a}));
  EXPECT_TRUE(std::filesystem::exists(*b));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "99-other.rules"));
}

}  // namespace
}  // namespace vfiokit::host
