// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/capability_walk.hpp"

#include <gtest/gtest.h>

#include "support/config_builder.hpp"

namespace vfiokit::pci {
namespace {

using testing::ConfigBuilder;

std::vector<uint16_t> offsets(const CapabilityChain& chain) {
  std::vector<uint16_t> out;
  for (const auto& e : chain.entries) out.push_back(e.offset);
  return out;
}

TEST(StandardWalk, FollowsTheChain) {
  ConfigBuilder b(256);
  b.cap(0x40, 0x01).cap(0x50, 0x05).cap(0x70, 0x10);
  const auto chain = walk_standard_capabilities(b.build());
  EXPECT_EQ(offsets(chain), (std::vector<uint16_t>{0x40, 0x50, 0x70}));
  EXPECT_EQ(chain.entries[2].id, 0x10);
  EXPECT_FALSE(chain.defect);
}

TEST(StandardWalk, NothingWithoutCapListOrBeyondTheHeader) {
  ConfigBuilder b(256);
  b.u8(0x34, 0x40).u8(0x40, 0x01);
  EXPECT_TRUE(walk_standard_capabilities(b.build()).entries.empty());
  ConfigBuilder h(64);
  h.cap(0x40 - 0x10, 0x01);  // (any pointer) only 64 bytes: nothing to walk
  EXPECT_TRUE(walk_standard_capabilities(h.build()).entries.empty());
}

TEST(StandardWalk, StopsOnCycleKeepingEntries) {
  ConfigBuilder b(256);
  b.cap(0x40, 0x01).cap(0x50, 0x05);
  b.u8(0x51, 0x40);
  const auto chain = walk_standard_capabilities(b.build());
  EXPECT_EQ(offsets(chain), (std::vector<uint16_t>{0x40, 0x50}));
  ASSERT_TRUE(chain.defect);
  EXPECT_EQ(chain.defect->offset, 0x51);
  EXPECT_NE(chain.defect->reason.find("loops"), std::string::npos);
}

TEST(StandardWalk, StopsOnPointerIntoHeader) {
  ConfigBuilder b(256);
  b.cap(0x40, 0x01).u8(0x41, 0x3c);
  const auto chain = walk_standard_capabilities(b.build());
  EXPECT_EQ(chain.entries.size(), 1u);
  ASSERT_TRUE(chain.defect);
  EXPECT_EQ(chain.defect->offset, 0x41);
  EXPECT_NE(chain.defect->reason.find("header"), std::string::npos);
}

TEST(StandardWalk, StopsOnMisalignedPointer) {
  ConfigBuilder b(256);
  b.cap(0x40, 0x01).u8(0x41, 0x52);
  const auto chain = walk_standard_capabilities(b.build());
  ASSERT_TRUE(chain.defect);
  EXPECT_NE(chain.defect->reason.find("aligned"), std::string::npos);
}

TEST(StandardWalk, StopsOnBrokenChain) {
  ConfigBuilder b(256);
  b.cap(0x40, 0x01).u8(0x41, 0x80).u8(0x80, 0xff);
  const auto chain = walk_standard_capabilities(b.build());
  EXPECT_EQ(chain.entries.size(), 1u);
  ASSERT_TRUE(chain.defect);
  EXPECT_EQ(chain.defect->offset, 0x80);
}

TEST(StandardWalk, FollowsAFullyPackedChain) {
  // 0x40..0xfc holds 48 dword slots, the same bound Linux uses.
  ConfigBuilder b(256);
  for (unsigned i = 0; i < 48; ++i) b.cap(static_cast<uint8_t>(0x40 + 4 * i), 0x09);
  const auto chain = walk_standard_capabilities(b.build());
  EXPECT_EQ(chain.entries.size(), 48u);
  EXPECT_FALSE(chain.defect);
}

TEST(ExtendedWalk, FollowsTheChainWithVersions) {
  ConfigBuilder b;
  b.ext_cap(0x100, 0x0001, 2).ext_cap(0x148, 0x000d, 1).ext_cap(0xffc, 0x0015, 1);
  const auto chain = walk_extended_capabilities(b.build());
  EXPECT_EQ(offsets(chain), (std::vector<uint16_t>{0x100, 0x148, 0xffc}));
  EXPECT_EQ(chain.entries[0].version, 2);
  EXPECT_FALSE(chain.defect);
}

TEST(ExtendedWalk, EmptyWithoutExtendedArea) {
  ConfigBuilder b(256);
  EXPECT_TRUE(walk_extended_capabilities(b.build()).entries.empty());
  ConfigBuilder z;
  EXPECT_TRUE(walk_extended_capabilities(z.build()).entries.empty());
  EXPECT_FALSE(walk_extended_capabilities(z.build()).defect);
}

TEST(ExtendedWalk, BoundsTheNumberOfEntries) {
  ConfigBuilder b;
  for (unsigned i = 0; i < 481; ++i) b.ext_cap(static_cast<uint16_t>(0x100 + 4 * i), 0x000b);
  const auto chain = walk_extended_capabilities(b.build());
  EXPECT_EQ(chain.entries.size(), 480u);
  ASSERT_TRUE(chain.defect);
  EXPECT_NE(chain.defect->reason.find("480"), std::string::npos);
}

TEST(ExtendedWalk, DetectsLoopsAndBadPointers) {
  ConfigBuilder loop;
  loop.ext_cap(0x100, 0x0001).ext_cap(0x140, 0x000d);
  loop.u32(0x140, 0x000d | 0x100u << 20);
  auto chain = walk_extended_capabilities(loop.build());
  EXPECT_EQ(chain.entries.size(), 2u);
  ASSERT_TRUE(chain.defect);
  EXPECT_EQ(chain.defect->offset, 0x140);

  ConfigBuilder low;
  low.ext_cap(0x100, 0x0001);
  low.u32(0x100, 0x0001 | 0x0c0u << 20);
  chain = walk_extended_capabilities(low.build());
  ASSERT_TRUE(chain.defect);
  EXPECT_NE(chain.defect->reason.find("below 0x100"), std::string::npos);

  ConfigBuilder odd;
  odd.ext_cap(0x100, 0x0001);
  odd.u32(0x100, 0x0001 | 0x142u << 20);
  chain = walk_extended_capabilities(odd.build());
  ASSERT_TRUE(chain.defect);
  EXPECT_NE(chain.defect->reason.find("aligned"), std::string::npos);

  ConfigBuilder ones;
  ones.ext_cap(0x100, 0x0001);
  ones.u32(0x100, 0x0001 | 0x200u << 20).u32(0x200, 0xffffffff);
  chain = walk_extended_capabilities(ones.build());
  EXPECT_EQ(chain.entries.size(), 1u);
  ASSERT_TRUE(chain.defect);
  EXPECT_EQ(chain.defect->offset, 0x200);

  ConfigBuilder empty;
  empty.ext_cap(0x100, 0x0001);
  empty.u32(0x100, 0x0001 | 0x300u << 20);
  chain = walk_extended_capabilities(empty.build());
  ASSERT_TRUE(chain.defect);
  EXPECT_NE(chain.defect->reason.find("empty"), std::string::npos);
}

}  // namespace
}  // namespace vfiokit::pci
