// SPDX-License-Identifier: Apache-2.0
// Instruction cost of a DMA map + unmap through vfiokit against the two raw
// ioctls a program without it makes, counted by callgrind
// (bench/callgrind-counts prints the counts of the two loops per cycle).
// Callgrind counts user-space instructions only, so the figure is exactly
// what vfiokit adds around the kernel's work, deterministically; under the
// lab's TCG, where every guest instruction costs several host ones, this is
// what separates the two loops of the lab's DMA benchmark.
//
// The backend runs type1's map path (IommuBackend::map_dma and unmap_dma
// with type1's DmaIoctls) with the request numbers of FIONREAD, issued on a
// pipe, which answers it: no IOMMU is needed to count instructions.
#include <linux/vfio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

#include "fakes/pipe_backend.hpp"

namespace {

using vfiokit::vfio::DmaAccess;
using vfiokit::vfio::Iova;

constexpr size_t kCycles = 100'000;
// FIONREAD, not the VFIO request: the pipe answers it, and the request
// number costs nothing either way.
constexpr unsigned long kRequest = FIONREAD;
int g_fd = -1;
alignas(4096) uint8_t g_page[4096];

__attribute__((noinline)) bool loop_vfiokit(vfiokit::vfio::IommuBackend& backend, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    auto iova = backend.map_dma(g_page, sizeof(g_page), DmaAccess::read_write);
    if (!iova || !backend.unmap_dma(*iova)) return false;
  }
  return true;
}

__attribute__((noinline)) bool loop_raw(uint64_t iova, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    vfio_iommu_type1_dma_map map{.argsz = sizeof(map),
                                 .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
                                 .vaddr = reinterpret_cast<uint64_t>(g_page),
                                 .iova = iova,
                                 .size = sizeof(g_page)};
    vfio_iommu_type1_dma_unmap unmap{};
    unmap.argsz = sizeof(unmap);
    unmap.iova = iova;
    unmap.size = sizeof(g_page);
    if (ioctl(g_fd, kRequest, &map) != 0 || ioctl(g_fd, kRequest, &unmap) != 0) return false;
  }
  return true;
}

}  // namespace

int main() {
  vfiokit::testing::PipeBackend backend(vfiokit::testing::PipeBackend::Ioctls::answered);
  g_fd = backend.fd();
  const bool ours = loop_vfiokit(backend, kCycles);
  const bool raw = loop_raw(0x1000, kCycles);
  std::printf("cycles %zu %d %d\n", kCycles, ours, raw);
  return ours && raw ? 0 : 1;
}
