// SPDX-License-Identifier: Apache-2.0
// Typed capability decoders, each against hand-built register values.
#include <gtest/gtest.h>

#include "support/config_builder.hpp"
#include "vfiokit/pci/device.hpp"

namespace vfiokit::pci {
namespace {

using testing::ConfigBuilder;

TEST(PowerManagementCap, DecodesStatesAndNoSoftReset) {
  ConfigBuilder b(256);
  b.power_management(0x40, 0xfe03 | 0x0600, 0x010b);
  auto pm = decode_power_management(b.build(), 0x40);
  ASSERT_TRUE(pm);
  EXPECT_EQ(pm->version, 3);
  EXPECT_TRUE(pm->d1_supported);
  EXPECT_TRUE(pm->d2_supported);
  EXPECT_EQ(pm->pme_support, 0x1f);
  EXPECT_TRUE(pm->pme_from_d3cold());
  EXPECT_EQ(pm->current_state, 3);
  EXPECT_TRUE(pm->no_soft_reset);
  EXPECT_TRUE(pm->pme_enabled);
}

TEST(MsiCap, LayoutFollowsAddressWidthAndMasking) {
  ConfigBuilder b(256);
  b.cap(0x50, 0x05).u16(0x52, 0x0187 | 0x30).u32(0x54, 0xfee00000).u32(0x58, 0x1).u16(0x5c, 0x4021);
  b.u32(0x60, 0x3).u32(0x64, 0x1);
  auto msi = decode_msi(b.build(), 0x50);
  ASSERT_TRUE(msi);
  EXPECT_TRUE(msi->enabled);
  EXPECT_EQ(msi->vectors_capable, 8u);
  EXPECT_EQ(msi->vectors_enabled, 8u);
  EXPECT_TRUE(msi->address_64bit);
  EXPECT_EQ(msi->address, 0x1fee00000ull);
  EXPECT_EQ(msi->data, 0x4021);
  EXPECT_EQ(msi->mask_bits, 0x3u);
  EXPECT_EQ(msi->pending_bits, 0x1u);

  ConfigBuilder end(256);  // a 64-bit maskable MSI that does not fit
  end.cap(0xf0, 0x05).u16(0xf2, 0x0180);
  EXPECT_FALSE(decode_msi(end.build(), 0xf0));
}

TEST(MsixCap, DecodesTableAndPba) {
  ConfigBuilder b(256);
  b.msix(0x70, 65, 0x2000 | 4, 0x3000 | 4).u16(0x72, 64 | 0xc000);
  auto x = decode_msix(b.build(), 0x70);
  ASSERT_TRUE(x);
  EXPECT_EQ(x->table_size, 65u);
  EXPECT_TRUE(x->enabled);
  EXPECT_TRUE(x->function_masked);
  EXPECT_EQ(x->table_bar, 4);
  EXPECT_EQ(x->table_offset, 0x2000u);
  EXPECT_EQ(x->pba_offset, 0x3000u);
  EXPECT_EQ(x->table_bytes(), 65u * 16);
}

TEST(PciExpressCap, DecodesTypeFlrLinkAndSlot) {
  ConfigBuilder b(256);
  b.pci_express(0x40, PcieType::root_port, true);
  b.u16(0x42, 0x0142).u32(0x40 + 0x0c, 0x04100044u).u16(0x40 + 0x12, 0x2041);
  b.u32(0x40 + 0x14, (7u << 19) | 0x60);
  auto e = decode_pci_express(b.build(), 0x40);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, PcieType::root_port);
  EXPECT_TRUE(e->is_port());
  EXPECT_TRUE(e->function_level_reset);
  EXPECT_EQ(e->max_payload_supported, 256u);
  EXPECT_EQ(e->link_capable.speed, 4);
  EXPECT_EQ(e->link_capable.width, 4);
  EXPECT_EQ(e->port_number, 4);
  EXPECT_TRUE(e->dll_active_reporting);
  EXPECT_EQ(e->link_current.speed, 1);
  EXPECT_TRUE(e->dll_link_active);
  ASSERT_TRUE(e->slot);
  EXPECT_EQ(e->slot->physical_number, 7);
  EXPECT_TRUE(e->slot->hot_plug_capable);
  EXPECT_STREQ(link_speed_name(e->link_capable.speed), "16GT/s");
}

TEST(PciExpressCap, IntegratedEndpointHasNoLink) {
  ConfigBuilder b(256);
  b.pci_express(0x40, PcieType::rc_integrated_endpoint);
  auto e = decode_pci_express(b.build(), 0x40);
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->has_link);
}

