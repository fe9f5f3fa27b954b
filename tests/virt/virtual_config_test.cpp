// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/virt/virtual_config.hpp"

#include <gtest/gtest.h>

#include "support/config_builder.hpp"
#include "vfiokit/pci/capability_walk.hpp"
#include "vfiokit/pci/device.hpp"

namespace vfiokit::virt {
namespace {

using testing::ConfigBuilder;

constexpr uint64_t kGiB = 1ull << 30, kMiB = 1ull << 20;

// A GPU-like function: BAR0 64-bit prefetchable (resizable), BAR2 64-bit
// prefetchable (resizable), BAR4 32-bit (resizable), an I/O BAR5, MSI-X,
// and SR-IOV + ARI + ReBAR in the extended list.
ConfigBuilder gpu(unsigned bar0_current = 8, unsigned bar2_current = 1, unsigned bar4_current = 0) {
  ConfigBuilder b;
  b.ids(0x1002, 0x73bf).class_code(0x030000).header_type(0);
  b.u32(0x10, 0x0000000C).u32(0x18, 0x0000000C).u32(0x20, 0x00000000).u32(0x24, 0x00000001);
  b.pci_express(0x40, pci::PcieType::endpoint).msix(0xA0, 16, 0x00002004, 0x00003004);
  b.sriov(0x100, 8, 0, 0x73c0).ext_cap(0x140, 0x000E);
  // Supported sizes: 256 MiB..16 GiB (enc 8..14) plus extended 256 TiB (enc 28) on BAR0.
  b.rebar(0x200, {{0, 0x7F00ull | (1ull << 28), bar0_current}, {2, 0x3ull, bar2_current}, {4, 0x1ull, bar4_current}});
  return b;
}

std::array<uint64_t, 7> gpu_sizes(uint64_t bar0 = 256 * kMiB, uint64_t bar2 = 2 * kMiB, uint64_t bar4 = kMiB) {
  return {bar0, 0, bar2, 0, bar4, 256, 128 * 1024};
}

VirtualConfig build(const ConfigBuilder& b, const std::array<uint64_t, 7>& sizes = gpu_sizes(),
                    VirtPolicy policy = {}) {
  auto v = VirtualConfig::build(b.bytes(), sizes, policy);
  EXPECT_TRUE(v) << v.error().describe();
  return std::move(*v);
}

pci::DecodedDevice guest_decode(const VirtualConfig& v) {
  auto config = pci::ConfigSpace::from_bytes(v.guest_bytes());
  EXPECT_TRUE(config);
  return pci::decode_device(*config);
}

TEST(VirtualConfig, BarSizingReturnsTheSizeMaskAndKeepsGuestAddresses) {
  auto v = build(gpu());
  // BAR0: 256 MiB, 64-bit prefetchable.
  v.write(0x10, 4, 0xFFFFFFFF);
  v.write(0x14, 4, 0xFFFFFFFF);
  EXPECT_EQ(v.read(0x10, 4), 0xF000000Cu);
  EXPECT_EQ(v.read(0x14, 4), 0xFFFFFFFFu);
  v.write(0x10, 4, 0xE0000000);
  v.write(0x14, 4, 0x00000001);
  EXPECT_EQ(v.guest_bar_address(0), 0x1E0000000ull);
  EXPECT_EQ(v.read(0x10, 4), 0xE000000Cu);  // flag bits are read-only
  // I/O BAR5 of 256 bytes.
  v.write(0x24, 4, 0xFFFFFFFF);
  EXPECT_EQ(v.read(0x24, 4), 0xFFFFFF01u);
  // Unimplemented BAR1 (upper half of BAR0 aside, BAR3 here) reads 0 after sizing.
  v.write(0x1C, 4, 0xFFFFFFFF);
  EXPECT_EQ(v.read(0x1C, 4), 0xFFFFFFFFu) << "BAR3 is BAR2's upper half";
  // Expansion ROM of 128 KiB with its enable bit.
  v.write(0x30, 4, 0xFFFFFFFF);
  EXPECT_EQ(v.read(0x30, 4), 0xFFFE0001u);
  // Nothing of a BAR write goes to the device.
  EXPECT_FALSE(v.write(0x10, 4, 0x12345678));
}

TEST(VirtualConfig, ReadOnlyFieldsDoNotStickAndCommandPassesThrough) {
  auto v = build(gpu());
  v.write(0x00, 4, 0xDEADBEEF);
  EXPECT_EQ(v.read(0x00, 4), 0x73bf1002u);
  v.write(0x0E, 1, 0x80);
  EXPECT_EQ(v.read(0x0E, 1), 0u);
  v.write(0x3C, 1, 0x0B);  // interrupt line is the guest's
  EXPECT_EQ(v.read(0x3C, 1), 0x0Bu);
  auto pass = v.write(0x04, 2, 0x0006);  // memory + bus master: the device's
  ASSERT_TRUE(pass);
  EXPECT_EQ(pass->mask, 0xFFFFu);
  EXPECT_EQ(pass->value, 0x0006u);
  EXPECT_EQ(v.read(0x04, 2), 0u) << "passthrough bits come from the device until it is re-read";
  // Misaligned or oversized accesses are ignored and read all-ones.
  EXPECT_EQ(v.read(0x01, 2), 0xFFFFu);
  EXPECT_EQ(v.read(0xFFE, 4), 0xFFFFFFFFu);
  EXPECT_FALSE(v.write(0x1001, 1, 0));
}

TEST(VirtualConfig, SriovAndAriAreHiddenWithTheChainIntact) {
  auto v = build(gpu());
  const auto guest = guest_decode(v);
  EXPECT_FALSE(guest.has_defects());
  std::vector<uint16_t> ext;
  for (const auto& c : guest.capabilities)
    if (c.ref.space == pci::CapSpace::extended) ext.push_back(c.ref.id);
  // SR-IOV sat at 0x100: a null header there now leads to the ReBAR.
  EXPECT_EQ(ext, (std::vector<uint16_t>{0x0000, 0x0015}));
  EXPECT_EQ(v.read(0x100, 4), 0x20000000u);
  ASSERT_GE(v.rewrites().size(), 3u);
  EXPECT_NE(v.rewrites()[0].find("hidden"), std::string::npos);
  // The standard chain is untouched; MSI-X stays where the table is.
  const auto* msix = guest.find<pci::MsiX>();
  ASSERT_TRUE(msix);
  EXPECT_EQ(msix->table_offset, 0x2000u);
  EXPECT_EQ(msix->table_bar, 4u);
}

TEST(VirtualConfig, StaticRebarAdvertisesOnlyCurrentSizesReadOnly) {
  auto v = build(gpu(8, 1, 0));
  const auto guest = guest_decode(v);
  const auto* rebar = guest.find<pci::ResizableBar>();
  ASSERT_TRUE(rebar);
  ASSERT_EQ(rebar->entries.size(), 3u);
  EXPECT_EQ(rebar->entries[0].supported, 1ull << 8);  // 256 MiB only: no 512 MiB..16 GiB, no 256 TiB
  EXPECT_EQ(rebar->entries[0].current, 8u);
  EXPECT_EQ(rebar->entries[1].supported, 1ull << 1);
  EXPECT_EQ(rebar->entries[2].supported, 1ull << 0);
  EXPECT_EQ(rebar->entries[2].bar_index, 4u);
  EXPECT_EQ(rebar->entries[0].control_raw >> 16, 0u);  // extended sizes cleared
  // A guest resize attempt changes nothing.
  const uint32_t before = v.read(0x208, 4);
  EXPECT_FALSE(v.write(0x208, 4, (before & ~0x3F00u) | (14u << 8)));
  EXPECT_EQ(v.read(0x208, 4), before);
  EXPECT_FALSE(v.write(0x204, 4, 0xFFFFFFF0));
  EXPECT_EQ(v.read(0x204, 4), 1u << 12);
}

TEST(VirtualConfig, RebarOutsideOneMibToHalfATebibyteIsHidden) {
  // BAR0 currently 1 TiB (encoding 20): QEMU hides the whole capability.
  auto v = build(gpu(20), gpu_sizes(1024 * kGiB));
  const auto guest = guest_decode(v);
  EXPECT_FALSE(guest.find<pci::ResizableBar>());
  EXPECT_FALSE(guest.has_defects());
  EXPECT_EQ(v.read(0x100, 4), 0u) << "nothing visible in the extended list";

  VirtPolicy no_rebar;
  no_rebar.static_rebar = false;
  EXPECT_FALSE(guest_decode(build(gpu(), gpu_sizes(), no_rebar)).find<pci::ResizableBar>());
}

TEST(VirtualConfig, HostResizeUpdatesBarMaskAndRebarView) {
  auto v = build(gpu());
  v.write(0x10, 4, 0xE0000000);
  v.update_region_size(0, 4 * kGiB);  // the host resized BAR0 to 4 GiB
  v.write(0x10, 4, 0xFFFFFFFF);
  EXPECT_EQ(v.read(0x10, 4), 0x0000000Cu);
  const auto guest = guest_decode(v);
  const auto* rebar = guest.find<pci::ResizableBar>();
  ASSERT_TRUE(rebar);
  EXPECT_EQ(rebar->entries[0].current, 12u);
  EXPECT_EQ(rebar->entries[0].supported, 1ull << 12);
  v.update_region_size(0, 1024 * kGiB);  // beyond what a guest may see: hidden
  EXPECT_FALSE(guest_decode(v).find<pci::ResizableBar>());
  EXPECT_FALSE(guest_decode(v).has_defects());
}

TEST(VirtualConfig, MsiAndMsixWritesReachTheVmmHook) {
  ConfigBuilder b;
  b.ids(0x8086, 0x10d3).class_code(0x020000).header_type(0);
  // MSI, 64-bit with per-vector masking (control 0x0180), then MSI-X.
  b.cap(0x50, 0x05, {0x80, 0x01}).msix(0x70, 5, 0x3, 0x2003);
  auto v = build(b, {128 * 1024, 0, 0, 16 * 1024, 0, 0, 0});
  std::vector<CapabilityWrite> seen;
  v.on_capability_write = [&](const CapabilityWrite& w) { seen.push_back(w); };
  v.write(0x52, 2, 0x0001);      // MSI enable
  v.write(0x54, 4, 0xFEE00000);  // address
  v.write(0x5C, 2, 0x4021);      // data (64-bit layout)
  v.write(0x72, 2, 0xC000);      // MSI-X enable + function mask
  v.write(0x74, 4, 0xFFFFFFFF);  // table offset: read-only
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0].cap_id, 0x05);
  EXPECT_EQ(seen[3].cap_id, 0x11);
  EXPECT_EQ(v.read(0x52, 2) & 1, 1u);
  EXPECT_EQ(v.read(0x54, 4), 0xFEE00000u);
  EXPECT_EQ(v.read(0x5C, 2), 0x4021u);
  EXPECT_EQ(v.read(0x72, 2) & 0xC000, 0xC000u);
  EXPECT_EQ(v.read(0x74, 4), 0x3u);
}

TEST(VirtualConfig, BadInputIsRefused) {
  ConfigBuilder bridge;
  bridge.ids(0x8086, 0x1234).class_code(0x060400).header_type(1);
  EXPECT_FALSE(VirtualConfig::build(bridge.bytes(), {}));
  std::vector<uint8_t> short_config(100, 0);
  EXPECT_FALSE(VirtualConfig::build(short_config, {}));
  // A looped extended chain: the guest sees the part before the loop.
  ConfigBuilder looped = gpu();
  looped.u32(0x200, 0x1000'0015 | (0x100u << 20));
  auto v = VirtualConfig::build(looped.bytes(), gpu_sizes());
  ASSERT_TRUE(v);
  EXPECT_FALSE(guest_decode(*v).has_defects());
}

}  // namespace
}  // namespace vfiokit::virt
