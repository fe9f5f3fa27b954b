// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/sysfs/file_io.hpp"

#include <fcntl.h>
#include <fmt/format.h>
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

Result<std::optional<std::string>> read_regular_file(const std::filesystem::path& path, size_t limit,
                                                     std::string_view what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return std::optional<std::string>();
  if (fd < 0 && errno == ELOOP)
    return std::unexpected(Error(Errc::malformed, path.string(), fmt::format("is a symbolic link, not {}", what)));
  if (fd < 0) return std::unexpected(Error::from_errno(errno, path.string(), "cannot open"));
  struct stat st {};
  std::string text;
  int err = ::fstat(fd, &st) != 0 ? errno : 0;
  if (!err && S_ISREG(st.st_mode)) err = read_fd(fd, text, limit + 1, false);
  ::close(fd);
  if (err) return std::unexpected(Error::from_errno(err, path.string(), "cannot read"));
  if (!S_ISREG(st.st_mode))
    return std::unexpected(Error(Errc::malformed, path.string(), fmt::format("is not a regular file, not {}", what)));
  if (text.size() > limit)
    return std::unexpected(
        Error(Errc::malformed, path.string(), fmt::format("is larger than {} can be ({} bytes)", what, limit)));
  return std::optional<std::string>(std::move(text));
}

Result<void> write_file_durably(const std::filesystem::path& path, const std::string& text, mode_t mode,
                                Parents parents) {
  std::error_code ec;
  const auto dir = path.parent_path();
  if (parents == Parents::create) std::filesystem::create_directories(dir, ec);
  if (ec) return std::unexpected(Error::from_errno(ec.value(), dir.string(), "cannot create the directory"));
  std::string tmp = path.string() + ".tmp.XXXXXX";
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);  // O_CREAT | O_EXCL, mode 0600
  // Named as the caller named it: the temporary name is ours.
  if (fd < 0) return std::unexpected(Error::from_errno(errno, path.string(), "cannot write"));
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
