// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/sysfs/dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <utility>

#include "vfiokit/host/sysfs/file_io.hpp"

namespace vfiokit::host {
namespace {

// Room for a few hundred entries per call: a function's directory (about
// 40 entries) is read in one getdents64 and a second that returns 0.
constexpr size_t kDentsBuffer = 32 * 1024;

// The thread's buffer for getdents64, made at its first listing. A
// thread_local array would sit in the static TLS block, which the loader
// zeroes at every start of every thread, listing or not: eight page faults
// of each `vfiokit --version`, 0.2 ms on the lab's VM. Left unzeroed:
// getdents64 fills what it returns. operator new's alignment (16) is
// dirent64's and more.
char* dents_buffer() {
  static thread_local std::unique_ptr<char[]> buffer;
  if (!buffer) buffer = std::make_unique_for_overwrite<char[]>(kDentsBuffer);
  return buffer.get();
}

// A name as the system calls take it, NUL-terminated, without an
// allocation for any name a directory can hold (NAME_MAX); a longer one is
// passed whole, for the kernel to refuse (ENAMETOOLONG), never cut short
// into another name.
class CName {
 public:
  explicit CName(std::string_view name) {
    if (name.size() < buf_.size()) {
      std::memcpy(buf_.data(), name.data(), name.size());
      buf_[name.size()] = '\0';
    } else {
      long_ = std::string(name);
    }
  }
  const char* c_str() const { return long_.empty() ? buf_.data() : long_.c_str(); }

