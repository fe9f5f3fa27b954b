// SPDX-License-Identifier: Apache-2.0
// The guest view virt/ builds from real devices through VFIO, on every
// backend: BAR sizing, read-only bits, hidden capabilities skipped with the
// chains intact, MSI-X where the device has it; region refresh.
#include <filesystem>
#include <fstream>
#include <map>

#include "lab/vfio/vfio_lab.hpp"
#include "vfiokit/pci/device.hpp"
#include "vfiokit/virt/region_watch.hpp"
#include "vfiokit/virt/virtual_config.hpp"

namespace vfiokit::lab {
namespace {

using vfio::BackendKind;

class GuestView : public ::testing::TestWithParam<std::tuple<BackendKind, int>> {
 protected:
  void SetUp() override {
    const auto& t = topology();
    const pci::Bdf targets[] = {t.edu, t.e1000e, t.nvme};
    bdf_ = targets[std::get<1>(GetParam())];
    ASSERT_TRUE(bind_vfio(bdf_));
    dev_ = open_or_fail(bdf_, std::get<0>(GetParam()));
    ASSERT_TRUE(dev_);
    auto physical = dev_->read_config();
    ASSERT_TRUE(physical) << physical.error().describe();
    physical_ = *physical;
    for (uint32_t i = 0; i < 7; ++i) {
      auto r = dev_->region_info(i);
      ASSERT_TRUE(r) << r.error().describe();
      sizes_[i] = r->size;
    }
    auto v = virt::VirtualConfig::build(physical_, sizes_);
    ASSERT_TRUE(v) << v.error().describe();
    view_.emplace(std::move(*v));
  }
  pci::DecodedDevice decode(const std::vector<uint8_t>& bytes) {
    return pci::decode_device(*pci::ConfigSpace::from_bytes(bytes));
  }
  pci::Bdf bdf_;
  std::unique_ptr<vfio::Device> dev_;
  std::vector<uint8_t> physical_;
  std::array<uint64_t, 7> sizes_{};
  std::optional<virt::VirtualConfig> view_;
};

TEST_P(GuestView, BarsSizeToTheirRegions) {
  const auto phys = decode(physical_);
  ASSERT_FALSE(phys.header.bars.empty());
  for (const auto& bar : phys.header.bars) {
    const uint16_t off = uint16_t(0x10 + 4 * bar.index);
    view_->write(off, 4, 0xFFFFFFFF);
    uint64_t mask = view_->read(off, 4) & (bar.kind == pci::BarKind::io ? ~0x3u : ~0xFu);
    if (bar.is_64bit()) {
      view_->write(uint16_t(off + 4), 4, 0xFFFFFFFF);
      mask |= uint64_t(view_->read(uint16_t(off + 4), 4)) << 32;
    } else {
      mask |= 0xFFFFFFFF00000000ull;
    }
    EXPECT_EQ(~mask + 1, sizes_[bar.index]) << "BAR" << bar.index;
  }
}

TEST_P(GuestView, ReadOnlyBitsDoNotStickAndChainsStayValid) {
  const uint32_t ids = view_->read(0, 4);
  view_->write(0, 4, 0);
  EXPECT_EQ(view_->read(0, 4), ids);
  EXPECT_EQ(ids, uint32_t(physical_[0] | physical_[1] << 8 | physical_[2] << 16 | physical_[3] << 24));
  const auto guest = decode(view_->guest_bytes());
  EXPECT_FALSE(guest.has_defects());
  const auto phys = decode(physical_);
  // Nothing the default policy hides is visible; everything else is.
  size_t hidden = 0;
  for (const auto& c : phys.capabilities)
    if (c.ref.space == pci::CapSpace::extended && (c.ref.id == 0x10 || c.ref.id == 0x0E)) ++hidden;
  size_t guest_ext = 0, phys_ext = 0;
  for (const auto& c : guest.capabilities) guest_ext += c.ref.space == pci::CapSpace::extended && c.ref.id != 0;
  for (const auto& c : phys.capabilities) phys_ext += c.ref.space == pci::CapSpace::extended;
  EXPECT_EQ(guest_ext, phys_ext - hidden);
  if (const auto* msix = phys.find<pci::MsiX>()) {
    const auto* g = guest.find<pci::MsiX>();
    ASSERT_TRUE(g);
    EXPECT_EQ(g->table_bar, msix->table_bar);
    EXPECT_EQ(g->table_offset, msix->table_offset);
    EXPECT_EQ(g->pba_offset, msix->pba_offset);
  }
}

TEST_P(GuestView, RegionRefreshAfterResetReportsNoChangeAndASimulatedOneIsRemapped) {
  auto watch = virt::RegionWatch::start(*dev_);
  ASSERT_TRUE(watch) << watch.error().describe();
  ASSERT_TRUE(dev_->map_region(0));
  (void)dev_->hot_reset();  // whichever reset reaches it; the regions must not change
  auto changes = watch->refresh();
  ASSERT_TRUE(changes) << changes.error().describe();
  EXPECT_TRUE(changes->empty());
  // Pretend BAR0 used to be half its size: the refresh reports the change,
  // remaps BAR0 and tells the guest view.
  auto old = watch->last(0);
  old.size /= 2;
  if (old.sparse_areas) old.sparse_areas.reset();
  watch->assume(0, old);
  std::vector<virt::RegionChange> seen;
  watch->subscribe([&](const virt::RegionChange& c) {
    seen.push_back(c);
    view_->update_region_size(c.index, c.after.size);
  });
  view_->update_region_size(0, old.size);
  changes = watch->refresh();
  ASSERT_TRUE(changes);
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].index, 0u);
  EXPECT_TRUE((*changes)[0].remapped);
  ASSERT_FALSE((*changes)[0].what.empty());
  EXPECT_NE((*changes)[0].what[0].find("size"), std::string::npos);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(view_->region_size(0), sizes_[0]);
  EXPECT_TRUE(dev_->region_mapped(0));
}

