// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/base/uuid.hpp"

#include <gtest/gtest.h>

namespace vfiokit {
namespace {

TEST(Uuid, ParsesEitherCaseAndPrintsLowercase) {
  auto u = Uuid::parse("83B8F4F2-509F-382F-3C1E-E6BFE0FA1001");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->str(), "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001");
  EXPECT_EQ(*Uuid::parse(u->str()), *u);
}

TEST(Uuid, RefusesAnythingElse) {
  for (const char* bad : {"", "83b8f4f2509f382f3c1ee6bfe0fa1001", "83b8f4f2-509f-382f-3c1e-e6bfe0fa100",
                          "83b8f4f2-509f-382f-3c1e-e6bfe0fa10011", "83b8f4f2_509f-382f-3c1e-e6bfe0fa1001",
                          "g3b8f4f2-509f-382f-3c1e-e6bfe0fa1001", "../../../etc/passwd-0000-0000-000000"})
    EXPECT_FALSE(Uuid::parse(bad)) << bad;
}

TEST(Uuid, RandomIsVersion4AndDiffers) {
  auto a = Uuid::random(), b = Uuid::random();
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(a->str()[14], '4');
  EXPECT_NE(std::string("89ab").find(a->str()[19]), std::string::npos);
}

}  // namespace
}  // namespace vfiokit
