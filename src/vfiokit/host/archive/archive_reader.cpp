// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/archive/archive_reader.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <memory>
#include <utility>

#include "vfiokit/base/printable.hpp"
#include "vfiokit/base/unique_fd.hpp"
#include "vfiokit/host/archive/tree_builder.hpp"
#include "vfiokit/host/archive/tree_path.hpp"
#include "vfiokit/host/internal/libarchive_api.hpp"

namespace vfiokit::host {
namespace {

struct ArchiveCloser {
  decltype(&::archive_read_free) read_free;
  void operator()(archive* a) const { read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveCloser>;

ArchivePtr new_reader(const LibArchive& la) {
  ArchivePtr a(la.archive_read_new(), ArchiveCloser{la.archive_read_free});
  // Only the formats and filters a snapshot uses, each decoded by the
  // library itself: archive_read_support_filter_all would also accept
  // formats that libarchive hands to an external program.
  la.archive_read_support_format_tar(a.get());
  la.archive_read_support_filter_gzip(a.get());
  la.archive_read_support_filter_xz(a.get());
  la.archive_read_support_filter_zstd(a.get());
  la.archive_read_support_filter_none(a.get());
  return a;
}

const char* type_name(mode_t type) {
  switch (type) {
    case AE_IFCHR: return "a character device";
    case AE_IFBLK: return "a block device";
    case AE_IFIFO: return "a FIFO";
    case AE_IFSOCK: return "a socket";
    default: return "an entry of unknown type";
  }
}

class Unpacker {
 public:
  // With `scan_only`, every entry is checked and nothing is made.
  Unpacker(const LibArchive& la, archive* a, std::string name, const PrivateDir& into, const ArchiveLimits& limits,
           bool scan_only)
      : la_(la),
        a_(a),
        name_(std::move(name)),
        limits_(limits),
        scan_only_(scan_only),
        tree_(into.fd(), name_, 0700, 0600) {}

  Result<UnpackSummary> run() {
    for (;;) {
      archive_entry* entry = nullptr;
      const int r = la_.archive_read_next_header(a_, &entry);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN) return damaged();
      if (++summary_.entries > limits_.entries) return too_large(fmt::format("more than {} entries", limits_.entries));
      if (auto done = unpack(entry); !done) return std::unexpected(done.error());
    }
    return summary_;
  }

 private:
  std::unexpected<Error> damaged() const {
    const char* why = la_.archive_error_string(a_);
    return fail(Errc::malformed, name_,
                fmt::format("not a readable snapshot archive: {}", printable(why ? why : "unknown error")));
  }
  std::unexpected<Error> too_large(const std::string& what) const {
    return fail(Errc::invalid_argument, name_,
                fmt::format("{}: beyond what a snapshot holds; refusing to unpack it", what));
  }
  std::unexpected<Error> refuse(const std::string& path, const std::string& why) const {
    return tree_.refuse(path, why);
  }

  Result<void> unpack(archive_entry* entry) {
    const char* raw = la_.archive_entry_pathname(entry);
    const std::string path = raw ? raw : "";
    if (path.size() > limits_.path_bytes)
      return too_large(fmt::format("a path longer than {} bytes", limits_.path_bytes));
    auto parts = tree_path_components(path, fmt::format("{}: {}", name_, printable(path)));
    if (!parts) return std::unexpected(parts.error());
    if (parts->size() > limits_.depth)
      return too_large(fmt::format("a path deeper than {} directories", limits_.depth));
    if (la_.archive_entry_hardlink(entry)) return refuse(path, "a hard link; a snapshot holds none");
    const mode_t type = la_.archive_entry_filetype(entry);
    if (parts->empty()) {
      // The archive's "./": the root exists already, 0700, whatever mode
      // the archive gives it.
      if (type == AE_IFDIR) return {};
      return refuse(path, "the root of a snapshot must be a directory");
    }
    const std::string leaf = parts->back();
    parts->pop_back();
    if (scan_only_) return check(entry, type, *parts, path);
    auto parent = tree_.open_parent(*parts, path);
    if (!parent) return std::unexpected(parent.error());
    switch (type) {
      case AE_IFDIR: return tree_.make_dir(*parent, leaf, path);
      case AE_IFREG:
        return write_file(*parent, leaf, path,
                          la_.archive_entry_size_is_set(entry) ? la_.archive_entry_size(entry) : -1);
      case AE_IFLNK: {
        const char* target = la_.archive_entry_symlink(entry);
        return tree_.make_link(*parent, leaf, target ? target : "", parts->size(), path);
      }
      default:
        return refuse(path, fmt::format("{}; a snapshot holds files, directories and links only", type_name(type)));
    }
  }

  // The first pass: what the entry would be, checked without making
  // anything, so that an archive beyond the caps or holding what a
  // snapshot cannot is refused before a single file is written.
  Result<void> check(archive_entry* entry, mode_t type, const std::vector<std::string>& dirs, const std::string& path) {
    if (type == AE_IFDIR) return {};
    if (type == AE_IFREG) {
      const int64_t size = la_.archive_entry_size_is_set(entry) ? la_.archive_entry_size(entry) : 0;
      if (size > 0 && static_cast<uint64_t>(size) > limits_.file_bytes)
        return too_large(
            fmt::format("'{}' declares {} bytes, more than {}", printable(path), size, limits_.file_bytes));
      summary_.bytes += static_cast<uint64_t>(std::max<int64_t>(size, 0));
      if (summary_.bytes > limits_.total_bytes)
        return too_large(fmt::format("more than {} bytes unpacked", limits_.total_bytes));
      return {};
    }
    if (type == AE_IFLNK) {
      const char* target = la_.archive_entry_symlink(entry);
      if (!target || !link_stays_inside(target, dirs.size()))
        return refuse(path, fmt::format("a link to '{}' leaves the snapshot", printable(target ? target : "")));
      return {};
    }
    return refuse(path, fmt::format("{}; a snapshot holds files, directories and links only", type_name(type)));
  }

  Result<void> write_file(int parent, const std::string& leaf, const std::string& path, int64_t declared) {
    if (declared > 0 && static_cast<uint64_t>(declared) > limits_.file_bytes)
      return too_large(
          fmt::format("'{}' declares {} bytes, more than {}", printable(path), declared, limits_.file_bytes));
    auto out = tree_.create_file(parent, leaf, path);
    if (!out) return std::unexpected(out.error());
    std::array<char, 16384> buffer;
    uint64_t written = 0;
    for (;;) {
      const la_ssize_t n = la_.archive_read_data(a_, buffer.data(), buffer.size());
      if (n == 0) break;
      if (n < 0) return damaged();
      written += static_cast<uint64_t>(n);
      summary_.bytes += static_cast<uint64_t>(n);
      if (written > limits_.file_bytes)
        return too_large(fmt::format("'{}' is larger than {} bytes", printable(path), limits_.file_bytes));
      if (summary_.bytes > limits_.total_bytes)
        return too_large(fmt::format("more than {} bytes unpacked", limits_.total_bytes));
      if (auto w = tree_.write_all(out->get(), {buffer.data(), static_cast<size_t>(n)}, path); !w) return w;
    }
    return {};
  }

  const LibArchive& la_;
  archive* a_;
  std::string name_;
  const ArchiveLimits& limits_;
  const bool scan_only_;
  UnpackSummary summary_;
  // Directories 0700 and files 0600 whatever the archive says.
  TreeBuilder tree_;
};

}  // namespace

namespace {

// Two passes over the archive: a scan that checks every entry against the
// caps and the rules without writing anything, then the unpacking (which
// checks again: the bytes are what they are, not what a header declared).
template <class Open>
Result<UnpackSummary> scan_then_unpack(const std::string& name, const PrivateDir& into, const ArchiveLimits& limits,
                                       Open open) {
  auto loaded = libarchive();
  if (!loaded) return std::unexpected(loaded.error());
  const LibArchive& la = **loaded;
  for (const bool scan : {true, false}) {
    ArchivePtr a = new_reader(la);
    if (!open(la, a.get())) {
      const char* why = la.archive_error_string(a.get());
      return fail(Errc::malformed, name, fmt::format("not a readable snapshot archive: {}", printable(why ? why : "")));
    }
    auto done = Unpacker(la, a.get(), name, into, limits, scan).run();
    if (!done || !scan) return done;
  }
  return fail(Errc::io, name, "cannot be read");  // not reached
}

}  // namespace

Result<UnpackSummary> unpack_archive(const std::filesystem::path& archive_path, const PrivateDir& into,
                                     const ArchiveLimits& limits) {
  const std::string name = printable(archive_path.string());
  // O_NONBLOCK: a FIFO given as the archive is refused below, not waited on.
  UniqueFd fd(::open(archive_path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (fd.get() < 0) return std::unexpected(Error::from_errno(errno, name, "cannot open the snapshot"));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return std::unexpected(Error::from_errno(errno, name, "cannot open the snapshot"));
  if (!S_ISREG(st.st_mode))
    return fail(Errc::invalid_argument, name, "not a regular file; a snapshot is a .tar.gz file");
  return scan_then_unpack(name, into, limits, [&](const LibArchive& la, archive* a) {
    return ::lseek(fd.get(), 0, SEEK_SET) == 0 && la.archive_read_open_fd(a, fd.get(), 64 * 1024) == ARCHIVE_OK;
  });
}

Result<UnpackSummary> unpack_archive_bytes(std::span<const uint8_t> bytes, const std::string& name,
                                           const PrivateDir& into, const ArchiveLimits& limits) {
  return scan_then_unpack(name, into, limits, [&](const LibArchive& la, archive* a) {
    return la.archive_read_open_memory(a, bytes.data(), bytes.size()) == ARCHIVE_OK;
  });
}

}  // namespace vfiokit::host
