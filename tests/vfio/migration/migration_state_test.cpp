// SPDX-License-Identifier: Apache-2.0
// The migration v2 rules against the uAPI's documented table and arcs.
#include "vfiokit/vfio/migration/migration_state.hpp"

#include <gtest/gtest.h>

#include <set>

namespace vfiokit::vfio {
namespace {

using S = MigState;
const MigrationCaps kFull{kMigrationStopCopy | kMigrationP2p | kMigrationPreCopy};
const MigrationCaps kStopCopyOnly{kMigrationStopCopy};
const MigrationCaps kPreCopyNoP2p{kMigrationStopCopy | kMigrationPreCopy};

TEST(MigrationState, NamesRoundTrip) {
  for (uint32_t i = 0; i < kMigStates; ++i) {
    auto parsed = parse_mig_state(mig_state_name(S(i)));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, S(i));
  }
  EXPECT_EQ(*parse_mig_state("stop-copy"), S::stop_copy);
  EXPECT_FALSE(parse_mig_state("PAUSED"));
}

TEST(MigrationState, SupportedStatesFollowTheFlags) {
  EXPECT_TRUE(kStopCopyOnly.supports(S::stop));
  EXPECT_TRUE(kStopCopyOnly.supports(S::resuming));
  EXPECT_FALSE(kStopCopyOnly.supports(S::running_p2p));
  EXPECT_FALSE(kStopCopyOnly.supports(S::pre_copy));
  EXPECT_TRUE(kPreCopyNoP2p.supports(S::pre_copy));
  EXPECT_FALSE(kPreCopyNoP2p.supports(S::pre_copy_p2p));
  EXPECT_TRUE(kFull.supports(S::pre_copy_p2p));
  EXPECT_FALSE(MigrationCaps{0}.supports(S::running));
}

// The direct arcs the uAPI lists for a device with every feature.
TEST(MigrationState, DirectArcsOfAFullDevice) {
  const std::set<std::pair<S, S>> arcs = {
      {S::running_p2p, S::stop},         {S::stop_copy, S::stop},         {S::resuming, S::stop},
      {S::pre_copy, S::running},         {S::running_p2p, S::running},    {S::pre_copy_p2p, S::running_p2p},
      {S::running, S::running_p2p},      {S::stop, S::running_p2p},       {S::running, S::pre_copy},
      {S::running_p2p, S::pre_copy_p2p}, {S::stop, S::stop_copy},         {S::pre_copy, S::pre_copy_p2p},
      {S::pre_copy_p2p, S::pre_copy},    {S::pre_copy_p2p, S::stop_copy}, {S::stop, S::resuming}};
  for (uint32_t a = 0; a < kMigStates; ++a)
    for (uint32_t b = 0; b < kMigStates; ++b)
      EXPECT_EQ(is_direct_arc(S(a), S(b), kFull), arcs.count({S(a), S(b)}) == 1)
          << mig_state_name(S(a)) << " -> " << mig_state_name(S(b));
}

TEST(MigrationState, WithoutP2pRunningAndStopMeetDirectly) {
  EXPECT_TRUE(is_direct_arc(S::running, S::stop, kStopCopyOnly));
  EXPECT_TRUE(is_direct_arc(S::stop, S::running, kStopCopyOnly));
  EXPECT_FALSE(is_direct_arc(S::running, S::stop, kFull));
  // With PRE_COPY but no P2P, PRE_COPY goes straight to STOP_COPY.
  EXPECT_TRUE(is_direct_arc(S::pre_copy, S::stop_copy, kPreCopyNoP2p));
}

TEST(MigrationState, PathsFollowTheKernelTable) {
  auto path = plan_path(S::running, S::stop_copy, kFull);
  ASSERT_TRUE(path);
  EXPECT_EQ(*path, (std::vector<S>{S::running_p2p, S::stop, S::stop_copy}));
  path = plan_path(S::running, S::stop_copy, kStopCopyOnly);
  ASSERT_TRUE(path);
  EXPECT_EQ(*path, (std::vector<S>{S::stop, S::stop_copy}));
  path = plan_path(S::pre_copy, S::stop_copy, kFull);
  ASSERT_TRUE(path);
  EXPECT_EQ(*path, (std::vector<S>{S::pre_copy_p2p, S::stop_copy}));
  path = plan_path(S::resuming, S::running, kFull);
  ASSERT_TRUE(path);
  EXPECT_EQ(*path, (std::vector<S>{S::stop, S::running_p2p, S::running}));
  path = plan_path(S::stop, S::stop, kFull);
  ASSERT_TRUE(path);
  EXPECT_TRUE(path->empty());
}

TEST(MigrationState, EveryPlannedStepIsADirectArc) {
  for (const auto& caps : {kFull, kStopCopyOnly, kPreCopyNoP2p})
    for (uint32_t a = 1; a < kMigStates; ++a)
      for (uint32_t b = 1; b < kMigStates; ++b) {
        if (!caps.supports(S(a)) || !caps.supports(S(b))) continue;
        auto path = plan_path(S(a), S(b), caps);
        if (!path) continue;
        S cur = S(a);
        for (S next : *path) {
          EXPECT_TRUE(is_direct_arc(cur, next, caps)) << mig_state_name(cur) << " -> " << mig_state_name(next);
          cur = next;
        }
        EXPECT_EQ(cur, S(b));
      }
}

TEST(MigrationState, RefusedWays) {
  // A saving session cannot return to pre-copy.
  auto blocked = plan_path(S::stop_copy, S::pre_copy, kFull);
  ASSERT_FALSE(blocked);
  EXPECT_NE(blocked.error().message().find("no way"), std::string::npos);
  EXPECT_FALSE(plan_path(S::stop_copy, S::pre_copy_p2p, kFull));
  // ERROR is never requested, nor left except by reset.
  EXPECT_FALSE(plan_path(S::running, S::error, kFull));
  EXPECT_FALSE(plan_path(S::error, S::running, kFull));
  // States the device lacks.
  auto lacking = plan_path(S::running, S::pre_copy, kStopCopyOnly);
  ASSERT_FALSE(lacking);
  EXPECT_NE(lacking.error().message().find("does not support PRE_COPY"), std::string::npos);
}

TEST(MigrationState, SessionArcs) {
  EXPECT_TRUE(arc_starts_session(S::stop, S::stop_copy));
  EXPECT_TRUE(arc_starts_session(S::stop, S::resuming));
  EXPECT_TRUE(arc_starts_session(S::running, S::pre_copy));
  EXPECT_TRUE(arc_starts_session(S::running_p2p, S::pre_copy_p2p));
  EXPECT_FALSE(arc_starts_session(S::pre_copy_p2p, S::stop_copy));  // the same stream goes on
  EXPECT_FALSE(arc_starts_session(S::pre_copy, S::pre_copy_p2p));
  EXPECT_FALSE(arc_starts_session(S::stop_copy, S::stop));
}

}  // namespace
}  // namespace vfiokit::vfio
