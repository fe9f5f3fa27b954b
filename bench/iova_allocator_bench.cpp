// SPDX-License-Identifier: Apache-2.0
// The IOVA allocator's alloc+free rate on the host: 1M operations each, on an
// empty space (the DMA map path of a userspace driver) and with 4096 live
// mappings of mixed sizes (a VMM's guest RAM slots and buffers).
#include <benchmark/benchmark.h>
#include <linux/vfio.h>

#include <random>
#include <vector>

#include "fakes/pipe_backend.hpp"
#include "vfiokit/vfio/dma/iova_allocator.hpp"

namespace {

using vfiokit::vfio::Iova;
using vfiokit::vfio::IovaAllocator;
const std::vector<vfiokit::vfio::IovaRange> kQ35 = {{0, 0xfedfffff}, {0xfef00000, 0x7fffffffff}};

void BM_AllocFreeEmpty(benchmark::State& state) {
  IovaAllocator a(kQ35, 4096);
  for (auto _ : state) {
    auto iova = a.allocate({.size = 4096});
    benchmark::DoNotOptimize(iova);
    (void)a.release(*iova);
  }
  state.SetItemsProcessed(state.iterations() * 2);  // an alloc and a free per iteration
}
BENCHMARK(BM_AllocFreeEmpty)->Iterations(500000);  // 1M operations

void BM_AllocFreeWith4096Live(benchmark::State& state) {
  IovaAllocator a(kQ35, 4096);
  std::mt19937_64 rng(1);
  std::vector<Iova> live;
  for (int i = 0; i < 4096; ++i) live.push_back(*a.allocate({.size = 4096 * (rng() % 16 + 1)}));
  size_t victim = 0;
  for (auto _ : state) {
    victim = (victim + 2654435761u) % live.size();
    (void)a.release(live[victim]);
    live[victim] = *a.allocate({.size = 4096 * (rng() % 16 + 1)});
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_AllocFreeWith4096Live)->Iterations(500000);

// A userspace driver or VMM with N buffers in flight: sizes drawn from
// 4 KiB to 2 MiB (in pages), one freed and one allocated per iteration,
// the victim chosen at random.
void BM_AllocFreeRandomSizes(benchmark::State& state) {
  const auto live_count = static_cast<size_t>(state.range(0));
  IovaAllocator a(kQ35, 4096);
  std::mt19937_64 rng(2);
  const auto size = [&] { return 4096 * (rng() % 512 + 1); };
  std::vector<Iova> live;
  for (size_t i = 0; i < live_count; ++i) live.push_back(*a.allocate({.size = size()}));
  for (auto _ : state) {
    const size_t victim = rng() % live_count;
    (void)a.release(live[victim]);
    auto iova = a.allocate({.size = size()});
    if (!iova) state.SkipWithError(iova.error().describe().c_str());
    live[victim] = *iova;
  }
  state.SetItemsProcessed(state.iterations() * 2);
  state.counters["live"] = static_cast<double>(live_count);
}
BENCHMARK(BM_AllocFreeRandomSizes)->Arg(4096)->Iterations(200000);
BENCHMARK(BM_AllocFreeRandomSizes)->Arg(65536)->Iterations(20000);

// A DMA map + unmap through vfiokit against the two raw ioctls, both on a
// pipe (FIONREAD, which the pipe answers): the difference between the two
// figures is vfiokit's own cost per cycle on the host. bench/callgrind-counts
// counts the same in instructions; the lab's DMA benchmark compares whole
// cycles against a real IOMMU.
alignas(4096) uint8_t g_page[4096];

void BM_MapUnmapThroughVfiokitOnPipe(benchmark::State& state) {
  vfiokit::testing::PipeBackend backend;
  for (auto _ : state) {
    auto iova = backend.map_dma(g_page, 4096, vfiokit::vfio::DmaAccess::read_write);
    benchmark::DoNotOptimize(iova);
    if (!iova || !backend.unmap_dma(*iova)) state.SkipWithError("map or unmap failed");
  }
}
BENCHMARK(BM_MapUnmapThroughVfiokitOnPipe);

void BM_MapUnmapRawIoctlsOnPipe(benchmark::State& state) {
  const vfiokit::testing::PipeBackend pipe;  // for its pipe only
  const int fd = pipe.fd();
  for (auto _ : state) {
    vfio_iommu_type1_dma_map map{.argsz = sizeof(map),
                                 .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
                                 .vaddr = reinterpret_cast<uint64_t>(g_page),
                                 .iova = 0x1000,
                                 .size = 4096};
    vfio_iommu_type1_dma_unmap unmap{};
    unmap.argsz = sizeof(unmap);
    unmap.iova = 0x1000;
    unmap.size = 4096;
    if (ioctl(fd, FIONREAD, &map) != 0 || ioctl(fd, FIONREAD, &unmap) != 0) state.SkipWithError("ioctl failed");
  }
}
BENCHMARK(BM_MapUnmapRawIoctlsOnPipe);

}  // namespace

BENCHMARK_MAIN();