 private:
  std::array<char, NAME_MAX + 1> buf_;
  std::string long_;
};

std::string joined(const std::string& dir, std::string_view name) {
  std::string out;
  out.reserve(dir.size() + 1 + name.size());
  out += dir;
  if (!out.empty() && out.back() != '/') out += '/';
  out += name;
  return out;
}

}  // namespace

Result<SysfsDir> SysfsDir::open(const std::filesystem::path& path) {
  std::string normal;
  if (auto confined = confinement_of(path, &normal)) {
    auto fd = confined->open_beneath(*confined->relative(normal), O_RDONLY | O_DIRECTORY, path.string());
    if (!fd) return std::unexpected(fd.error());
    return SysfsDir(*fd, std::move(normal), false, std::move(confined));
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(Error::from_errno(errno, path.string(), "cannot open the directory"));
  struct statfs fs {};
  const bool on_sysfs = ::fstatfs(fd, &fs) == 0 && fs.f_type == SYSFS_MAGIC;
  return SysfsDir(fd, path.string(), on_sysfs, nullptr);
}

Result<SysfsDir> SysfsDir::open_child(std::string_view name) const {
  if (confined_) {
    // From the root, so that a link on the way is resolved beneath it.
    const std::string child = *this / name;
    auto fd = confined_->open_child_dir(fd_, CName(name).c_str(), *confined_->relative(child), child);
    if (!fd) return std::unexpected(fd.error());
    return SysfsDir(*fd, child, false, confined_);
  }
  const int fd = ::openat(fd_, CName(name).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(Error::from_errno(errno, *this / name, "cannot open the directory"));
  return SysfsDir(fd, *this / name, on_sysfs_, nullptr);
}

std::optional<Error> SysfsDir::not_a_file(int fd, std::string_view name) const {
  if (!confined_) return std::nullopt;
  return Confinement::check_regular(fd, *this / name);
}

Result<int> SysfsDir::open_entry(std::string_view name) const {
  if (confined_) {
    if (name.find('/') != std::string_view::npos) {
      const std::string file = *this / name;
      return confined_->open_beneath(*confined_->relative(file), O_RDONLY, file);
    }
    return Confinement::open_file_in(fd_, CName(name).c_str(), [&] { return *this / name; });
  }
  const int fd = ::openat(fd_, CName(name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(Error::from_errno(errno, *this / name, "cannot open"));
  return fd;
}

std::string SysfsDir::operator/(std::string_view name) const { return joined(path_, name); }

SysfsDir::SysfsDir(SysfsDir&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      on_sysfs_(other.on_sysfs_),
      listed_(other.listed_),
      confined_(std::move(other.confined_)) {}

SysfsDir& SysfsDir::operator=(SysfsDir&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    on_sysfs_ = other.on_sysfs_;
    listed_ = other.listed_;
    confined_ = std::move(other.confined_);
  }
  return *this;
}

SysfsDir::~SysfsDir() {
  if (fd_ >= 0) ::close(fd_);
}

Result<void> SysfsDir::each_entry(const std::function<void(const EntryView&)>& f) const {
  // Listing moves the descriptor's position: a second listing rewinds.
  if (listed_ && ::lseek(fd_, 0, SEEK_SET) < 0)
    return std::unexpected(Error::from_errno(errno, path_, "cannot list the directory"));
  listed_ = true;
  const int fd = fd_;
  char* const buffer = dents_buffer();
  for (;;) {
    const ssize_t n = ::getdents64(fd, buffer, kDentsBuffer);
    if (n < 0) return std::unexpected(Error::from_errno(errno, path_, "cannot list the directory"));
    if (n == 0) break;
    for (ssize_t at = 0; at < n;) {
      const auto* d = reinterpret_cast<const dirent64*>(buffer + at);
      at += d->d_reclen;
      const std::string_view name(d->d_name);
      if (name == "." || name == "..") continue;
      EntryView e{name, d->d_type == DT_DIR, d->d_type == DT_LNK};
      if (d->d_type == DT_UNKNOWN) {
        // Some file systems leave the type to a stat (a snapshot unpacked on
        // one of them, say); sysfs and tmpfs fill it in.
        struct stat st {};
        if (::fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
          e.is_dir = S_ISDIR(st.st_mode);
          e.is_link = S_ISLNK(st.st_mode);
        }
      }
      f(e);
    }
  }
  return {};
}

Result<std::vector<DirEntry>> SysfsDir::list() const {
  std::vector<DirEntry> out;
  out.reserve(64);  // a function's directory, most often
  auto listed = each_entry([&](const EntryView& e) { out.push_back({std::string(e.name), e.is_dir, e.is_link}); });
  if (!listed) return std::unexpected(listed.error());
  std::sort(out.begin(), out.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return out;
}

Result<std::optional<size_t>> SysfsDir::read_into(std::string_view name, std::span<char> buffer,
                                                  size_t* file_size) const {
  auto opened = open_entry(name);
  if (!opened) {
    if (opened.error().sys_errno() == ENOENT) return std::optional<size_t>();
    return std::unexpected(opened.error());
  }
  const int fd = *opened;
  // Until the buffer is full or a read comes back short: a regular file and
  // a sysfs attribute (kernfs hands out the whole value at once) give all
  // they have, which saves a second read of every small file.
  size_t done = 0;
  while (done < buffer.size()) {
    const ssize_t n = ::read(fd, buffer.data() + done, buffer.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      auto not_file = not_a_file(fd, name);
      ::close(fd);
      return std::unexpected(not_file ? *not_file : Error::from_errno(err, *this / name, "cannot read"));
    }
    const bool short_read = static_cast<size_t>(n) < buffer.size() - done;
    done += static_cast<size_t>(n);
    if (n == 0 || short_read) break;
  }
  if (done == 0)
    if (auto not_file = not_a_file(fd, name)) {
      ::close(fd);
      return std::unexpected(*not_file);
    }
  if (file_size) {
    // A read that filled the buffer says all the caller needs; only a
    // shorter one asks fstat how large the file claims to be.
    struct stat st {};
    *file_size = done == buffer.size() ? done : ::fstat(fd, &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
  }
  ::close(fd);
  return std::optional<size_t>(done);
}

Result<std::optional<std::string>> SysfsDir::read(std::string_view name, size_t limit, size_t* file_size) const {
  auto opened = open_entry(name);
  if (!opened) {
    if (opened.error().sys_errno() == ENOENT) return std::optional<std::string>();
    return std::unexpected(opened.error());
  }
  const int fd = *opened;
  std::string data;
  const int err = read_fd(fd, data, limit, true);
  if (err || data.empty())
    if (auto not_file = not_a_file(fd, name)) {
      ::close(fd);
      return std::unexpected(*not_file);
    }
  if (err) {
    ::close(fd);
    return std::unexpected(Error::from_errno(err, *this / name, "cannot read"));
  }
  if (file_size) {
    // As read_into: only a short read asks fstat.
    struct stat st {};
    *file_size = data.size() == limit ? limit : ::fstat(fd, &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
  }
  ::close(fd);
  return std::optional<std::string>(std::move(data));
}

Result<std::optional<SysfsFile>> SysfsDir::open_file(std::string_view name) const {
  auto opened = open_entry(name);
  if (!opened) {
    if (opened.error().sys_errno() == ENOENT) return std::optional<SysfsFile>();
    return std::unexpected(opened.error());
  }
  const int fd = *opened;
  // Reads at offsets: its type is asked at once (one fstat serves both).
  struct stat st {};
  const size_t size = ::fstat(fd, &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
  if (confined_ && !S_ISREG(st.st_mode))
    if (auto not_file = not_a_file(fd, name)) {
      ::close(fd);
      return std::unexpected(*not_file);
    }
  return std::optional<SysfsFile>(SysfsFile(fd, size, *this / name));
}

SysfsFile::SysfsFile(SysfsFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(other.size_), path_(std::move(other.path_)) {}

SysfsFile::~SysfsFile() {
  if (fd_ >= 0) ::close(fd_);
}

Result<size_t> SysfsFile::read_at(size_t offset, std::span<uint8_t> buffer) const {
  size_t done = 0;
  while (done < buffer.size()) {
    const ssize_t n = ::pread(fd_, buffer.data() + done, buffer.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(Error::from_errno(errno, path_, "cannot read"));
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

bool SysfsDir::has_dir(std::string_view name) const {
  if (confined_) {
    const std::string child = *this / name;
    auto fd = confined_->open_beneath(*confined_->relative(child), O_PATH | O_DIRECTORY, child);
    if (fd) ::close(*fd);
    return fd.has_value();
  }
  struct stat st {};
  return ::fstatat(fd_, CName(name).c_str(), &st, 0) == 0 && S_ISDIR(st.st_mode);
}

std::optional<std::string> SysfsDir::link_target(std::string_view name) const {
  std::array<char, 4096> buf;
  const ssize_t r = ::readlinkat(fd_, CName(name).c_str(), buf.data(), buf.size());
  if (r < 0 || static_cast<size_t>(r) == buf.size()) return std::nullopt;
  return std::string(buf.data(), static_cast<size_t>(r));
}

bool has_entry(const std::vector<DirEntry>& entries, std::string_view name) {
  auto it = std::lower_bound(entries.begin(), entries.end(), name,
                             [](const DirEntry& e, std::string_view n) { return e.name < n; });
  return it != entries.end() && it->name == name;
}

}  // namespace vfiokit::host
