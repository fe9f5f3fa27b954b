// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/dma/iova_allocator.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace vfiokit::vfio {
namespace {

constexpr uint64_t kPage = 4096;
// type1's ranges on q35 with the emulated VT-d: everything below 4 GiB but
// the interrupt window, and above it up to the IOMMU's address width.
const std::vector<IovaRange> kQ35 = {{0, 0xfedfffff}, {0xfef00000, 0x7fffffffff}};

TEST(IovaAllocator, NeverHandsOutZeroAndAlignsToTheGranule) {
  IovaAllocator a(kQ35, kPage);
  auto first = a.allocate({.size = 100});
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_EQ(first->value(), kPage);
  EXPECT_EQ(a.allocation_size(*first), kPage);  // rounded up to a page
  auto second = a.allocate({.size = 3 * kPage});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->value(), 2 * kPage);
}

TEST(IovaAllocator, IovaZeroReservedAndReleasedIsNotHandedOut) {
  IovaAllocator a(kQ35, kPage);
  ASSERT_TRUE(a.reserve(Iova(0), kPage));
  ASSERT_TRUE(a.release(Iova(0)));
  for (int i = 0; i < 4; ++i) {
    auto iova = a.allocate({.size = kPage});
    ASSERT_TRUE(iova);
    EXPECT_NE(iova->value(), 0u);
  }
  ASSERT_TRUE(a.reserve(Iova(0), kPage));  // and it is free again
}

TEST(IovaAllocator, TheBlockReleasedLastGoesOnlyToARequestItSuits) {
  IovaAllocator a(kQ35, kPage);
  auto first = a.allocate({.size = 2 * kPage});
  ASSERT_TRUE(first && a.release(*first));
  // Another size, an alignment or a DMA limit it does not meet: elsewhere.
  auto other = a.allocate({.size = kPage});
  ASSERT_TRUE(other);
  EXPECT_NE(other->value(), first->value());
  ASSERT_TRUE(a.release(*other));
  auto aligned = a.allocate({.size = kPage, .align = 1 << 20});
  ASSERT_TRUE(aligned);
  EXPECT_EQ(aligned->value() % (1 << 20), 0u);
  ASSERT_TRUE(a.release(*aligned));
  // The same size again: the same block, and a release of it twice fails.
  auto again = a.allocate({.size = kPage});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->value(), aligned->value());
  EXPECT_EQ(a.allocation_size(*again), kPage);
  ASSERT_TRUE(a.release(*again));
  EXPECT_FALSE(a.release(*again));
  auto low = a.allocate({.size = kPage, .last_usable = kPage - 1});
  EXPECT_FALSE(low);  // only page 0 lies below, and it is never handed out
  EXPECT_EQ(a.allocation_count(), 0u);
}

TEST(IovaAllocator, HonoursAlignmentAndTheDevicesAddressLimit) {
  IovaAllocator a(kQ35, kPage);
  ASSERT_TRUE(a.allocate({.size = kPage}));
  auto big = a.allocate({.size = 2 << 20, .align = 2 << 20});
  ASSERT_TRUE(big);
  EXPECT_EQ(big->value() % (2 << 20), 0u);
  // edu's DMA mask is 28 bits: nothing above 0x0fffffff.
  auto low = a.allocate({.size = 1 << 20, .last_usable = (1u << 28) - 1});
  ASSERT_TRUE(low);
  EXPECT_LE(low->value() + (1 << 20) - 1, (1u << 28) - 1);
  auto too_big = a.allocate({.size = 1u << 28, .last_usable = (1u << 28) - 1});
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code(), Errc::out_of_range);
  EXPECT_NE(too_big.error().message().find("below 0xfffffff"), std::string::npos) << too_big.error().message();
}

TEST(IovaAllocator, SkipsTheHoleBetweenRanges) {
  IovaAllocator a({{0, 0x1fff}, {0x10000, 0x1ffff}}, kPage);
  auto first = a.allocate({.size = kPage});  // 0x1000: page 0 is never used
  ASSERT_TRUE(first);
  EXPECT_EQ(first->value(), 0x1000u);
  auto second = a.allocate({.size = 2 * kPage});  // does not fit below the hole
  ASSERT_TRUE(second);
  EXPECT_EQ(second->value(), 0x10000u);
}

