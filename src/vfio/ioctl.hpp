// ioctl(2) with errors that say which ioctl failed on what, and retries on
// EINTR. Every VFIO and iommufd call goes through here.
#pragma once

#include <string_view>

#include "base/error.hpp"

namespace vfiokit::vfio {

// `name` is the uAPI name ("VFIO_DEVICE_GET_INFO"), `subject` what the fd is
// ("0000:01:00.0", "/dev/vfio/7"); both are only turned into strings when the
// call fails, so hot paths (DMA map/unmap) allocate nothing. Returns the
// ioctl's non-negative result.
Result<int> checked_ioctl(int fd, unsigned long request, void* arg, const char* name, std::string_view subject);
// For ioctls that take their argument by value (VFIO_CHECK_EXTENSION, VFIO_SET_IOMMU).
Result<int> checked_ioctl_value(int fd, unsigned long request, unsigned long value, const char* name,
                                std::string_view subject);

}  // namespace vfiokit::vfio
