// SPDX-License-Identifier: Apache-2.0
// Who holds an IOMMU group (host/profile/profile_holders.hpp): the journal
// entries of `vfiokit bind` and of profiles that are up.
#include "vfiokit/host/profile/profile_holders.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"
#include "vfiokit/host/binding/record.hpp"
#include "vfiokit/host/profile/profile_change.hpp"

namespace vfiokit::host {
namespace {

JournalEntry held(ChangeKey key, std::string record) {
  JournalEntry e;
  e.key = std::move(key);
  e.state = ChangeState::held;
  e.record = std::move(record);
  return e;
}

TEST(ProfileHolders, AProfileHoldsTheGroupsItsUpBound) {
  testing::TempDir dir;
  const Journal journal(dir.path());
  ASSERT_TRUE(journal.write(
      held(profile_key("vm"), R"({"name":"vm","parts":[{"kind":"resize","id":"0000:02:00.0-2","record":{},"steps":[]},)"
                              R"({"kind":"group","id":"5","record":{},"steps":[]}]})")));
  auto holder = profile_holding_group(journal, 5);
  ASSERT_TRUE(holder);
  EXPECT_EQ(holder->value_or("none"), "vm");
  holder = profile_holding_group(journal, 6);
  ASSERT_TRUE(holder);
  EXPECT_FALSE(*holder);
}

TEST(ProfileHolders, AGroupHeldByBindOrAnotherProfileIsRefusedNamingWhatGivesItBack) {
  testing::TempDir dir;
  const Journal journal(dir.path());
  ProfilePlan plan;
  plan.name = "second";
  plan.groups = {5, 6};
  EXPECT_TRUE(check_groups_free(journal, plan));
  ASSERT_TRUE(journal.write(held(binding_key(6), "{}")));
  auto ok = check_groups_free(journal, plan);
  ASSERT_FALSE(ok);
  EXPECT_NE(ok.error().describe().find("IOMMU group 6: is held by `vfiokit bind`"), std::string::npos);
  EXPECT_NE(ok.error().describe().find("`vfiokit release --group 6` gives it back first"), std::string::npos);
  ASSERT_TRUE(journal.remove(binding_key(6)));
  ASSERT_TRUE(journal.write(held(profile_key("first"), R"({"name":"first","parts":[{"kind":"group","id":"5"}]})")));
  ok = check_groups_free(journal, plan);
  ASSERT_FALSE(ok);
  EXPECT_NE(ok.error().describe().find("IOMMU group 5: is held by profile first, which is up: `vfiokit down first`"),
            std::string::npos);
  // A profile's own groups are not held against it.
  plan.name = "first";
  EXPECT_TRUE(check_groups_free(journal, plan));
}

}  // namespace
}  // namespace vfiokit::host
