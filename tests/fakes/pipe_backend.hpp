// SPDX-License-Identifier: Apache-2.0
// An IommuBackend whose map and unmap ioctls go to a pipe, for tests and
// benchmarks of the DMA map path (allocator, memlock, DmaIoctls,
// accounting) where no IOMMU exists. Aimed with FIONREAD, which a pipe
// answers, both ioctls succeed; aimed with the real VFIO requests, a pipe
// refuses them with ENOTTY.
#pragma once

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>

#include "vfiokit/vfio/backend/iommu_backend.hpp"

namespace vfiokit::testing {

class PipeBackend final : public vfio::IommuBackend {
 public:
  enum class Ioctls { answered, refused, none };  // none: not ready(), as type1 before its first group

  explicit PipeBackend(Ioctls ioctls = Ioctls::answered) : IommuBackend(host::SysfsRoot("/nonexistent")) {
    if (pipe(fds_) != 0) std::abort();
    // q35's ranges below and above the MSI window, as type1 reports them.
    (void)set_valid_ranges({{0, 0xfedfffff}, {0xfef00000, 0x7fffffffff}}, 4096, {});
    if (ioctls == Ioctls::none) return;
    dma_ = vfio::DmaIoctls::type1(fds_[0]);
    if (ioctls == Ioctls::answered) dma_ = dma_.with_requests(FIONREAD, FIONREAD);
  }
  ~PipeBackend() override {
    close(fds_[0]);
    close(fds_[1]);
  }
  PipeBackend(const PipeBackend&) = delete;
  PipeBackend& operator=(const PipeBackend&) = delete;

  // The pipe's read end, for a raw loop to send the same ioctls to.
  int fd() const { return fds_[0]; }

  vfio::BackendKind kind() const override { return vfio::BackendKind::type1; }
  std::string describe() const override { return "pipe backend"; }
  Result<vfio::UniqueFd> attach(const vfio::DeviceAddress&) override { return vfio::UniqueFd(); }
  void detach(const vfio::DeviceAddress&) override {}
  Result<std::vector<int32_t>> hot_reset_proof(const std::vector<vfio::HotResetPeer>&) const override {
    return std::vector<int32_t>{};
  }

 private:
  int fds_[2] = {-1, -1};
};

}  // namespace vfiokit::testing
