#include "vfiokit/host/sysfs/file_io.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "vfiokit/host/sysfs/confinement.hpp"

namespace vfiokit::host {

int read_fd(int fd, std::string& out, size_t limit, bool short_read_ends) {
  std::array<char, 4096> page;  // a page holds any sysfs attribute
  while (out.size() < limit) {
    const size_t want = std::min(page.size(), limit - out.size());
    // read(), not pread(): the descriptor may be a pipe such as /dev/stdin.
    const ssize_t n = ::read(fd, page.data(), want);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    out.append(page.data(), static_cast<size_t>(n));
    if (n == 0 || (short_read_ends && static_cast<size_t>(n) < want)) break;
  }
  return 0;
}

Result<std::vector<uint8_t>> read_file_bytes(const std::filesystem::path& path, size_t limit) {
  auto opened = open_for_reading(path, O_RDONLY);
  if (!opened) return std::unexpected(opened.error());
  const int fd = *opened;
  // sysfs attribute files report a size that need not match what a read
  // returns, and the path may be a pipe: read until EOF.
  std::string data;
  const int err = read_fd(fd, data, limit, false);
  ::close(fd);
  if (err) return std::unexpected(Error::from_errno(err, path.string(), "cannot read"));
  return std::vector<uint8_t>(data.begin(), data.end());
}

Result<void> write_file_durably(const std::filesystem::path& path, const std::string& text, mode_t mode) {
  std::error_code ec;
  const auto dir = path.parent_path();
  std::filesystem::create_directories(dir, ec);
  if (ec) return std::unexpected(Error::from_errno(ec.value(), dir.string(), "cannot create the directory"));
  std::string tmp = path.string() + ".tmp.XXXXXX";
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);  // O_CREAT | O_EXCL, mode 0600
  if (fd < 0) return std::unexpected(Error::from_errno(errno, path.string() + ".tmp.*", "cannot create"));
  size_t done = 0;
  int err = mode == 0600 || ::fchmod(fd, mode) == 0 ? 0 : errno;
  while (done < text.size() && !err) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno != EINTR) err = errno;
    if (n > 0) done += size_t(n);
  }
  if (!err && ::fsync(fd) != 0) err = errno;
  ::close(fd);
  if (!err && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err) {
    ::unlink(tmp.c_str());
    return std::unexpected(Error::from_errno(err, path.string(), "cannot write"));
  }
  // The rename itself must reach the disk before whatever it announces.
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace vfiokit::host
