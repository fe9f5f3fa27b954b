// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/selection/device_patterns.hpp"

#include <gtest/gtest.h>

namespace vfiokit::pci {
namespace {

bool slot(const char* pattern, const char* bdf) {
  auto p = SlotPattern::parse(pattern);
  EXPECT_TRUE(p.has_value()) << pattern << ": " << p.error().describe();
  return p && p->matches(*Bdf::parse(bdf));
}

TEST(SlotPattern, FieldsCountFromTheRightAsLspciReadsThem) {
  EXPECT_TRUE(slot("02", "0000:05:02.3"));  // a lone number is the slot, on any bus
  EXPECT_FALSE(slot("02", "0000:02:00.0"));
  EXPECT_TRUE(slot("02:", "0000:02:1f.7"));  // with a colon it is the bus
  EXPECT_FALSE(slot("02:", "0000:03:02.0"));
  EXPECT_TRUE(slot(".1", "0000:08:00.1"));
  EXPECT_FALSE(slot(".1", "0000:08:00.0"));
  EXPECT_TRUE(slot("0001:00:1f.2", "0001:00:1f.2"));
  EXPECT_FALSE(slot("0001:00:1f.2", "0000:00:1f.2"));
  EXPECT_TRUE(slot("*:*.0", "0000:07:03.0"));
  EXPECT_TRUE(slot("", "0000:07:03.0"));
  EXPECT_TRUE(slot("1F.", "0000:00:1f.3"));  // hex in either case; an empty function is any
}

TEST(SlotPattern, RefusesWhatLspciRefuses) {
  for (const char* bad : {"20", "00:20.0", "0.8", "1:2:3:4", "g0", "100:", "00:00.0x"})
    EXPECT_FALSE(SlotPattern::parse(bad).has_value()) << bad;
}

TEST(IdPattern, VendorDeviceAndClassAsLspciDashD) {
  auto p = IdPattern::parse("8086:");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->matches(0x8086, 0x10d3, 0x020000));
  EXPECT_FALSE(p->matches(0x1b36, 0x000c, 0x060400));
  p = IdPattern::parse(":000c");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->matches(0x1b36, 0x000c, 0x060400));
  p = IdPattern::parse("::0200");  // class and subclass; the programming interface is ignored
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->matches(0x8086, 0x10d3, 0x020000));
  EXPECT_TRUE(p->matches(0x8086, 0x10d3, 0x020001));
  EXPECT_FALSE(p->matches(0x8086, 0x10d3, 0x028000));
  EXPECT_FALSE(p->matches(0x8086, 0x10d3, std::nullopt));
  p = IdPattern::parse("*:*");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->matches(std::nullopt, std::nullopt, std::nullopt));
  for (const char* bad : {"8086", "10000:", "8086:x", "::10000", "1:2:3:4"})
    EXPECT_FALSE(IdPattern::parse(bad).has_value()) << bad;
}

}  // namespace
}  // namespace vfiokit::pci
