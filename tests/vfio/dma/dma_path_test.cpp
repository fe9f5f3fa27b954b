// SPDX-License-Identifier: Apache-2.0
// The DMA map path of IommuBackend (allocator, memlock, the map and unmap
// ioctls of DmaIoctls, accounting) on a pipe (tests/support/pipe_backend.hpp):
// ioctls the pipe answers succeed; the real VFIO requests, which it refuses,
// fail, and nothing of the refused mapping may stay behind.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fakes/pipe_backend.hpp"
#include "support/memlock_limit.hpp"
#include "vfiokit/vfio/backend/memlock.hpp"

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

// A process held to RLIMIT_MEMLOCK: the map path counts what its backends
// pinned, process-wide, and refuses before any ioctl a mapping that cannot
// fit. (Run in a child without CAP_IPC_LOCK, which exempts a process, as a
// root test run has it; an exempt process counts nothing.)
TEST(DmaPath, MemlockIsCountedAndAMappingPastItRefusedBeforeTheIoctl) {
  alignas(4096) static uint8_t buffer[32 * 4096];
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (!testing::hold_to_memlock_limit(64 << 10)) _exit(10);
    PipeBackend first(Ioctls::answered), second(Ioctls::answered);
    auto a = first.map_dma(buffer, 2 * 4096, DmaAccess::read_write);
    if (!a) _exit(13);
    auto b = second.map_dma(buffer + 2 * 4096, 4096, DmaAccess::read_write);
    if (!b) _exit(14);
    if (process_pinned_bytes() != 3 * 4096) _exit(15);  // both backends, counted
    if (!first.unmap_dma(*a)) _exit(16);
    if (process_pinned_bytes() != 4096) _exit(17);
    // 80 KiB cannot fit under 64: refused with the limit named, and before
    // the ioctl, which this backend's pipe would refuse with ENOTTY.
    PipeBackend refusing(Ioctls::refused);
    auto over = refusing.map_dma(buffer, 20 * 4096, DmaAccess::read_write);
    if (over) _exit(18);
    if (over.error().describe().find("RLIMIT_MEMLOCK") == std::string::npos || over.error().sys_errno() == ENOTTY)
      _exit(19);
    if (refusing.iova_space().allocation_count() != 0) _exit(20);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "child step " << WEXITSTATUS(status) << " failed";
}

TEST(DmaPath, AnExemptProcessCountsNothingProcessWide) {
  if (dma_memlock_limit() != UINT64_MAX)
    GTEST_SKIP() << "runs only where CAP_IPC_LOCK or an unlimited RLIMIT_MEMLOCK exempts the process";
  alignas(4096) static uint8_t page[4096];
  PipeBackend backend(Ioctls::answered);
  const uint64_t before = process_pinned_bytes();
  auto a = backend.map_dma(page, 4096, DmaAccess::read_write);
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(process_pinned_bytes(), before);
  EXPECT_EQ(backend.mapped_bytes(), 4096u);
}

}  // namespace
}  // namespace vfiokit::vfio
