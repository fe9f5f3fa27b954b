// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/sysfs/write.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>

namespace vfiokit::host {

Result<void> write_attr(const std::filesystem::path& file, std::string_view value) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fail(Error::from_errno(errno, file.string(), "cannot open for writing"));
  ssize_t n;
  do n = ::write(fd, value.data(), value.size());
  while (n < 0 && errno == EINTR);
  const int err = errno;
  ::close(fd);
  if (n < 0) return fail(Error::from_errno(err, file.string(), fmt::format("writing '{}' failed", value)));
  if (size_t(n) != value.size())
    return fail(
        Error(Errc::io, file.string(), fmt::format("short write of '{}' ({} of {} bytes)", value, n, value.size())));
  return {};
}

}  // namespace vfiokit::host
