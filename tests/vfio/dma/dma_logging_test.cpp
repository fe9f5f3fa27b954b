// SPDX-License-Identifier: Apache-2.0
// Device DMA logging against a model of the kernel's documented semantics
// (vfio_ioctl_device_feature_logging_start/report): no lab device keeps a
// real log, so this is where the library's handling of it is proven.
#include "vfiokit/vfio/dma/dma_logging.hpp"

#include <gtest/gtest.h>

#include "fakes/fake_feature_device.hpp"
#include "vfiokit/vfio/device_features.hpp"

namespace vfiokit::vfio {
namespace {

testing::FakeFeatureDevice logging_device() {
  testing::FakeFeatureDevice d;
  d.offer(uint32_t(Feature::dma_logging_start), kFeatureSet);
  d.offer(uint32_t(Feature::dma_logging_stop), kFeatureSet);
  d.offer(uint32_t(Feature::dma_logging_report), kFeatureGet);
  return d;
}

constexpr uint64_t kMiB = 1 << 20;

TEST(DmaLogging, ReportsExactlyThePagesTheDeviceWrote) {
  auto d = logging_device();
  auto log = DmaLogging::start(d, {{0, 4 * kMiB - 1}, {1ull << 32, (1ull << 32) + kMiB - 1}});
  ASSERT_TRUE(log) << log.error().describe();
  EXPECT_EQ(log->page_size(), 4096u);
  d.device_writes(0x3000, 1);
  d.device_writes(0x10000, 0x2000);  // two pages
  d.device_writes(8 * kMiB, 4096);   // outside every range: not logged
  auto bits = log->report(Iova(0), 4 * kMiB);
  ASSERT_TRUE(bits) << bits.error().describe();
  std::vector<uint64_t> pages;
  bits->for_each_dirty([&](Iova i) { pages.push_back(i.value()); });
  EXPECT_EQ(pages, (std::vector<uint64_t>{0x3000, 0x10000, 0x11000}));
  // Reading cleared the device's log for the range.
  auto again = log->report(Iova(0), 4 * kMiB);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->count(), 0u);
}

TEST(DmaLogging, ReportIntoMergesAndKeepsWhatWasThere) {
  auto d = logging_device();
  auto log = DmaLogging::start(d, {{0, kMiB - 1}});
  ASSERT_TRUE(log);
  auto bitmap = DirtyBitmap::create(Iova(0), kMiB, 4096);
  ASSERT_TRUE(bitmap);
  ASSERT_TRUE(bitmap->mark(Iova(0x5000)));  // from another source
  d.device_writes(0x7000, 1);
  ASSERT_TRUE(log->report_into(*bitmap));
  EXPECT_EQ(bitmap->count(), 2u);
  EXPECT_TRUE(bitmap->is_dirty(Iova(0x5000)));
  EXPECT_TRUE(bitmap->is_dirty(Iova(0x7000)));
}

TEST(DmaLogging, TheDeviceMayChooseItsPageSize) {
  auto d = logging_device();
  d.log_page_size = 2 * kMiB;
  auto log = DmaLogging::start(d, {{0, 4 * kMiB - 1}});
  ASSERT_TRUE(log);
  EXPECT_EQ(log->page_size(), 2 * kMiB);
  d.device_writes(3 * kMiB, 1);
  auto bits = log->report(Iova(0), 4 * kMiB);
  ASSERT_TRUE(bits);
  EXPECT_EQ(bits->pages(), 2u);
  EXPECT_FALSE(bits->is_dirty(Iova(0)));
  EXPECT_TRUE(bits->is_dirty(Iova(2 * kMiB)));
}

TEST(DmaLogging, BadRangesAreRefusedBeforeTheDeviceIsAsked) {
  auto d = logging_device();
  EXPECT_FALSE(DmaLogging::start(d, {}));
  EXPECT_FALSE(DmaLogging::start(d, {{0x800, 0x1fff}}));                // unaligned start
  EXPECT_FALSE(DmaLogging::start(d, {{0, 0x1fff}, {0x1000, 0x2fff}}));  // overlap
  EXPECT_FALSE(DmaLogging::start(d, {{0, 0xfff}}, 1000));               // page size not a power of two
  std::vector<IovaRange> many;
  for (uint64_t i = 0; i <= DmaLogging::kMaxRanges; ++i) many.push_back({i * 0x2000, i * 0x2000 + 0xfff});
  EXPECT_FALSE(DmaLogging::start(d, many));
  EXPECT_FALSE(d.logging);
}

TEST(DmaLogging, StopsWhenDestroyedAndRefusesReportsAfterStop) {
  auto d = logging_device();
  {
    auto log = DmaLogging::start(d, {{0, 0xffff}});
    ASSERT_TRUE(log);
    EXPECT_TRUE(d.logging);
  }
  EXPECT_FALSE(d.logging);
  auto log = DmaLogging::start(d, {{0, 0xffff}});
  ASSERT_TRUE(log);
  ASSERT_TRUE(log->stop());
  EXPECT_FALSE(log->report(Iova(0), 0x10000));
}

TEST(DmaLogging, ADeviceWithoutLoggingAnswersENOTTY) {
  testing::FakeFeatureDevice d;
  auto log = DmaLogging::start(d, {{0, 0xfff}});
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().sys_errno(), ENOTTY);
}

TEST(DeviceFeatures, ProbeListsWhatTheDeviceOffers) {
  testing::FakeFeatureDevice d;
  d.offer(uint32_t(Feature::low_power_entry), kFeatureSet);
  d.offer(uint32_t(Feature::low_power_exit), kFeatureSet);
  d.offer(uint32_t(Feature::migration), kFeatureGet);
  auto all = probe_features(d);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), kKnownFeatures);
  auto on = offered(*all);
  ASSERT_EQ(on.size(), 3u);
  EXPECT_EQ(on[0].name(), "MIGRATION");
  EXPECT_TRUE(on[0].get);
  EXPECT_FALSE(on[0].set);
  EXPECT_EQ(on[1].name(), "LOW_POWER_ENTRY");
  EXPECT_TRUE(on[1].set);
}

TEST(DeviceFeatures, LowPowerEntryTwiceIsRefused) {
  testing::FakeFeatureDevice d;
  d.offer(uint32_t(Feature::low_power_entry), kFeatureSet);
  d.offer(uint32_t(Feature::low_power_exit), kFeatureSet);
  ASSERT_TRUE(low_power_entry(d));
  auto again = low_power_entry(d);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().sys_errno(), EINVAL);
  ASSERT_TRUE(low_power_exit(d));
  EXPECT_FALSE(d.low_power);
}

}  // namespace
}  // namespace vfiokit::vfio
