// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/dma/dma_logging.hpp"

#include <fmt/format.h>
#include <linux/vfio.h>

#include <algorithm>
#include <utility>

#include "vfiokit/vfio/device_features.hpp"

namespace vfiokit::vfio {

namespace {
bool power_of_two(uint64_t v) { return v && !(v & (v - 1)); }
}  // namespace

Result<DmaLogging> DmaLogging::start(DeviceFeatureIoctl& device, std::vector<IovaRange> ranges,
                                     uint64_t page_size_hint) {
  const auto& who = device.subject();
  if (!power_of_two(page_size_hint) || page_size_hint < 4096)
    return fail(Errc::invalid_argument, who,
                fmt::format("DMA logging page size {} is not a power of two of at least 4 KiB", page_size_hint));
  if (ranges.empty()) return fail(Errc::invalid_argument, who, "DMA logging needs at least one IOVA range");
  if (ranges.size() > kMaxRanges)
    return fail(Errc::invalid_argument, who,
                fmt::format("DMA logging over {} ranges; a device accepts at most {}", ranges.size(), kMaxRanges));
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 0; i < ranges.size(); ++i) {
    const auto& r = ranges[i];
    if (r.last < r.start || r.start % page_size_hint || (r.last + 1) % page_size_hint)
      return fail(
          Errc::invalid_argument, who,
          fmt::format("DMA logging range 0x{:x}-0x{:x} is not aligned to {} bytes", r.start, r.last, page_size_hint));
    if (i > 0 && r.start <= ranges[i - 1].last)
      return fail(Errc::invalid_argument, who,
                  fmt::format("DMA logging ranges 0x{:x}-0x{:x} and 0x{:x}-0x{:x} overlap", ranges[i - 1].start,
                              ranges[i - 1].last, r.start, r.last));
  }
  std::vector<vfio_device_feature_dma_logging_range> wire;
  for (const auto& r : ranges) wire.push_back({r.start, r.last - r.start + 1});
  vfio_device_feature_dma_logging_control control{};
  control.page_size = page_size_hint;
  control.num_ranges = uint32_t(wire.size());
  control.ranges = reinterpret_cast<uintptr_t>(wire.data());
  if (auto ok = device.feature(feature_flags(Feature::dma_logging_start, kFeatureSet), control); !ok)
    return fail(ok.error());
  if (!power_of_two(control.page_size) || control.page_size < 4096)
    return fail(Errc::malformed, who,
                fmt::format("DMA_LOGGING_START answered page size {}, not a power of two of at least 4 KiB",
                            control.page_size));
  return DmaLogging(device, std::move(ranges), control.page_size);
}

DmaLogging::DmaLogging(DmaLogging&& other) noexcept
    : device_(other.device_),
      ranges_(std::move(other.ranges_)),
      page_size_(other.page_size_),
      running_(std::exchange(other.running_, false)) {}

DmaLogging::~DmaLogging() {
  if (running_) (void)stop();
}

Result<void> DmaLogging::stop() {
  if (!running_) return {};
  running_ = false;
  return device_->feature(feature_flags(Feature::dma_logging_stop, kFeatureSet), std::span<uint8_t>());
}

Result<DirtyBitmap> DmaLogging::report(Iova iova, uint64_t length) {
  auto bitmap = DirtyBitmap::create(iova, length, page_size_);
  if (!bitmap) return fail(bitmap.error());
  if (auto ok = report_into(*bitmap); !ok) return fail(ok.error());
  return bitmap;
}

Result<void> DmaLogging::report_into(DirtyBitmap& bitmap) {
  if (!running_) return fail(Errc::invalid_argument, device_->subject(), "DMA logging is not running");
  // The kernel only sets bits: a report into a bitmap that already holds
  // pages is a merge, which is what a migration loop wants.
  vfio_device_feature_dma_logging_report report{};
  report.iova = bitmap.base().value();
  report.length = bitmap.length();
  report.page_size = bitmap.page_size();
  report.bitmap = reinterpret_cast<uintptr_t>(bitmap.words().data());
  return device_->feature(feature_flags(Feature::dma_logging_report, kFeatureGet), report);
}

}  // namespace vfiokit::vfio
