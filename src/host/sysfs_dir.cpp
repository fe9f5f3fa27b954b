#include "host/sysfs_dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include "host/file_io.hpp"

namespace vfiokit::host {
namespace {

// Room for a few hundred entries per call: a function's directory (about
// 40 entries) is read in one getdents64 and a second that returns 0.
constexpr size_t kDentsBuffer = 32 * 1024;

std::string name_of(std::string_view name) { return std::string(name); }

}  // namespace

Result<SysfsDir> SysfsDir::open(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(Error::from_errno(errno, path.string(), "cannot open the directory"));
  return SysfsDir(fd, path);
}

Result<SysfsDir> SysfsDir::open_child(std::string_view name) const {
  const std::string n = name_of(name);
  const int fd = ::openat(fd_, n.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(Error::from_errno(errno, (path_ / n).string(), "cannot open the directory"));
  return SysfsDir(fd, path_ / n);
}

SysfsDir::SysfsDir(SysfsDir&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)), listed_(other.listed_) {}

SysfsDir& SysfsDir::operator=(SysfsDir&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    listed_ = other.listed_;
  }
  return *this;
}

SysfsDir::~SysfsDir() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::vector<DirEntry>> SysfsDir::list() const {
  // Listing moves the descriptor's position: a second listing rewinds.
  if (listed_ && ::lseek(fd_, 0, SEEK_SET) < 0)
    return std::unexpected(Error::from_errno(errno, path_.string(), "cannot list the directory"));
  listed_ = true;
  const int fd = fd_;
  std::vector<DirEntry> out;
  alignas(dirent64) static thread_local std::array<char, kDentsBuffer> buffer;
  for (;;) {
    const ssize_t n = ::getdents64(fd, buffer.data(), buffer.size());
    if (n < 0) return std::unexpected(Error::from_errno(errno, path_.string(), "cannot list the directory"));
    if (n == 0) break;
    for (ssize_t at = 0; at < n;) {
      const auto* d = reinterpret_cast<const dirent64*>(buffer.data() + at);
      at += d->d_reclen;
      const std::string_view name(d->d_name);
      if (name == "." || name == "..") continue;
      DirEntry e{std::string(name), d->d_type == DT_DIR, d->d_type == DT_LNK};
      if (d->d_type == DT_UNKNOWN) {
        // Some file systems leave the type to a stat (a snapshot unpacked on
        // one of them, say); sysfs and tmpfs fill it in.
        struct stat st {};
        if (::fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
          e.is_dir = S_ISDIR(st.st_mode);
          e.is_link = S_ISLNK(st.st_mode);
        }
      }
      out.push_back(std::move(e));
    }
  }
  std::sort(out.begin(), out.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return out;
}

Result<std::optional<std::string>> SysfsDir::read(std::string_view name, size_t limit, size_t* file_size) const {
  const std::string n = name_of(name);
  const int fd = ::openat(fd_, n.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return std::unexpected(Error::from_errno(errno, (path_ / n).string(), "cannot open"));
  }
  std::string data;
  if (const int err = read_fd(fd, data, limit, true)) {
    ::close(fd);
    return std::unexpected(Error::from_errno(err, (path_ / n).string(), "cannot read"));
  }
  if (file_size) {
    // A read that filled `limit` says all the caller needs; only a shorter
    // one asks fstat how large the file claims to be.
    struct stat st {};
    *file_size = data.size() == limit ? limit : ::fstat(fd, &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
  }
  ::close(fd);
  return std::optional<std::string>(std::move(data));
}

std::optional<std::string> SysfsDir::link_target(std::string_view name) const {
  const std::string n = name_of(name);
  std::array<char, 4096> buf{};
  const ssize_t r = ::readlinkat(fd_, n.c_str(), buf.data(), buf.size());
  if (r < 0 || static_cast<size_t>(r) == buf.size()) return std::nullopt;
  return std::string(buf.data(), static_cast<size_t>(r));
}

bool has_entry(const std::vector<DirEntry>& entries, std::string_view name) {
  auto it = std::lower_bound(entries.begin(), entries.end(), name,
                             [](const DirEntry& e, std::string_view n) { return e.name < n; });
  return it != entries.end() && it->name == name;
}

}  // namespace vfiokit::host
