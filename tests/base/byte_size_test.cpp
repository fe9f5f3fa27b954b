// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/base/byte_size.hpp"

#include <gtest/gtest.h>

namespace vfiokit {
namespace {

TEST(ByteSize, ParsesUnitsCaseInsensitively) {
  EXPECT_EQ(ByteSize::parse("256M")->bytes(), 256ull << 20);
  EXPECT_EQ(ByteSize::parse("16G")->bytes(), 16ull << 30);
  EXPECT_EQ(ByteSize::parse("16g")->bytes(), 16ull << 30);
  EXPECT_EQ(ByteSize::parse("1TiB")->bytes(), 1ull << 40);
  EXPECT_EQ(ByteSize::parse("64KB")->bytes(), 64ull << 10);
  EXPECT_EQ(ByteSize::parse("4096")->bytes(), 4096u);
  EXPECT_EQ(ByteSize::parse("4096B")->bytes(), 4096u);
  EXPECT_EQ(ByteSize::parse("1KiB")->bytes(), 1024u);
  EXPECT_EQ(ByteSize::parse("8E")->bytes(), 8ull << 60);
}

TEST(ByteSize, RejectsGarbageAndOverflow) {
  EXPECT_FALSE(ByteSize::parse(""));
  EXPECT_FALSE(ByteSize::parse("M"));
  EXPECT_FALSE(ByteSize::parse("12Q"));
  EXPECT_FALSE(ByteSize::parse("4iB"));
  EXPECT_FALSE(ByteSize::parse("4GiBB"));
  EXPECT_FALSE(ByteSize::parse("-1G"));
  auto overflow = ByteSize::parse("16E");
  ASSERT_FALSE(overflow);
  EXPECT_EQ(overflow.error().code(), Errc::invalid_argument);
  EXPECT_NE(overflow.error().describe().find("64 bits"), std::string::npos);
}

TEST(ByteSize, FormatsExactly) {
  EXPECT_EQ(ByteSize(256ull << 20).str(), "256MiB");
  EXPECT_EQ(ByteSize(1536ull << 10).str(), "1536KiB");
  EXPECT_EQ(ByteSize(100).str(), "100B");
  EXPECT_EQ(ByteSize(8ull << 60).str(), "8EiB");
  EXPECT_EQ(ByteSize(256ull << 40).lspci_str(), "256TB");
}

}  // namespace
}  // namespace vfiokit
