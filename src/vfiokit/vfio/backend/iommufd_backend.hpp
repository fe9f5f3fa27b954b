// SPDX-License-Identifier: Apache-2.0
// The iommufd path: one iommufd (/dev/iommu) with one IOAS; each device is
// opened through its vfio cdev (/dev/vfio/devices/vfioX), bound to the
// iommufd and attached to the IOAS.
#pragma once

#include <map>
#include <memory>

#include "vfiokit/vfio/backend/iommu_backend.hpp"

namespace vfiokit::vfio {

class IommufdBackend final : public IommuBackend {
 public:
  static Result<std::unique_ptr<IommufdBackend>> open(host::SysfsRoot root);
  ~IommufdBackend() override;

  BackendKind kind() const override { return BackendKind::iommufd; }
  std::string describe() const override;
  Result<UniqueFd> attach(const DeviceAddress& device) override;
  void detach(const DeviceAddress& device) override;
  Result<std::vector<int32_t>> hot_reset_proof(const std::vector<HotResetPeer>& peers) const override;
  Result<Iova> map_dma_kernel_chosen(const void* vaddr, uint64_t size, DmaAccess access) override;

  int iommufd() const { return iommufd_.get(); }
  uint32_t ioas_id() const { return ioas_; }
  // The devid iommufd gave the function at bind time.
  std::optional<uint32_t> devid(const DeviceAddress& device) const;
  // IOMMU_IOAS_IOVA_RANGES: the usable ranges and the required alignment.
  Result<std::pair<std::vector<IovaRange>, uint64_t>> iova_ranges() const;
  // Re-reads the valid ranges (after something other than a Device joined
  // the IOAS, e.g. an IOMMUFD_TEST mock device).
  Result<void> refresh_ranges();

 private:
  IommufdBackend(host::SysfsRoot root, UniqueFd fd, uint32_t ioas)
      : IommuBackend(std::move(root)), iommufd_(std::move(fd)), ioas_(ioas) {
    dma_ = DmaIoctls::iommufd(iommufd_.get(), ioas_);
  }

  UniqueFd iommufd_;
  uint32_t ioas_;
  struct Bound {
    uint32_t devid;
    unsigned group;
  };
  std::map<DeviceAddress, Bound> devices_;
};

// /dev/vfio/devices/vfioX of a function bound to vfio-pci (or an mdev), from sysfs.
Result<std::string> vfio_cdev_of(const host::SysfsRoot& root, const DeviceAddress& device);

}  // namespace vfiokit::vfio
