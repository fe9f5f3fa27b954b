// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/config_space.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace vfiokit::pci {
namespace {

TEST(ConfigSpace, AcceptsOnlyTheThreeSizes) {
  for (size_t n : {64u, 256u, 4096u}) EXPECT_TRUE(ConfigSpace::from_bytes(std::vector<uint8_t>(n)));
  for (size_t n : {0u, 63u, 65u, 128u, 255u, 1024u, 4095u, 4097u}) {
    auto r = ConfigSpace::from_bytes(std::vector<uint8_t>(n));
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().code(), Errc::malformed);
  }
}

TEST(ConfigSpace, ReadsLittleEndian) {
  std::vector<uint8_t> bytes(64);
  bytes[0] = 0x86;
  bytes[1] = 0x80;
  bytes[2] = 0xd3;
  bytes[3] = 0x10;
  auto c = ConfigSpace::from_bytes(bytes).value();
  EXPECT_EQ(*c.read16(0), 0x8086);
  EXPECT_EQ(*c.read32(0), 0x10d38086u);
  EXPECT_EQ(*c.read8(3), 0x10);
}

TEST(ConfigSpace, ReadsOutsideAreErrorsWithOffset) {
  auto c = ConfigSpace::from_bytes(std::vector<uint8_t>(64)).value();
  EXPECT_TRUE(c.read32(60));
  auto r = c.read32(62);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Errc::out_of_range);
  EXPECT_EQ(r.error().offset(), 62u);
  EXPECT_FALSE(c.read8(64));
  EXPECT_FALSE(c.read16(SIZE_MAX));
  EXPECT_FALSE(c.contains(SIZE_MAX - 1, 4));
}

}  // namespace
}  // namespace vfiokit::pci
