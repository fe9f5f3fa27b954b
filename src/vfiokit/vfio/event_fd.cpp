// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/event_fd.hpp"

#include <poll.h>
#include <sys/eventfd.h>

#include <cerrno>

namespace vfiokit::vfio {

Result<EventFd> EventFd::create() {
  const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return fail(Error::from_errno(errno, "eventfd", "cannot create"));
  return EventFd(UniqueFd(fd));
}

Result<uint64_t> EventFd::take() const {
  uint64_t count = 0;
  if (::read(fd_.get(), &count, sizeof(count)) == sizeof(count)) return count;
  if (errno == EAGAIN) return uint64_t{0};
  return fail(Error::from_errno(errno, "eventfd", "read failed"));
}

Result<uint64_t> EventFd::wait(int timeout_ms) const {
  pollfd p{fd_.get(), POLLIN, 0};
  int rc;
  do rc = ::poll(&p, 1, timeout_ms);
  while (rc < 0 && errno == EINTR);
  if (rc < 0) return fail(Error::from_errno(errno, "eventfd", "poll failed"));
  if (rc == 0) return uint64_t{0};
  return take();
}

Result<void> EventFd::signal(uint64_t n) const {
  if (::write(fd_.get(), &n, sizeof(n)) != sizeof(n)) return fail(Error::from_errno(errno, "eventfd", "write failed"));
  return {};
}

}  // namespace vfiokit::vfio
