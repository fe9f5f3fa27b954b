// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/header.hpp"

#include <gtest/gtest.h>

#include "support/config_builder.hpp"

namespace vfiokit::pci {
namespace {

using testing::ConfigBuilder;

TEST(Header, DecodesIdentityAndBars) {
  ConfigBuilder b(256);
  b.ids(0x8086, 0x10d3).class_code(0x020000).header_type(0, true).u8(0x08, 0x03);
  b.u32(0x10, 0xfebc0000);                        // BAR0 mem32
  b.u32(0x14, 0x0000000c).u32(0x18, 0x00000040);  // BAR1 mem64 prefetchable, high half in BAR2
  b.u32(0x1c, 0x0000c001);                        // BAR3 I/O
  b.u32(0x20, 0x000d0002);                        // BAR4 below 1 MiB
  b.u16(0x2c, 0x8086).u16(0x2e, 0xa01f).u8(0x3d, 1).u8(0x3c, 11);
  const Header h = decode_header(b.build());
  EXPECT_EQ(h.vendor_id, 0x8086);
  EXPECT_EQ(h.device_id, 0x10d3);
  EXPECT_EQ(h.class_code, 0x020000u);
  EXPECT_EQ(h.revision, 3);
  EXPECT_TRUE(h.multifunction);
  EXPECT_EQ(h.subsystem_id, 0xa01f);
  EXPECT_EQ(h.interrupt_pin, 1);
  ASSERT_EQ(h.bars.size(), 4u);
  EXPECT_EQ(h.bars[0].kind, BarKind::mem32);
  EXPECT_EQ(h.bars[0].address, 0xfebc0000u);
  EXPECT_EQ(h.bars[1].index, 1u);
  EXPECT_EQ(h.bars[1].kind, BarKind::mem64);
  EXPECT_TRUE(h.bars[1].prefetchable);
  EXPECT_EQ(h.bars[1].address, 0x4000000000ull);
  EXPECT_EQ(h.bars[2].index, 3u);
  EXPECT_EQ(h.bars[2].kind, BarKind::io);
  EXPECT_EQ(h.bars[2].address, 0xc000u);
  EXPECT_EQ(h.bars[3].kind, BarKind::mem_below_1m);
  EXPECT_TRUE(h.problems.empty());
}

TEST(Header, SixtyFourBitBarInLastSlotIsAProblem) {
  ConfigBuilder b(64);
  b.header_type(0).u32(0x24, 0x0000000c);
  const Header h = decode_header(b.build());
  ASSERT_EQ(h.problems.size(), 1u);
  EXPECT_EQ(h.problems[0].offset(), 0x24u);
  EXPECT_NE(h.problems[0].message().find("last BAR"), std::string::npos);
}

TEST(Header, DecodesBridgeBusesAndWindows) {
  ConfigBuilder b(256);
  b.header_type(1).class_code(0x060400);
  b.u8(0x18, 0).u8(0x19, 2).u8(0x1a, 4);
  b.u8(0x1c, 0x11).u8(0x1d, 0x21).u16(0x30, 0x0001).u16(0x32, 0x0001);  // 32-bit I/O window
  b.u16(0x20, 0xfe00).u16(0x22, 0xfe1f);
  b.u16(0x24, 0x0001).u16(0x26, 0xfff1).u32(0x28, 0x40).u32(0x2c, 0x7f);
  const Header h = decode_header(b.build());
  ASSERT_TRUE(h.bridge);
  EXPECT_EQ(h.bridge->secondary_bus, 2);
  EXPECT_EQ(h.bridge->subordinate_bus, 4);
  ASSERT_TRUE(h.bridge->io_window);
  EXPECT_EQ(h.bridge->io_window->base, 0x11000u);
  EXPECT_EQ(h.bridge->io_window->limit, 0x12fffu);
  EXPECT_EQ(h.bridge->memory_window.base, 0xfe000000u);
  EXPECT_EQ(h.bridge->memory_window.limit, 0xfe1fffffu);
  ASSERT_TRUE(h.bridge->prefetch_window);
  EXPECT_TRUE(h.bridge->prefetch_window_64bit);
  EXPECT_EQ(h.bridge->prefetch_window->base, 0x4000000000ull);
  EXPECT_EQ(h.bridge->prefetch_window->limit, 0x7ffff00000ull | 0xfffff);
  EXPECT_TRUE(h.bars.empty());
}

TEST(Header, DisabledWindowHasBaseAboveLimit) {
  ConfigBuilder b(64);
  b.header_type(1).u16(0x20, 0xfff0).u16(0x22, 0x0000);
  const Header h = decode_header(b.build());
  EXPECT_FALSE(h.bridge->memory_window.enabled());
  EXPECT_FALSE(h.bridge->prefetch_window);
}

TEST(Header, UnknownLayoutIsReported) {
  ConfigBuilder b(64);
  b.header_type(5);
  const Header h = decode_header(b.build());
  ASSERT_EQ(h.problems.size(), 1u);
  EXPECT_EQ(h.problems[0].offset(), 0x0eu);
}

}  // namespace
}  // namespace vfiokit::pci
