// SPDX-License-Identifier: Apache-2.0
// ioctl(2) with errors that say which ioctl failed on what, and retries on
// EINTR. Every VFIO and iommufd call goes through here.
#pragma once

#include <sys/ioctl.h>

#include <string_view>

#include "vfiokit/base/error.hpp"

namespace vfiokit::vfio {

namespace detail {
// The out-of-line rest of a call whose first attempt returned -1: retries
// while errno is EINTR, then builds the error.
Result<int> ioctl_failed(int fd, unsigned long request, void* arg, const char* name, std::string_view subject);
Result<int> ioctl_value_failed(int fd, unsigned long request, unsigned long value, const char* name,
                               std::string_view subject);
}  // namespace detail

// `name` is the uAPI name ("VFIO_DEVICE_GET_INFO"), `subject` what the fd is
// ("0000:01:00.0", "/dev/vfio/7"); both are only turned into strings when the
// call fails. Returns the ioctl's non-negative result.
// Inline, with everything but the first attempt out of line: a DMA map +
// unmap is two of these, and a program using the raw ioctls pays for
// nothing more than the libc call.
inline Result<int> checked_ioctl(int fd, unsigned long request, void* arg, const char* name, std::string_view subject) {
  const int rc = ::ioctl(fd, request, arg);
  if (rc >= 0) [[likely]]
    return rc;
  return detail::ioctl_failed(fd, request, arg, name, subject);
}
// For ioctls that take their argument by value (VFIO_CHECK_EXTENSION, VFIO_SET_IOMMU).
inline Result<int> checked_ioctl_value(int fd, unsigned long request, unsigned long value, const char* name,
                                       std::string_view subject) {
  const int rc = ::ioctl(fd, request, value);
  if (rc >= 0) [[likely]]
    return rc;
  return detail::ioctl_value_failed(fd, request, value, name, subject);
}

}  // namespace vfiokit::vfio
