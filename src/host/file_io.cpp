#include "host/file_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace vfiokit::host {

Result<std::vector<uint8_t>> read_file_bytes(const std::filesystem::path& path, size_t limit) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(Error::from_errno(errno, path.string(), "cannot open"));
  // A page holds any sysfs attribute; the buffer grows for larger files.
  std::vector<uint8_t> data(std::min<size_t>(limit, 4096));
  size_t got = 0;
  while (got < limit) {
    if (got == data.size()) data.resize(std::min(limit, data.size() * 2));
    // read(), not pread(): the path may be a pipe such as /dev/stdin.
    const ssize_t n = ::read(fd, data.data() + got, data.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return std::unexpected(Error::from_errno(err, path.string(), "cannot read"));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  data.resize(got);
  return data;
}

}  // namespace vfiokit::host
