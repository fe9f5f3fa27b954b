// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/internal/ioctl.hpp"

#include <cerrno>

namespace vfiokit::vfio::detail {

namespace {
template <class Arg>
Result<int> retry(int fd, unsigned long request, Arg arg, const char* name, std::string_view subject) {
  int rc = -1;
  while (errno == EINTR && (rc = ::ioctl(fd, request, arg)) < 0) {}
  if (rc >= 0) return rc;
  return fail(Error::from_errno(errno, std::string(subject), std::string(name) + " failed"));
}
}  // namespace

Result<int> ioctl_failed(int fd, unsigned long request, void* arg, const char* name, std::string_view subject) {
  return retry(fd, request, arg, name, subject);
}

Result<int> ioctl_value_failed(int fd, unsigned long request, unsigned long value, const char* name,
                               std::string_view subject) {
  return retry(fd, request, value, name, subject);
}

}  // namespace vfiokit::vfio::detail
