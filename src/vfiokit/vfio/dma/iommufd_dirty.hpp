// SPDX-License-Identifier: Apache-2.0
// IOMMU dirty tracking through iommufd: a paging HWPT allocated with
// IOMMU_HWPT_ALLOC_DIRTY_TRACKING on an IOAS, tracking switched on with
// IOMMU_HWPT_SET_DIRTY_TRACKING, and the IOPTE dirty bits read (and by
// default cleared) with IOMMU_HWPT_GET_DIRTY_BITMAP. The IOMMU, not the
// device, records the writes, so this works for any device behind an IOMMU
// that has the feature (IOMMU_HW_CAP_DIRTY_TRACKING); an IOMMU without it
// refuses the allocation with EOPNOTSUPP.
#pragma once

#include <cstdint>

#include "vfiokit/base/error.hpp"
#include "vfiokit/vfio/backend/iommufd_backend.hpp"
#include "vfiokit/vfio/dma/dirty_bitmap.hpp"

namespace vfiokit::vfio {

class Device;

class DirtyTrackingHwpt {
 public:
  // A HWPT for `dev_id` (an iommufd device object) whose page table mirrors
  // the backend's IOAS. Nothing is attached to it yet.
  static Result<DirtyTrackingHwpt> alloc(const IommufdBackend& backend, uint32_t dev_id);
  // alloc() for an open device, which is then moved onto the new HWPT
  // (VFIO_DEVICE_ATTACH_IOMMUFD_PT replaces its current one).
  static Result<DirtyTrackingHwpt> attach(const IommufdBackend& backend, const Device& device);
  DirtyTrackingHwpt(DirtyTrackingHwpt&& other) noexcept;
  DirtyTrackingHwpt& operator=(DirtyTrackingHwpt&&) = delete;
  // Destroys the HWPT; while a device is still attached the kernel keeps it
  // until the iommufd closes.
  ~DirtyTrackingHwpt();

  uint32_t id() const { return id_; }
  Result<void> set_tracking(bool enabled);
  // The IOVA pages written in the bitmap's range since the last read, ORed
  // into `bitmap`; the IOMMU's dirty bits are cleared unless `keep` is set.
  // The range and page size must be page-size aligned.
  Result<void> read_into(DirtyBitmap& bitmap, bool keep = false);
  Result<DirtyBitmap> read(Iova iova, uint64_t length, uint64_t page_size, bool keep = false);

 private:
  DirtyTrackingHwpt(int iommufd, uint32_t id) : iommufd_(iommufd), id_(id) {}
  int iommufd_;
  uint32_t id_;
};

}  // namespace vfiokit::vfio
