#include "vfio/ioctl.hpp"

#include <sys/ioctl.h>

#include <cerrno>

namespace vfiokit::vfio {

namespace {
template <class Arg>
Result<int> call(int fd, unsigned long request, Arg arg, const char* name, std::string_view subject) {
  int rc;
  do rc = ::ioctl(fd, request, arg);
  while (rc < 0 && errno == EINTR);
  if (rc < 0) return fail(Error::from_errno(errno, std::string(subject), std::string(name) + " failed"));
  return rc;
}
}  // namespace

Result<int> checked_ioctl(int fd, unsigned long request, void* arg, const char* name, std::string_view subject) {
  return call(fd, request, arg, name, subject);
}

Result<int> checked_ioctl_value(int fd, unsigned long request, unsigned long value, const char* name,
                                std::string_view subject) {
  return call(fd, request, value, name, subject);
}

}  // namespace vfiokit::vfio
