// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/base/sorted_vector_map.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

namespace vfiokit {
namespace {

TEST(SortedVectorMap, KeysGivenInAnyOrderAreWalkedInOrderAsStdMapWalksThem) {
  std::mt19937 random(7);
  std::uniform_int_distribution<int> key(0, 300);
  SortedVectorMap<int, std::string> ours;
  std::map<int, std::string> theirs;
  for (int i = 0; i < 500; ++i) {
    const int k = key(random);
    const std::string v = std::to_string(i);
    EXPECT_EQ(ours.emplace(k, v), theirs.emplace(k, v).second) << "key " << k;
  }
  ASSERT_EQ(ours.size(), theirs.size());
  auto t = theirs.begin();
  for (const auto& [k, v] : ours) {
    EXPECT_EQ(k, t->first);
    EXPECT_EQ(v, t->second) << "the first value given for a key stays";
    ++t;
  }
}

TEST(SortedVectorMap, FindAtAndContains) {
  SortedVectorMap<int, std::string> m;
  for (int k : {2, 4, 6}) m.emplace(k, "v" + std::to_string(k));
  EXPECT_EQ(m.find(4)->second, "v4");
  EXPECT_EQ(m.find(5), m.end());
  EXPECT_EQ(m.find(7), m.end());
  EXPECT_EQ(m.find(1), m.end());
  EXPECT_EQ(m.at(6), "v6");
  EXPECT_THROW(m.at(3), std::out_of_range);
  EXPECT_TRUE(m.contains(2));
  EXPECT_FALSE(m.contains(0));
  EXPECT_FALSE(m.emplace(4, "again"));
  EXPECT_EQ(m.at(4), "v4");
}

TEST(SortedVectorMap, EqualWhenTheSameEntries) {
  SortedVectorMap<int, int> a, b;
  a.emplace(1, 10);
  a.emplace(2, 20);
  b.emplace(2, 20);
  b.emplace(1, 10);
  EXPECT_EQ(a, b);
  b.emplace(3, 30);
  EXPECT_NE(a, b);
  EXPECT_TRUE((SortedVectorMap<int, int>().empty()));
}

}  // namespace
}  // namespace vfiokit
