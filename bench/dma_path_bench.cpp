// Instruction cost of a DMA map + unmap through vfiokit against the two raw
// ioctls a program without it makes, counted by callgrind
// (bench/callgrind-counts prints the counts of the two loops per cycle).
// Callgrind counts user-space instructions only, so the figure is exactly
// what vfiokit adds around the kernel's work, deterministically; under the
// lab's TCG, where every guest instruction costs several host ones, this is
// what separates the two loops of the lab's DMA benchmark.
//
// The backend is type1's map path (the same argument structs, the same
// checked_ioctl) issued on a pipe, where FIONREAD succeeds: no IOMMU is
// needed to count instructions.
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include <cstdio>

#include "vfio/ioctl.hpp"
#include "vfio/iommu_backend.hpp"

namespace {

using vfiokit::Result;
using vfiokit::vfio::DmaAccess;
using vfiokit::vfio::Iova;

constexpr size_t kCycles = 100'000;
// FIONREAD, not the VFIO request: the pipe answers it, and the request
// number costs nothing either way.
constexpr unsigned long kRequest = FIONREAD;
int g_fd = -1;

class PipeType1Backend final : public vfiokit::vfio::IommuBackend {
 public:
  PipeType1Backend() : IommuBackend(vfiokit::host::SysfsRoot("/nonexistent")) {
    (void)set_valid_ranges({{0, 0xfedfffff}, {0xfef00000, 0x7fffffffff}}, 4096, {});
  }
  vfiokit::vfio::BackendKind kind() const override { return vfiokit::vfio::BackendKind::type1; }
  std::string describe() const override { return "pipe"; }
  Result<vfiokit::vfio::UniqueFd> attach(const vfiokit::vfio::DeviceAddress&) override { return vfiokit::vfio::UniqueFd(); }
  void detach(const vfiokit::vfio::DeviceAddress&) override {}
  Result<std::vector<int32_t>> hot_reset_proof(const std::vector<vfiokit::vfio::HotResetPeer>&) const override {
    return std::vector<int32_t>{};
  }

 protected:
  // As Type1Backend::kernel_map and kernel_unmap.
  Result<void> kernel_map(const void* vaddr, Iova iova, uint64_t size, DmaAccess) override {
    vfio_iommu_type1_dma_map map{};
    map.argsz = sizeof(map);
    map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
    map.vaddr = reinterpret_cast<uint64_t>(vaddr);
    map.iova = iova.value();
    map.size = size;
    if (auto ok = vfiokit::vfio::checked_ioctl(g_fd, kRequest, &map, "VFIO_IOMMU_MAP_DMA", "pipe"); !ok) [[unlikely]]
      return vfiokit::fail(ok.error());
    return {};
  }
  Result<void> kernel_unmap(Iova iova, uint64_t size) override {
    vfio_iommu_type1_dma_unmap unmap{};
    unmap.argsz = sizeof(unmap);
    unmap.iova = iova.value();
    unmap.size = size;
    if (auto ok = vfiokit::vfio::checked_ioctl(g_fd, kRequest, &unmap, "VFIO_IOMMU_UNMAP_DMA", "pipe"); !ok)
        [[unlikely]]
      return vfiokit::fail(ok.error());
    return {};
  }
};

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
    vfio_iommu_type1_dma_map map{.argsz = sizeof(map), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
                                 .vaddr = reinterpret_cast<uint64_t>(g_page), .iova = iova, .size = sizeof(g_page)};
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
  int fds[2];
  if (pipe(fds) != 0) return std::perror("pipe"), 1;
  g_fd = fds[0];
  PipeType1Backend backend;
  const bool ours = loop_vfiokit(backend, kCycles);
  const bool raw = loop_raw(0x1000, kCycles);
  std::printf("cycles %zu %d %d\n", kCycles, ours, raw);
  return ours && raw ? 0 : 1;
}
