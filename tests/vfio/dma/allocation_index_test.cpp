// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/dma/allocation_index.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace vfiokit::vfio {
namespace {

TEST(AllocationIndex, FindsWhatWasRecordedAndForgetsWhatWasErased) {
  AllocationIndex index;
  EXPECT_EQ(index.find(0x1000), 0u);
  EXPECT_EQ(index.erase(0x1000), 0u);
  index.insert(0x1000, 0x2000);
  index.insert(0, 0x1000);  // a fixed mapping may start at IOVA 0
  EXPECT_EQ(index.find(0x1000), 0x2000u);
  EXPECT_EQ(index.find(0), 0x1000u);
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(index.erase(0x1000), 0x2000u);
  EXPECT_EQ(index.find(0x1000), 0u);
  EXPECT_EQ(index.sorted(), (std::vector<std::pair<uint64_t, uint64_t>>{{0, 0x1000}}));
}

// Against std::map, through growth and deletions that shift runs back
// across the end of the table: clustered keys (consecutive pages) and
// scattered ones.
TEST(AllocationIndex, AgreesWithAnOrderedMapUnderRandomInsertsAndErases) {
  for (uint64_t stride : {uint64_t{0x1000}, uint64_t{0x200000}, uint64_t{0x1000} * 4099}) {
    AllocationIndex index;
    std::map<uint64_t, uint64_t> reference;
    std::mt19937_64 rng(stride);
    for (int i = 0; i < 200000; ++i) {
      const uint64_t start = (rng() % 5000) * stride;
      if (rng() % 2) {
        if (reference.count(start)) continue;
        const uint64_t size = (rng() % 512 + 1) * 0x1000;
        index.insert(start, size);
        reference[start] = size;
      } else {
        auto it = reference.find(start);
        ASSERT_EQ(index.erase(start), it == reference.end() ? 0 : it->second);
        if (it != reference.end()) reference.erase(it);
      }
      const uint64_t probe = (rng() % 5000) * stride;
      auto found = reference.find(probe);
      ASSERT_EQ(index.find(probe), found == reference.end() ? 0 : found->second);
    }
    ASSERT_EQ(index.size(), reference.size());
    const std::vector<std::pair<uint64_t, uint64_t>> expected(reference.begin(), reference.end());
    ASSERT_EQ(index.sorted(), expected);
  }
}

}  // namespace
}  // namespace vfiokit::vfio
