// SPDX-License-Identifier: Apache-2.0
// Migration through a model of the kernel's feature ioctls: single arcs,
// planned transitions, recovery after a failed arc, and the stream file.
#include "vfiokit/vfio/migration/migration.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fakes/fake_feature_device.hpp"
#include "vfiokit/vfio/device_features.hpp"
#include "vfiokit/vfio/migration/migration_stream.hpp"

namespace vfiokit::vfio {
namespace {

using S = MigState;

testing::FakeFeatureDevice migratable(uint64_t flags) {
  testing::FakeFeatureDevice d;
  d.migration_flags = flags;
  d.offer(uint32_t(Feature::migration), kFeatureGet);
  d.offer(uint32_t(Feature::mig_device_state), kFeatureGet);
  d.offer(uint32_t(Feature::mig_device_state), kFeatureSet);
  d.offer(uint32_t(Feature::mig_data_size), kFeatureGet);
  return d;
}

constexpr uint64_t kFull = kMigrationStopCopy | kMigrationP2p | kMigrationPreCopy;

TEST(Migration, ADeviceWithoutTheFeatureSaysSo) {
  testing::FakeFeatureDevice d;
  auto m = Migration::attach(d);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code(), Errc::unsupported);
}

TEST(Migration, FlagsWithoutStopCopyAreGarbage) {
  auto d = migratable(kMigrationP2p);
  auto m = Migration::attach(d);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code(), Errc::malformed);
}

TEST(Migration, EveryArcThatIsNotDirectIsRefusedWithoutAnIoctl) {
  for (uint32_t from = 1; from < kMigStates; ++from)
    for (uint32_t to = 0; to < kMigStates; ++to) {
      auto d = migratable(kFull);
      d.state = S(from);
      auto m = Migration::attach(d);
      ASSERT_TRUE(m);
      if (is_direct_arc(S(from), S(to), m->caps())) continue;
      auto r = m->step(S(to));
      EXPECT_FALSE(r) << mig_state_name(S(from)) << " -> " << mig_state_name(S(to));
      EXPECT_EQ(d.set_calls, 0);
      EXPECT_EQ(d.state, S(from));
    }
}

TEST(Migration, TransitionWalksOneArcAtATime) {
  auto d = migratable(kFull);
  auto m = Migration::attach(d);
  ASSERT_TRUE(m);
  auto fd = m->transition(S::stop_copy);
  ASSERT_TRUE(fd) << fd.error().describe();
  EXPECT_TRUE(fd->valid());
  EXPECT_EQ(d.state, S::stop_copy);
  EXPECT_EQ(d.set_calls, 3);  // RUNNING_P2P, STOP, STOP_COPY
  EXPECT_EQ(d.get_calls, 1);  // the state is read once, not before every arc
  EXPECT_EQ(d.arcs, (std::vector<std::pair<S, S>>{
                        {S::running, S::running_p2p}, {S::running_p2p, S::stop}, {S::stop, S::stop_copy}}));
  EXPECT_EQ(*m->state(), S::stop_copy);
}

TEST(Migration, AFailedArcEndsInTheRecoverState) {
  auto d = migratable(kFull);
  d.fault = testing::FakeFeatureDevice::Fault{S::stop, S::stop_copy, EIO, S::stop};
  auto m = Migration::attach(d);
  ASSERT_TRUE(m);
  auto fd = m->transition(S::stop_copy, S::running);
  ASSERT_FALSE(fd);
  EXPECT_NE(fd.error().message().find("STOP -> STOP_COPY failed"), std::string::npos) << fd.error().describe();
  EXPECT_NE(fd.error().message().find("moved from STOP to RUNNING"), std::string::npos) << fd.error().describe();
  EXPECT_EQ(d.state, S::running);
  EXPECT_EQ(d.resets, 0);
}

TEST(Migration, AFailureIntoErrorIsResetToRunning) {
  auto d = migratable(kFull);
  d.fault = testing::FakeFeatureDevice::Fault{S::stop, S::stop_copy, EIO, S::error};
  auto m = Migration::attach(d);
  ASSERT_TRUE(m);
  auto fd = m->transition(S::stop_copy);
  ASSERT_FALSE(fd);
  EXPECT_NE(fd.error().message().find("reset from ERROR"), std::string::npos) << fd.error().describe();
  EXPECT_EQ(d.resets, 1);
  EXPECT_EQ(d.state, S::running);
}

