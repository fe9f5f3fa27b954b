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

Result<void> write_file_durably(const std::filesystem::path& path, const std::string& text) {
  std::error_code ec;
  const auto dir = path.parent_path();
  std::filesystem::create_directories(dir, ec);
  if (ec) return std::unexpected(Error::from_errno(ec.value(), dir.string(), "cannot create the directory"));
  const auto tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(Error::from_errno(errno, tmp, "cannot create"));
  size_t done = 0;
  int err = 0;
  while (done < text.size() && !err) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno != EINTR) err = errno;
    if (n > 0) done += size_t(n);
  }
  if (!err && ::fsync(fd) != 0) err = errno;
  ::close(fd);
  if (err) return std::unexpected(Error::from_errno(err, tmp, "write failed"));
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return std::unexpected(Error::from_errno(errno, path.string(), "rename failed"));
  // The rename itself must reach the disk before whatever it announces.
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace vfiokit::host