TEST(IovaAllocator, ReusesAndCoalescesWhatIsReleased) {
  IovaAllocator a({{0, 0x3fff}}, kPage);  // three usable pages: page 0 is never handed out
  auto x = a.allocate({.size = kPage}), y = a.allocate({.size = kPage}), z = a.allocate({.size = kPage});
  ASSERT_TRUE(x && y && z);
  ASSERT_TRUE(a.release(*x));
  ASSERT_TRUE(a.release(*y));
  // A released page goes to a request of its size first...
  auto again = a.allocate({.size = kPage});
  ASSERT_TRUE(again);
  EXPECT_TRUE(*again == *x || *again == *y);
  ASSERT_TRUE(a.release(*again));
  // ... and when nothing else fits, x and y merge into one free block that
  // takes two pages.
  auto both = a.allocate({.size = 2 * kPage});
  ASSERT_TRUE(both) << both.error().describe();
  EXPECT_EQ(both->value(), x->value());
  EXPECT_FALSE(a.release(Iova(0x5000)));  // nothing starts there
  EXPECT_FALSE(a.release(*x + kPage));    // not the start of an allocation
}

TEST(IovaAllocator, CachedBlocksAreFreeForAFixedReservationAndAnotherSize) {
  IovaAllocator a({{0, 0xffff}}, kPage);
  std::vector<Iova> pages;
  for (int i = 0; i < 15; ++i) pages.push_back(*a.allocate({.size = kPage}));  // the whole space
  for (const auto& p : pages) ASSERT_TRUE(a.release(p));
  // Every page is cached by size; a reservation and a larger request still
  // find the space free.
  EXPECT_TRUE(a.reserve(Iova(0x3000), 2 * kPage));
  auto big = a.allocate({.size = 8 * kPage});
  ASSERT_TRUE(big) << big.error().describe();
  EXPECT_EQ(big->value(), 0x5000u);
  EXPECT_EQ(a.allocation_count(), 2u);
}

TEST(IovaAllocator, FixedReservationsRefuseOverlapsAndAddressesOutsideTheRanges) {
  IovaAllocator a(kQ35, kPage);
  ASSERT_TRUE(a.reserve(Iova(0x100000), 0x2000));
  auto overlap = a.reserve(Iova(0x101000), 0x2000);
  ASSERT_FALSE(overlap);
  EXPECT_EQ(overlap.error().code(), Errc::invalid_argument);
  EXPECT_NE(overlap.error().message().find("overlaps the mapping at 0x100000-0x101fff"), std::string::npos)
      << overlap.error().message();
  auto in_hole = a.reserve(Iova(0xfee00000), kPage);  // the MSI window
  ASSERT_FALSE(in_hole);
  EXPECT_EQ(in_hole.error().code(), Errc::out_of_range);
  EXPECT_NE(in_hole.error().message().find("0x0-0xfedfffff, 0xfef00000-0x7fffffffff"), std::string::npos);
  auto across = a.reserve(Iova(0xfedff000), 2 * kPage);  // starts valid, runs into the hole
  EXPECT_FALSE(across);
  auto unaligned = a.reserve(Iova(0x200800), kPage);
  EXPECT_FALSE(unaligned);
  EXPECT_FALSE(a.reserve(Iova(0x300000), 0));
  // A reservation at IOVA 0 is the caller's explicit choice and allowed.
  EXPECT_TRUE(a.reserve(Iova(0), kPage));
  // Allocations go around reservations.
  auto next = a.allocate({.size = 0x100000});
  ASSERT_TRUE(next);
  EXPECT_EQ(next->value(), 0x102000u);
}

TEST(IovaAllocator, RangesThatShrinkMustKeepEveryMapping) {
  IovaAllocator a({{0, 0xffffff}}, kPage);
  ASSERT_TRUE(a.reserve(Iova(0x800000), kPage));
  EXPECT_FALSE(a.set_usable({{0, 0x7fffff}}));
  EXPECT_TRUE(a.set_usable({{0, 0x7fffff}, {0x800000, 0x8fffff}}));
  auto next = a.allocate({.size = 0x100000, .align = 0x100000});
  ASSERT_TRUE(next);
  EXPECT_EQ(next->value(), 0x100000u);
}

