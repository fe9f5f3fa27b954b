// SPDX-License-Identifier: Apache-2.0
// mdev types, creation and recovery on a sysfs tree whose `create` and
// `remove` writes a small model of the mdev core carries out.
#include <gtest/gtest.h>

#include <fstream>

#include "fakes/fake_mdev_core.hpp"
#include "support/temp_dir.hpp"
#include "vfiokit/host/change/recovery.hpp"
#include "vfiokit/host/mdev/create_operation.hpp"

namespace vfiokit::host {
namespace {

namespace fs = std::filesystem;
using testing::put;

struct MdevHost {
  testing::TempDir dir;
  std::shared_ptr<testing::FakeMdevCore> core = std::make_shared<testing::FakeMdevCore>(dir.path());
  SysfsRoot root = SysfsRoot(dir.path()).with_writer(core);
  Journal journal{dir.path() / "journal"};
  MdevHost() {
    for (const auto& [type, name, avail] :
         {std::tuple{"mtty-1", "Single port serial", "24"}, std::tuple{"mtty-2", "Dual port serial", "12"}}) {
      const auto t = dir.path() / "class/mdev_bus/mtty/mdev_supported_types" / type;
      put(t / "name", std::string(name) + "\n");
      put(t / "device_api", "vfio-pci\n");
      put(t / "available_instances", std::string(avail) + "\n");
      put(t / "create", "");
      fs::create_directories(t / "devices");
    }
    fs::create_directories(dir.path() / "bus/mdev/devices");
  }
};

const Uuid kUuid = *Uuid::parse("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001");

TEST(Mdev, TypesAreListedWithTheirAttributes) {
  MdevHost h;
  auto types = list_mdev_types(h.root);
  ASSERT_TRUE(types);
  ASSERT_EQ(types->size(), 2u);
  EXPECT_EQ((*types)[1].parent, "mtty");
  EXPECT_EQ((*types)[1].id, "mtty-2");
  EXPECT_EQ((*types)[1].name, "Dual port serial");
  EXPECT_EQ((*types)[1].device_api, "vfio-pci");
  EXPECT_EQ((*types)[1].available, 12u);
  EXPECT_TRUE((*types)[1].description.empty());
}

TEST(Mdev, NoMdevSupportIsAnEmptyList) {
  testing::TempDir dir;
  auto types = list_mdev_types(SysfsRoot(dir.path()));
  ASSERT_TRUE(types);
  EXPECT_TRUE(types->empty());
  auto plan = plan_mdev_create(SysfsRoot(dir.path()), "", "mtty-2", kUuid);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message().find("no mdev parent"), std::string::npos);
}

TEST(Mdev, CreateJournalsWritesVerifiesAndForgets) {
  MdevHost h;
  auto plan = plan_mdev_create(h.root, "", "mtty-2", kUuid);
  ASSERT_TRUE(plan) << plan.error().describe();
  auto made = create_mdev(h.root, *plan, h.journal, {});
  ASSERT_TRUE(made) << made.error().describe();
  EXPECT_EQ(made->type, "mtty-2");
  EXPECT_EQ(made->parent, "mtty");
  EXPECT_EQ(h.core->writes, std::vector<std::string>{"create=" + kUuid.str()});
  EXPECT_TRUE(h.journal.list().entries.empty());
  // The UUID is now taken.
  EXPECT_FALSE(plan_mdev_create(h.root, "", "mtty-2", kUuid));
  ASSERT_TRUE(remove_mdev(h.root, kUuid));
  EXPECT_FALSE(*find_mdev(h.root, kUuid));
  EXPECT_FALSE(remove_mdev(h.root, kUuid));
}

TEST(Mdev, RefusalsNameTheReason) {
  MdevHost h;
  auto unknown = plan_mdev_create(h.root, "", "mtty-9", kUuid);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message().find("mtty/mtty-1, mtty/mtty-2"), std::string::npos);
  put(h.dir.path() / "class/mdev_bus/mtty/mdev_supported_types/mtty-2/available_instances", "0\n");
  auto full = plan_mdev_create(h.root, "", "mtty-2", kUuid);
  ASSERT_FALSE(full);
  EXPECT_NE(full.error().message().find("no instance left"), std::string::npos);
}

TEST(Mdev, AnMdevOfTheWrongTypeIsRemovedAgain) {
  MdevHost h;
  h.core->make_wrong_type = true;
  auto plan = plan_mdev_create(h.root, "", "mtty-2", kUuid);
  ASSERT_TRUE(plan);
  auto made = create_mdev(h.root, *plan, h.journal, {});
  ASSERT_FALSE(made);
  EXPECT_NE(made.error().message().find("has type mtty-1"), std::string::npos) << made.error().describe();
  EXPECT_FALSE(*find_mdev(h.root, kUuid));
  EXPECT_TRUE(h.journal.list().entries.empty());
}

TEST(Mdev, RecoverRemovesWhatAnInterruptedCreationLeft) {
  MdevHost h;
  // As a run killed between the create write and the verification leaves it.
  const JournalEntry entry{mdev_key(kUuid),
                           ChangeState::applying,
                           2,
                           {"check", "create", "verify"},
                           4242,
                           0,
                           mdev_record_to_json({kUuid, "mtty", "mtty-2"})};
  ASSERT_TRUE(h.journal.write(entry));
  ASSERT_TRUE(h.root.write(h.dir.path() / "class/mdev_bus/mtty/mdev_supported_types/mtty-2/create", kUuid.str()));
  auto listing = h.journal.list();
  ASSERT_EQ(listing.entries.size(), 1u);
  EXPECT_EQ(listing.entries[0].pid, 4242);
  std::vector<std::string> said;
  RecoveryReport report;
  report.undone = [&](const JournalEntry&, const Change& c) { said.push_back(c.undone()); };
  const auto totals = recover_changes(h.root, h.journal, {mdev_change_kind()}, {}, report);
  EXPECT_EQ(totals.undone, 1);
  EXPECT_EQ(totals.failed, 0);
  EXPECT_EQ(said, std::vector<std::string>{"removed"});
  EXPECT_FALSE(*find_mdev(h.root, kUuid));
  EXPECT_TRUE(h.journal.list().entries.empty());
  // Killed before the create write: nothing to remove, and it says so.
  ASSERT_TRUE(h.journal.write(entry));
  said.clear();
  EXPECT_EQ(recover_changes(h.root, h.journal, {mdev_change_kind()}, {}, report).undone, 1);
  EXPECT_EQ(said, std::vector<std::string>{"it was never created; nothing to remove"});
}

TEST(Mdev, DamagedRecordsAreErrorsThatNameTheFile) {
  for (const char* text : {"", "[]", R"({})", R"({"uuid":"x","parent":"mtty","type":"mtty-2"})",
                           R"({"uuid":"83b8f4f2-509f-382f-3c1e-e6bfe0fa1001","parent":"..","type":"mtty-2"})",
                           R"({"uuid":"83b8f4f2-509f-382f-3c1e-e6bfe0fa1001","parent":"mtty","type":"a/b"})",
                           R"({"uuid":"83b8f4f2-509f-382f-3c1e-e6bfe0fa1001","parent":"mtty","type":7})"}) {
    auto e = mdev_record_from_json(text, "mdev-x.json");
    ASSERT_FALSE(e) << text;
    EXPECT_EQ(e.error().subject(), "mdev-x.json");
  }
  auto ok = mdev_record_from_json(mdev_record_to_json({kUuid, "mtty", "mtty-2"}), "f");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->uuid, kUuid);
}

}  // namespace
}  // namespace vfiokit::host