TEST(AcsCap, KernelRequiredSetFollowsPciAcsFlagsEnabled) {
  ConfigBuilder full;
  full.acs(0x100, 0x005f, 0x001d);
  auto a = decode_acs(full.build(), 0x100);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->kernel_required_enabled());

  ConfigBuilder partial;
  partial.acs(0x100, 0x001f, 0x0011);
  a = decode_acs(partial.build(), 0x100);
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->kernel_required_enabled());
  EXPECT_EQ(a->missing_required(), acs::kRequestRedirect | acs::kCompletionRedirect);

  // A flag the hardware does not implement counts as hard-wired on.
  ConfigBuilder no_rr;
  no_rr.acs(0x100, 0x0019, 0x0019);
  a = decode_acs(no_rr.build(), 0x100);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->kernel_required_enabled());

  // An ACS capability with nothing in it isolates by the same rule.
  ConfigBuilder none;
  none.acs(0x100, 0x0000, 0x0000);
  EXPECT_TRUE(decode_acs(none.build(), 0x100)->kernel_required_enabled());
}

TEST(SriovCap, DecodesCountsAndVfBars) {
  ConfigBuilder b;
  b.ext_cap(0x100, 0x0001).sriov(0x180, 16, 4, 0x101e);
  b.u16(0x188, 0x0019);
  auto s = decode_sriov(b.build(), 0x180);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->total_vfs, 16);
  EXPECT_EQ(s->num_vfs, 4);
  EXPECT_EQ(s->vf_offset, 0x80);
  EXPECT_EQ(s->vf_device_id, 0x101e);
  EXPECT_TRUE(s->vf_enable());
  EXPECT_TRUE(s->vf_memory_space());
  EXPECT_TRUE(s->ari_hierarchy());
  ASSERT_EQ(s->vf_bars.size(), 1u);
  EXPECT_EQ(s->vf_bars[0].kind, BarKind::mem64);
  EXPECT_EQ(s->vf_bars[0].address, 0x8000000000ull);

  ConfigBuilder tail;  // SR-IOV needs 64 bytes; at 0xfe0 it runs off the end
  tail.ext_cap(0x100, 0x0001).ext_cap(0xfe0, 0x0010);
  EXPECT_FALSE(decode_sriov(tail.build(), 0xfe0));
}

TEST(AriAerDsnCaps, Decode) {
  ConfigBuilder b;
  b.ext_cap(0x100, 0x0001, 2).u32(0x104, 0x00100000).u32(0x110, 0x1).u32(0x118, 0x000000a5);
  b.ext_cap(0x150, 0x000e).u16(0x154, 0x0803).u16(0x156, 0x0012);
  b.dsn(0x160, 0x0011223344556677ull);
  const auto c = b.build();
  auto aer = decode_aer(c, 0x100, true);
  ASSERT_TRUE(aer);
  EXPECT_EQ(aer->uncorrectable_status, 0x00100000u);
  EXPECT_EQ(aer->correctable_status, 1u);
  EXPECT_EQ(aer->first_error_pointer(), 5);
  EXPECT_TRUE(aer->ecrc_generation_capable());
  EXPECT_TRUE(aer->ecrc_check_capable());
  EXPECT_TRUE(aer->root);
  auto ari = decode_ari(c, 0x150);
  ASSERT_TRUE(ari);
  EXPECT_EQ(ari->next_function, 8);
  EXPECT_TRUE(ari->mfvc_function_groups);
  EXPECT_TRUE(ari->acs_function_groups);
  EXPECT_EQ(ari->function_group, 1);
  auto dsn = decode_dsn(c, 0x160);
  ASSERT_TRUE(dsn);
  EXPECT_EQ(dsn->str(), "00-11-22-33-44-55-66-77");
}

}  // namespace
}  // namespace vfiokit::pci