std::string name(const ::testing::TestParamInfo<std::tuple<BackendKind, int>>& info) {
  static const char* kNames[] = {"edu", "e1000e", "nvme"};
  return std::string(vfio::backend_name(std::get<0>(info.param))) + "_" + kNames[std::get<1>(info.param)];
}

INSTANTIATE_TEST_SUITE_P(Backends, GuestView,
                         ::testing::Combine(::testing::ValuesIn(lab_backends()), ::testing::Values(0, 1, 2)), name);

}  // namespace
}  // namespace vfiokit::lab

namespace vfiokit::lab {
namespace {

class RegionsAcrossRescan : public ::testing::TestWithParam<BackendKind> {};

// The function is removed and found again by a rescan (as after a host-side
// change): the regions VFIO reports once it is back are the ones before.
TEST_P(RegionsAcrossRescan, RemoveAndRescanReportsNoChange) {
  const pci::Bdf bdf = topology().edu;
  ASSERT_TRUE(bind_vfio(bdf));
  std::map<uint32_t, vfio::RegionInfo> before;
  {
    auto dev = open_or_fail(bdf, GetParam());
    ASSERT_TRUE(dev);
    auto watch = virt::RegionWatch::start(*dev);
    ASSERT_TRUE(watch) << watch.error().describe();
    for (uint32_t i = 0; i < dev->info().num_regions; ++i)
      if (auto r = dev->region_info(i)) before[i] = *r;
  }
  std::ofstream("/sys/bus/pci/devices/" + bdf.str() + "/remove") << 1;
  std::ofstream("/sys/bus/pci/rescan") << 1;
  ASSERT_TRUE(std::filesystem::exists("/sys/bus/pci/devices/" + bdf.str())) << "the rescan did not find it again";
  ASSERT_TRUE(bind_vfio(bdf));  // the removal dropped driver_override
  auto dev = open_or_fail(bdf, GetParam());
  ASSERT_TRUE(dev);
  auto watch = virt::RegionWatch::start(*dev);
  ASSERT_TRUE(watch);
  for (const auto& [index, info] : before) watch->assume(index, info);
  auto changes = watch->refresh();
  ASSERT_TRUE(changes) << changes.error().describe();
  for (const auto& c : *changes) ADD_FAILURE() << vfio::region_name(c.index) << ": " << c.what.front();
}

INSTANTIATE_TEST_SUITE_P(Backends, RegionsAcrossRescan, ::testing::ValuesIn(lab_backends()), backend_param_name);

}  // namespace
}  // namespace vfiokit::lab