TEST(Migration, ARecoverStateOtherThanRunningIsReachedAfterAReset) {
  auto d = migratable(kFull);
  d.fault = testing::FakeFeatureDevice::Fault{S::running_p2p, S::stop, EIO, S::error};
  auto m = Migration::attach(d);
  ASSERT_TRUE(m);
  ASSERT_FALSE(m->transition(S::stop, S::running_p2p));
  EXPECT_EQ(d.resets, 1);
  EXPECT_EQ(d.state, S::running_p2p);
}

// PRE_COPY needs VFIO_MIG_GET_PRECOPY_INFO on a real data fd; the lab covers it.
TEST(Migration, SaveAndLoadThroughAFile) {
  constexpr uint64_t kP2p = kMigrationStopCopy | kMigrationP2p;
  auto src = migratable(kP2p);
  src.device_state_bytes = std::string(5000, 'x') + "tail";
  auto dst = migratable(kP2p);
  auto ms = Migration::attach(src);
  auto md = Migration::attach(dst);
  ASSERT_TRUE(ms && md);
  UniqueFd file(memfd_create("state", MFD_CLOEXEC));
  auto report = save_device_state(*ms, file.get(), true, "src");
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(src.state, S::stop);
  EXPECT_EQ(report->estimated_bytes, src.device_state_bytes.size());
  EXPECT_EQ(report->precopy_bytes, 0u);
  EXPECT_EQ(report->stop_copy_bytes, src.device_state_bytes.size());
  ASSERT_EQ(::lseek(file.get(), 0, SEEK_SET), 0);
  auto loaded = load_device_state(*md, file.get(), "dst");
  ASSERT_TRUE(loaded) << loaded.error().describe();
  EXPECT_EQ(*loaded, report->total());
  EXPECT_EQ(dst.loaded, src.device_state_bytes);
  EXPECT_EQ(dst.state, S::running);
}

TEST(Migration, LoadRefusesFilesThatAreNotSavedStates) {
  auto dst = migratable(kFull);
  auto md = Migration::attach(dst);
  ASSERT_TRUE(md);
  UniqueFd junk(memfd_create("junk", MFD_CLOEXEC));
  ASSERT_EQ(::write(junk.get(), "not a state at all, really not", 30), 30);
  ASSERT_EQ(::lseek(junk.get(), 0, SEEK_SET), 0);
  auto r = load_device_state(*md, junk.get(), "dst");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("not a saved device state"), std::string::npos);
  EXPECT_EQ(dst.set_calls, 0);  // the device never saw it

  // A saved state cut short.
  auto src = migratable(kMigrationStopCopy);
  auto ms = Migration::attach(src);
  UniqueFd file(memfd_create("state", MFD_CLOEXEC));
  ASSERT_TRUE(save_device_state(*ms, file.get(), false, "src"));
  ASSERT_EQ(::ftruncate(file.get(), 24 + 3), 0);
  ASSERT_EQ(::lseek(file.get(), 0, SEEK_SET), 0);
  r = load_device_state(*md, file.get(), "dst");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("cut short"), std::string::npos) << r.error().describe();
  EXPECT_EQ(dst.set_calls, 0);
}

TEST(Migration, ALoadTheDeviceRejectsEndsRunningAfterAReset) {
  auto dst = migratable(kMigrationStopCopy);
  auto md = Migration::attach(dst);
  ASSERT_TRUE(md);
  // A valid file whose stream is empty: the device refuses it at RESUMING -> STOP.
  auto src = migratable(kMigrationStopCopy);
  src.device_state_bytes.clear();
  auto ms = Migration::attach(src);
  UniqueFd file(memfd_create("state", MFD_CLOEXEC));
  ASSERT_TRUE(save_device_state(*ms, file.get(), false, "src"));
  ASSERT_EQ(::lseek(file.get(), 0, SEEK_SET), 0);
  auto r = load_device_state(*md, file.get(), "dst");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("RESUMING -> STOP failed"), std::string::npos) << r.error().describe();
  EXPECT_EQ(dst.state, S::running);
  EXPECT_EQ(dst.resets, 1);
}

}  // namespace
}  // namespace vfiokit::vfio
