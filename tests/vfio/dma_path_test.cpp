// The DMA map path of IommuBackend (allocator, memlock, the map and unmap
// ioctls of DmaIoctls, accounting) on a pipe (tests/support/pipe_backend.hpp):
// ioctls the pipe answers succeed; the real VFIO requests, which it refuses,
// fail, and nothing of the refused mapping may stay behind.
#include <gtest/gtest.h>

#include "support/pipe_backend.hpp"

namespace vfiokit::vfio {
namespace {

using testing::PipeBackend;
using Ioctls = PipeBackend::Ioctls;

alignas(4096) uint8_t g_pages[4 * 4096];

TEST(DmaPath, MapAndUnmapAccountAndReuseTheIova) {
  PipeBackend backend(Ioctls::answered);
  auto a = backend.map_dma(g_pages, 4096, DmaAccess::read_write);
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_NE(a->value(), 0u);  // never IOVA 0
  auto b = backend.map_dma(g_pages + 4096, 2 * 4096, DmaAccess::read);
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_GE(b->value(), a->value() + 4096);
  EXPECT_EQ(backend.mapped_bytes(), 3u * 4096);
  EXPECT_EQ(backend.iova_space().allocation_count(), 2u);
  ASSERT_TRUE(backend.unmap_dma(*a));
  EXPECT_EQ(backend.mapped_bytes(), 2u * 4096);
  auto again = backend.map_dma(g_pages, 4096, DmaAccess::read_write);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *a);  // the block released last is handed out again
  ASSERT_TRUE(backend.unmap_dma(*again));
  ASSERT_TRUE(backend.unmap_dma(*b));
  EXPECT_EQ(backend.mapped_bytes(), 0u);
  EXPECT_EQ(backend.iova_space().allocation_count(), 0u);
}

TEST(DmaPath, ARefusedMapNamesTheIoctlAndLeavesNothingBehind) {
  PipeBackend backend(Ioctls::refused);
  auto first = backend.map_dma(g_pages, 4096, DmaAccess::read_write);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().sys_errno(), ENOTTY);
  const std::string text = first.error().describe();
  EXPECT_NE(text.find("VFIO_IOMMU_MAP_DMA of 4096 bytes at IOVA"), std::string::npos) << text;
  EXPECT_NE(text.find("pipe backend"), std::string::npos) << text;  // the backend is the subject
  EXPECT_EQ(backend.mapped_bytes(), 0u);
  EXPECT_EQ(backend.iova_space().allocation_count(), 0u);
  // The refused IOVA went back: a fixed mapping there is not an overlap.
  auto fixed = backend.map_dma_at(g_pages, Iova(0x1000), 4096, DmaAccess::read_write);
  ASSERT_FALSE(fixed);
  EXPECT_EQ(fixed.error().sys_errno(), ENOTTY) << fixed.error().describe();
  EXPECT_EQ(backend.iova_space().allocation_count(), 0u);
}

TEST(DmaPath, UnmapErrorsNameWhatWasAsked) {
  PipeBackend backend(Ioctls::answered);
  auto none = backend.unmap_dma(Iova(0x5000));
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().describe().find("no DMA mapping starts at"), std::string::npos) << none.error().describe();
}

TEST(DmaPath, MistakesAreRefusedBeforeAnyIoctl) {
  PipeBackend not_ready(Ioctls::none);
  auto early = not_ready.map_dma(g_pages, 4096, DmaAccess::read_write);
  ASSERT_FALSE(early);
  EXPECT_NE(early.error().describe().find("no device is attached yet"), std::string::npos) << early.error().describe();

  PipeBackend backend(Ioctls::refused);  // any ioctl would fail with ENOTTY: none is made
  auto misaligned = backend.map_dma(g_pages + 1, 4096, DmaAccess::read_write);
  ASSERT_FALSE(misaligned);
  EXPECT_EQ(misaligned.error().sys_errno(), 0);
  EXPECT_NE(misaligned.error().describe().find("not aligned"), std::string::npos) << misaligned.error().describe();
  auto empty = backend.map_dma(g_pages, 0, DmaAccess::read_write);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().sys_errno(), 0);
  auto outside = backend.map_dma_at(g_pages, Iova(0xfee00000), 4096, DmaAccess::read_write);
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().sys_errno(), 0);
  EXPECT_NE(outside.error().describe().find("outside the valid IOVA ranges"), std::string::npos)
      << outside.error().describe();
  EXPECT_EQ(backend.iova_space().allocation_count(), 0u);
}

}  // namespace
}  // namespace vfiokit::vfio
