// SPDX-License-Identifier: Apache-2.0
// The VFIO and iommufd uAPI vfiokit uses beyond what the build machine's
// <linux/vfio.h> (linux-libc-dev 6.1) declares: the vfio cdev ioctls (6.6),
// hot-reset devid flags (6.6), migration pre-copy (6.2) and all of <linux/iommufd.h> (6.2+, absent from
// the 6.1 headers). Names carry a k prefix so a newer system header cannot
// clash. Layouts follow include/uapi/linux/{vfio,iommufd}.h; every ioctl is
// _IO(';', nr), so the request number is 0x3B00 | nr.
#pragma once

#include <linux/vfio.h>

#include <cstdint>

#include "vfiokit/vfio/dma/dma_ioctls.hpp"

namespace vfiokit::vfio::uapi {

// io() is in dma/dma_ioctls.hpp, with the two ioctls of the DMA hot path.

// The iommufd character device (Documentation/userspace-api/iommufd.rst).
inline constexpr const char* kIommufdPath = "/dev/iommu";

// vfio cdev (/dev/vfio/devices/vfioX), merged in 6.6.
constexpr unsigned long kDeviceBindIommufd = io(100 + 18);
constexpr unsigned long kDeviceAttachIommufdPt = io(100 + 19);
constexpr unsigned long kDeviceDetachIommufdPt = io(100 + 20);

// The 6.6-6.12 layouts: the first fields of the newest ones, which the kernel
// accepts from any caller (argsz tells it how much was given).
struct DeviceBindIommufd {
  uint32_t argsz = sizeof(DeviceBindIommufd);
  uint32_t flags = 0;
  int32_t iommufd = -1;
  uint32_t out_devid = 0;
};
static_assert(sizeof(DeviceBindIommufd) == 16);

struct DeviceAttachIommufdPt {
  uint32_t argsz = sizeof(DeviceAttachIommufdPt);
  uint32_t flags = 0;
  uint32_t pt_id = 0;
};
static_assert(sizeof(DeviceAttachIommufdPt) == 12);

// Hot reset from a cdev caller: entries carry devids, and the kernel says
// whether every affected device is owned through the same iommufd.
constexpr uint32_t kHotResetFlagDevId = 1u << 0;
constexpr uint32_t kHotResetFlagDevIdOwned = 1u << 1;
constexpr uint32_t kDevIdOwned = 0;
constexpr uint32_t kDevIdNotOwned = 0xFFFFFFFFu;

// iommufd (/dev/iommu).
constexpr unsigned long kIommuDestroy = io(0x80);
constexpr unsigned long kIommuIoasAlloc = io(0x81);
constexpr unsigned long kIommuIoasIovaRanges = io(0x84);
// IOMMU_IOAS_MAP and IOMMU_IOAS_UNMAP, the DMA hot path: in dma/dma_ioctls.hpp.

struct IommuDestroy {
  uint32_t size = sizeof(IommuDestroy);
  uint32_t id = 0;
};
static_assert(sizeof(IommuDestroy) == 8);

struct IommuIoasAlloc {
  uint32_t size = sizeof(IommuIoasAlloc);
  uint32_t flags = 0;
  uint32_t out_ioas_id = 0;
};
static_assert(sizeof(IommuIoasAlloc) == 12);

struct IommuIovaRange {
  uint64_t start = 0;
  uint64_t last = 0;  // inclusive
};

struct IommuIoasIovaRanges {
  uint32_t size = sizeof(IommuIoasIovaRanges);
  uint32_t ioas_id = 0;
  uint32_t num_iovas = 0;  // in: capacity; out: count (EMSGSIZE when it did not fit)
  uint32_t reserved = 0;
  uint64_t allowed_iovas = 0;  // user pointer to IommuIovaRange[]
  uint64_t out_iova_alignment = 0;
};
static_assert(sizeof(IommuIoasIovaRanges) == 32);

// Device features newer than the 6.1 header: MIG_DATA_SIZE and PRE_COPY
// (6.2), and the pre-copy progress ioctl on the migration data fd.
constexpr uint32_t kFeatureMigDataSize = 9;
constexpr uint64_t kMigrationPreCopy = 1u << 2;
constexpr unsigned long kMigGetPrecopyInfo = io(100 + 21);

struct PrecopyInfo {
  uint32_t argsz = sizeof(PrecopyInfo);
  uint32_t flags = 0;
  uint64_t initial_bytes = 0;
  uint64_t dirty_bytes = 0;
};
static_assert(sizeof(PrecopyInfo) == 24);

// iommufd HWPT allocation and dirty tracking (6.6 / 6.7).
constexpr unsigned long kIommuHwptAlloc = io(0x89);
constexpr unsigned long kIommuHwptSetDirtyTracking = io(0x8b);
constexpr unsigned long kIommuHwptGetDirtyBitmap = io(0x8c);
constexpr uint32_t kHwptAllocDirtyTracking = 1u << 1;
constexpr uint32_t kHwptDirtyTrackingEnable = 1u << 0;
constexpr uint32_t kHwptGetDirtyBitmapNoClear = 1u << 0;

// The 6.6 layout (24 bytes): a paging HWPT needs no data.
struct IommuHwptAlloc {
  uint32_t size = sizeof(IommuHwptAlloc);
  uint32_t flags = 0;
  uint32_t dev_id = 0;
  uint32_t pt_id = 0;
  uint32_t out_hwpt_id = 0;
  uint32_t reserved = 0;
};
static_assert(sizeof(IommuHwptAlloc) == 24);

struct IommuHwptSetDirtyTracking {
  uint32_t size = sizeof(IommuHwptSetDirtyTracking);
  uint32_t flags = 0;
  uint32_t hwpt_id = 0;
  uint32_t reserved = 0;
};
static_assert(sizeof(IommuHwptSetDirtyTracking) == 16);

struct IommuHwptGetDirtyBitmap {
  uint32_t size = sizeof(IommuHwptGetDirtyBitmap);
  uint32_t hwpt_id = 0;
  uint32_t flags = 0;
  uint32_t reserved = 0;
  uint64_t iova = 0;
  uint64_t length = 0;
  uint64_t page_size = 0;
  uint64_t data = 0;  // user pointer to the u64 bitmap
};
static_assert(sizeof(IommuHwptGetDirtyBitmap) == 48);

}  // namespace vfiokit::vfio::uapi
