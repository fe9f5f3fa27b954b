// The IOVA allocator's alloc+free rate on the host: 1M operations each, on an
// empty space (the DMA map path of a userspace driver) and with 4096 live
// mappings of mixed sizes (a VMM's guest RAM slots and buffers).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "vfio/iommu_backend.hpp"
#include "vfio/iova_allocator.hpp"

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

// Everything vfiokit adds around the two ioctls of a DMA map + unmap: an
// IommuBackend whose kernel calls do nothing, so the figure is vfiokit's own
// cost per cycle (the lab's DMA benchmark compares the whole cycle).
class NullBackend final : public vfiokit::vfio::IommuBackend {
 public:
  NullBackend() : IommuBackend(vfiokit::host::SysfsRoot("/nonexistent")) {
    (void)set_valid_ranges(kQ35, 4096, {});
  }
  vfiokit::vfio::BackendKind kind() const override { return vfiokit::vfio::BackendKind::type1; }
  std::string describe() const override { return "null"; }
  vfiokit::Result<vfiokit::vfio::UniqueFd> attach(const vfiokit::vfio::DeviceAddress&) override { return vfiokit::vfio::UniqueFd(); }
  void detach(const vfiokit::vfio::DeviceAddress&) override {}
  vfiokit::Result<std::vector<int32_t>> hot_reset_proof(const std::vector<vfiokit::vfio::HotResetPeer>&) const override {
    return std::vector<int32_t>{};
  }

 protected:
  vfiokit::Result<void> kernel_map(const void*, Iova, uint64_t, vfiokit::vfio::DmaAccess) override { return {}; }
  vfiokit::Result<void> kernel_unmap(Iova, uint64_t) override { return {}; }
};

void BM_MapUnmapOverheadPerCycle(benchmark::State& state) {
  NullBackend backend;
  alignas(4096) static uint8_t page[4096];
  for (auto _ : state) {
    auto iova = backend.map_dma(page, 4096, vfiokit::vfio::DmaAccess::read_write);
    benchmark::DoNotOptimize(iova);
    (void)backend.unmap_dma(*iova);
  }
}
BENCHMARK(BM_MapUnmapOverheadPerCycle);

}  // namespace

BENCHMARK_MAIN();
