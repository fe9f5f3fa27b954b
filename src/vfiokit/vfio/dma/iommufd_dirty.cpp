// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/dma/iommufd_dirty.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>

#include <utility>

#include "vfiokit/vfio/device.hpp"
#include "vfiokit/vfio/internal/ioctl.hpp"
#include "vfiokit/vfio/internal/uapi.hpp"

namespace vfiokit::vfio {

Result<DirtyTrackingHwpt> DirtyTrackingHwpt::alloc(const IommufdBackend& backend, uint32_t dev_id) {
  uapi::IommuHwptAlloc a;
  a.flags = uapi::kHwptAllocDirtyTracking;
  a.dev_id = dev_id;
  a.pt_id = backend.ioas_id();
  if (auto ok = checked_ioctl(backend.iommufd(), uapi::kIommuHwptAlloc, &a, "IOMMU_HWPT_ALLOC(DIRTY_TRACKING)",
                              uapi::kIommufdPath);
      !ok) {
    if (ok.error().sys_errno() == EOPNOTSUPP)
      return fail(Error(Errc::unsupported, fmt::format("iommufd device {}", dev_id),
                        "sits behind an IOMMU without dirty tracking (IOMMU_HW_CAP_DIRTY_TRACKING); use device DMA "
                        "logging or type1 dirty pages",
                        EOPNOTSUPP));
    return fail(ok.error());
  }
  return DirtyTrackingHwpt(backend.iommufd(), a.out_hwpt_id);
}

Result<DirtyTrackingHwpt> DirtyTrackingHwpt::attach(const IommufdBackend& backend, const Device& device) {
  auto devid = backend.devid(device.address());
  if (!devid) return fail(Errc::invalid_argument, device.name(), "is not open through this iommufd backend");
  auto hwpt = alloc(backend, *devid);
  if (!hwpt) return fail(hwpt.error());
  uapi::DeviceAttachIommufdPt at;
  at.pt_id = hwpt->id();
  if (auto ok =
          checked_ioctl(device.fd(), uapi::kDeviceAttachIommufdPt, &at, "VFIO_DEVICE_ATTACH_IOMMUFD_PT", device.name());
      !ok)
    return fail(ok.error());
  return hwpt;
}

DirtyTrackingHwpt::DirtyTrackingHwpt(DirtyTrackingHwpt&& other) noexcept
    : iommufd_(other.iommufd_), id_(std::exchange(other.id_, 0)) {}

DirtyTrackingHwpt::~DirtyTrackingHwpt() {
  if (!id_) return;
  uapi::IommuDestroy d;
  d.id = id_;
  ioctl(iommufd_, uapi::kIommuDestroy, &d);
}

Result<void> DirtyTrackingHwpt::set_tracking(bool enabled) {
  uapi::IommuHwptSetDirtyTracking s;
  s.flags = enabled ? uapi::kHwptDirtyTrackingEnable : 0;
  s.hwpt_id = id_;
  if (auto ok = checked_ioctl(iommufd_, uapi::kIommuHwptSetDirtyTracking, &s, "IOMMU_HWPT_SET_DIRTY_TRACKING",
                              fmt::format("HWPT {}", id_));
      !ok)
    return fail(ok.error());
  return {};
}

Result<void> DirtyTrackingHwpt::read_into(DirtyBitmap& bitmap, bool keep) {
  uapi::IommuHwptGetDirtyBitmap g;
  g.hwpt_id = id_;
  g.flags = keep ? uapi::kHwptGetDirtyBitmapNoClear : 0;
  g.iova = bitmap.base().value();
  g.length = bitmap.length();
  g.page_size = bitmap.page_size();
  g.data = reinterpret_cast<uintptr_t>(bitmap.words().data());
  if (auto ok = checked_ioctl(iommufd_, uapi::kIommuHwptGetDirtyBitmap, &g, "IOMMU_HWPT_GET_DIRTY_BITMAP",
                              fmt::format("HWPT {}", id_));
      !ok)
    return fail(ok.error());
  return {};
}

Result<DirtyBitmap> DirtyTrackingHwpt::read(Iova iova, uint64_t length, uint64_t page_size, bool keep) {
  auto bitmap = DirtyBitmap::create(iova, length, page_size);
  if (!bitmap) return fail(bitmap.error());
  if (auto ok = read_into(*bitmap, keep); !ok) return fail(ok.error());
  return bitmap;
}

}  // namespace vfiokit::vfio
