// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/feature_ioctl.hpp"

#include <fmt/format.h>
#include <linux/vfio.h>
#include <sys/ioctl.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "vfiokit/vfio/internal/ioctl.hpp"

namespace vfiokit::vfio {

std::string feature_name(uint32_t index) {
  // include/uapi/linux/vfio.h, VFIO_DEVICE_FEATURE_* indexes 0..11.
  static constexpr std::array<const char*, 12> kNames = {"PCI_VF_TOKEN",
                                                         "MIGRATION",
                                                         "MIG_DEVICE_STATE",
                                                         "LOW_POWER_ENTRY",
                                                         "LOW_POWER_ENTRY_WITH_WAKEUP",
                                                         "LOW_POWER_EXIT",
                                                         "DMA_LOGGING_START",
                                                         "DMA_LOGGING_STOP",
                                                         "DMA_LOGGING_REPORT",
                                                         "MIG_DATA_SIZE",
                                                         "BUS_MASTER",
                                                         "DMA_BUF"};
  return index < kNames.size() ? kNames[index] : fmt::format("feature {}", index);
}

std::string feature_call_name(uint32_t flags) {
  const char* op = flags & kFeatureProbe ? "PROBE"
                   : flags & kFeatureSet ? "SET"
                   : flags & kFeatureGet ? "GET"
                                         : "no op";
  return fmt::format("VFIO_DEVICE_FEATURE({}, {})", feature_name(flags & VFIO_DEVICE_FEATURE_MASK), op);
}

Result<void> KernelFeatureIoctl::feature(uint32_t flags, std::span<uint8_t> payload) {
  // The header and the payload are one buffer; small payloads stay on the stack.
  alignas(8) std::array<uint8_t, 64> small{};
  std::vector<uint8_t> large;
  const size_t total = sizeof(vfio_device_feature) + payload.size();
  uint8_t* buf = small.data();
  if (total > small.size()) {
    large.assign(total, 0);
    buf = large.data();
  }
  auto* head = reinterpret_cast<vfio_device_feature*>(buf);
  head->argsz = uint32_t(total);
  head->flags = flags;
  if (!payload.empty()) std::memcpy(buf + sizeof(vfio_device_feature), payload.data(), payload.size());
  int rc;
  do rc = ::ioctl(fd_, VFIO_DEVICE_FEATURE, buf);
  while (rc < 0 && errno == EINTR);
  if (rc < 0) return fail(Error::from_errno(errno, subject_, feature_call_name(flags) + " failed"));
  if (!payload.empty()) std::memcpy(payload.data(), buf + sizeof(vfio_device_feature), payload.size());
  return {};
}

Result<void> KernelFeatureIoctl::reset() {
  auto ok = checked_ioctl(fd_, VFIO_DEVICE_RESET, nullptr, "VFIO_DEVICE_RESET", subject_);
  if (!ok) return fail(ok.error());
  return {};
}

}  // namespace vfiokit::vfio