// A refused change leaves the allocator as it was: space released just
// before is still free (it was held aside for quick reuse when the change
// came), and everything else still fits around the mapping.
TEST(IovaAllocator, ARefusedRangeChangeKeepsReleasedSpaceFree) {
  IovaAllocator a({{0, 0x3fff}}, kPage);
  auto x = a.allocate({.size = kPage}), y = a.allocate({.size = kPage}), z = a.allocate({.size = kPage});
  ASSERT_TRUE(x && y && z);
  ASSERT_TRUE(a.release(*x));
  ASSERT_TRUE(a.release(*z));
  EXPECT_FALSE(a.set_usable({{0, 0x1fff}}));  // would leave y outside
  auto two = a.allocate({.size = kPage}), three = a.allocate({.size = kPage});
  ASSERT_TRUE(two && three) << "released space was lost";
  EXPECT_EQ(std::set<uint64_t>({two->value(), three->value()}), std::set<uint64_t>({x->value(), z->value()}));
}

TEST(IovaAllocator, RangesReachingTheTopOfTheAddressSpace) {
  IovaAllocator a({{0xfffffffffff00000ull, UINT64_MAX}}, kPage);
  auto x = a.allocate({.size = 0x100000});
  ASSERT_TRUE(x);
  EXPECT_EQ(x->value(), 0xfffffffffff00000ull);
  EXPECT_FALSE(a.allocate({.size = kPage}));
  ASSERT_TRUE(a.release(*x));
  EXPECT_TRUE(a.allocate({.size = 0x100000}));
  EXPECT_FALSE(a.allocate({.size = UINT64_MAX}));
}

TEST(IovaAllocator, RandomWorkloadKeepsAllocationsDisjointAndInside) {
  IovaAllocator a({{0, 0x3fffffff}}, kPage);
  std::mt19937_64 rng(7);
  std::map<uint64_t, uint64_t> live;
  for (int i = 0; i < 20000; ++i) {
    if (live.empty() || rng() % 3 != 0) {
      const uint64_t size = (rng() % 64 + 1) * kPage;
      const uint64_t align = kPage << (rng() % 5);
      auto x = a.allocate({.size = size, .align = align});
      ASSERT_TRUE(x) << x.error().describe();
      ASSERT_EQ(x->value() % align, 0u);
      auto after = live.lower_bound(x->value());
      if (after != live.end()) {
        ASSERT_LE(x->value() + size, after->first);
      }
      if (after != live.begin()) {
        ASSERT_LE(std::prev(after)->first + std::prev(after)->second, x->value());
      }
      live[x->value()] = size;
    } else {
      auto it = live.begin();
      std::advance(it, rng() % live.size());
      ASSERT_TRUE(a.release(Iova(it->first)));
      live.erase(it);
    }
  }
  EXPECT_EQ(a.allocation_count(), live.size());
}

TEST(IovaAllocator, MovesWithItsMappings) {
  IovaAllocator a({{0, 0xffffff}}, kPage);
  auto x = a.allocate({.size = kPage});
  ASSERT_TRUE(x);
  IovaAllocator b = std::move(a);
  EXPECT_EQ(b.allocation_size(*x), kPage);
  a = IovaAllocator({{0, 0xffff}}, kPage);  // a moved-from allocator is reusable
  EXPECT_TRUE(a.allocate({.size = kPage}));
  b = std::move(a);
  EXPECT_EQ(b.allocation_count(), 1u);
}

TEST(IovaRanges, SubtractReservedRegions) {
  // The q35 group's reserved regions: the MSI window, and a direct one.
  auto r = subtract_ranges({{0, 0xffffffffffff}}, {{0xfee00000, 0xfeefffff}, {0, 0xfff}});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], (IovaRange{0x1000, 0xfedfffff}));
  EXPECT_EQ(r[1], (IovaRange{0xfef00000, 0xffffffffffff}));
  EXPECT_TRUE(subtract_ranges({{0x1000, 0x1fff}}, {{0, UINT64_MAX}}).empty());
}

}  // namespace
}  // namespace vfiokit::vfio
