// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/dma/dirty_bitmap.hpp"

#include <gtest/gtest.h>

#include <random>

namespace vfiokit::vfio {
namespace {

TEST(DirtyBitmap, GeometryMistakesAreErrors) {
  EXPECT_FALSE(DirtyBitmap::create(Iova(0), 1 << 20, 3000));
  EXPECT_FALSE(DirtyBitmap::create(Iova(0), 4096 * 3 + 1, 4096));
  EXPECT_FALSE(DirtyBitmap::create(Iova(0), 0, 4096));
  EXPECT_FALSE(DirtyBitmap::create(Iova(0x800), 4096, 4096));
  EXPECT_FALSE(DirtyBitmap::create(Iova(~0ull - 4095), 8192, 4096));
  auto b = DirtyBitmap::create(Iova(0x100000), 4096 * 130, 4096);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->pages(), 130u);
  EXPECT_EQ(b->words().size(), 3u);  // 130 bits in u64 words, as the kernel sizes them
}

TEST(DirtyBitmap, MarksTestsAndWalksPagesInOrder) {
  auto b = DirtyBitmap::create(Iova(0x100000), 4096 * 130, 4096);
  ASSERT_TRUE(b);
  for (uint64_t page : {129, 0, 64, 63}) ASSERT_TRUE(b->mark(Iova(0x100000 + page * 4096 + 17)));
  EXPECT_FALSE(b->mark(Iova(0x100000 + 130 * 4096)));
  EXPECT_FALSE(b->mark(Iova(0xfffff)));
  EXPECT_TRUE(b->is_dirty(Iova(0x100000 + 64 * 4096 + 4095)));
  EXPECT_FALSE(b->is_dirty(Iova(0x100000 + 65 * 4096)));
  EXPECT_EQ(b->count(), 4u);
  std::vector<uint64_t> seen;
  b->for_each_dirty([&](Iova iova) { seen.push_back((iova.value() - 0x100000) / 4096); });
  EXPECT_EQ(seen, (std::vector<uint64_t>{0, 63, 64, 129}));
  // Bit i of word i/64 is page i: the layout the kernel fills.
  EXPECT_EQ(b->words()[0], (1ull << 63) | 1ull);
  EXPECT_EQ(b->words()[1], 1ull);
  EXPECT_EQ(b->words()[2], 2ull);
  b->clear();
  EXPECT_EQ(b->count(), 0u);
}

TEST(DirtyBitmap, MergeIsABitwiseOrOfTheSameRangeOnly) {
  std::mt19937_64 rng(7);
  for (uint64_t pages : {1ull, 63ull, 64ull, 511ull, 512ull, 1000ull}) {
    auto a = DirtyBitmap::create(Iova(0), pages * 4096, 4096);
    auto b = DirtyBitmap::create(Iova(0), pages * 4096, 4096);
    ASSERT_TRUE(a && b);
    std::vector<uint64_t> expected(a->words().size());
    for (size_t i = 0; i < expected.size(); ++i) {
      a->words()[i] = rng();
      b->words()[i] = rng();
      expected[i] = a->words()[i] | b->words()[i];
    }
    ASSERT_TRUE(a->merge(*b));
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), a->words().begin())) << pages << " pages";
  }
  auto small = DirtyBitmap::create(Iova(0), 2 << 20, 4096);
  auto other_page = DirtyBitmap::create(Iova(0), 2 << 20, 2 << 20);
  auto other_base = DirtyBitmap::create(Iova(1 << 30), 2 << 20, 4096);
  ASSERT_TRUE(small && other_page && other_base);
  EXPECT_FALSE(small->merge(*other_page));
  EXPECT_FALSE(small->merge(*other_base));
}

// The vectorized merge (AVX2 where the CPU has it, SSE2 otherwise) ORs
// every word, at every length and alignment: the 16-word steps, the 8-word
// steps and the tail word by word.
TEST(DirtyBitmap, OrWordsOrsEveryWordAtEveryLengthAndOffset) {
  std::mt19937_64 rng(7);
  std::vector<uint64_t> src(80), dst(80);
  for (size_t offset = 0; offset < 4; ++offset)
    for (size_t n = 0; n + offset <= src.size(); ++n) {
      for (auto& w : src) w = rng();
      for (auto& w : dst) w = rng();
      std::vector<uint64_t> want = dst;
      for (size_t i = offset; i < offset + n; ++i) want[i] |= src[i];
      or_words(dst.data() + offset, src.data() + offset, n);
      ASSERT_EQ(dst, want) << "offset " << offset << ", " << n << " words";
    }
}

}  // namespace
}  // namespace vfiokit::vfio
