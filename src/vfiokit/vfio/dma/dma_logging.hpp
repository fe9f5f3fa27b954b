// SPDX-License-Identifier: Apache-2.0
// Device DMA logging (VFIO_DEVICE_FEATURE_DMA_LOGGING_START/REPORT/STOP):
// the device itself records which pages it wrote, for drivers that track
// dirty pages in hardware (mlx5, pds, hisi_acc). Semantics relied on, from
// drivers/vfio/vfio_main.c: START takes 1..LOG_MAX_RANGES non-overlapping
// ranges aligned to the page-size hint and answers with the page size the
// device tracks at; REPORT takes a page size that is a power of two and at
// least 4 KiB, only ever sets bits in the caller's bitmap, and clears the
// device's log for the range it reads; STOP ends tracking. No emulated lab
// device has a real log (mtty accepts the calls and reports nothing), so
// the semantics are tested against a model (tests/vfio/dma_logging_test).
#pragma once

#include <cstdint>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/vfio/dma/dirty_bitmap.hpp"
#include "vfiokit/vfio/dma/iova.hpp"
#include "vfiokit/vfio/feature_ioctl.hpp"

namespace vfiokit::vfio {

class DmaLogging {
 public:
  // Starts tracking `ranges` (sorted or not). Ranges that overlap or are not
  // aligned to `page_size_hint` are refused before the device is asked.
  static Result<DmaLogging> start(DeviceFeatureIoctl& device, std::vector<IovaRange> ranges,
                                  uint64_t page_size_hint = 4096);
  DmaLogging(DmaLogging&& other) noexcept;
  DmaLogging& operator=(DmaLogging&&) = delete;
  ~DmaLogging();  // stops tracking if still on

  // The page size the device tracks at (it may differ from the hint).
  uint64_t page_size() const { return page_size_; }
  const std::vector<IovaRange>& ranges() const { return ranges_; }
  // The pages written in [iova, iova + length) since the last report, in a
  // fresh bitmap at the tracking page size; the device's log for the range
  // is cleared.
  Result<DirtyBitmap> report(Iova iova, uint64_t length);
  // The same, ORed into `bitmap` (whose page size is used).
  Result<void> report_into(DirtyBitmap& bitmap);
  Result<void> stop();

  // The most ranges every kernel accepts (PAGE_SIZE / 16 on 4 KiB pages).
  static constexpr size_t kMaxRanges = 256;

 private:
  DmaLogging(DeviceFeatureIoctl& device, std::vector<IovaRange> ranges, uint64_t page_size)
      : device_(&device), ranges_(std::move(ranges)), page_size_(page_size) {}
  DeviceFeatureIoctl* device_;
  std::vector<IovaRange> ranges_;
  uint64_t page_size_;
  bool running_ = true;
};

}  // namespace vfiokit::vfio
