// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/bdf.hpp"

#include <gtest/gtest.h>

namespace vfiokit::pci {
namespace {

TEST(Bdf, ParsesLongAndShortForms) {
  auto a = Bdf::parse("0000:03:00.0");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->str(), "0000:03:00.0");
  auto b = Bdf::parse("03:1f.7");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->domain(), 0);
  EXPECT_EQ(b->bus(), 3);
  EXPECT_EQ(b->device(), 0x1f);
  EXPECT_EQ(b->function(), 7);
  EXPECT_EQ(b->devfn(), 0xff);
  auto c = Bdf::parse("FFFF:FF:1F.7");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->str(), "ffff:ff:1f.7");
}

TEST(Bdf, RejectsOutOfRangeAndMalformed) {
  for (const char* bad :
       {"", "03:00", "0000:03:20.0", "0000:03:00.8", "10000:03:00.0", "0000:103:00.0", "0000:03:000.0", "g0:00.0",
        "0000:03:00.00", "0:0:0:00.0", "03.00.0", "03:00.", ":00.0", "0000:03:00.-1", " 03:00.0"}) {
    auto r = Bdf::parse(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code(), Errc::invalid_argument);
      EXPECT_NE(r.error().describe().find(bad), std::string::npos) << r.error().describe();
    }
  }
}

TEST(Bdf, MakeChecksLimits) {
  EXPECT_TRUE(Bdf::make(0xffff, 0xff, 0x1f, 7));
  EXPECT_FALSE(Bdf::make(0x10000, 0, 0, 0));
  EXPECT_FALSE(Bdf::make(0, 0x100, 0, 0));
  EXPECT_FALSE(Bdf::make(0, 0, 0x20, 0));
  EXPECT_FALSE(Bdf::make(0, 0, 0, 8));
}

TEST(Bdf, OrdersByDomainBusDeviceFunction) {
  EXPECT_LT(*Bdf::parse("00:1f.7"), *Bdf::parse("01:00.0"));
  EXPECT_LT(*Bdf::parse("0000:ff:00.0"), *Bdf::parse("0001:00:00.0"));
}

}  // namespace
}  // namespace vfiokit::pci
