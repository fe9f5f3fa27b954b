// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/archive/archive_writer.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <ctime>

#include "vfiokit/base/printable.hpp"
#include "vfiokit/host/internal/libarchive_api.hpp"

namespace vfiokit::host {

struct ArchiveWriter::State {
  const LibArchive* la = nullptr;
  std::filesystem::path out;
  std::string tmp;
  int fd = -1;
  archive* a = nullptr;
  time_t now = ::time(nullptr);
  bool finished = false;

  ~State() {
    if (a) la->archive_write_free(a);
    if (fd >= 0) ::close(fd);
    if (!finished && !tmp.empty()) ::unlink(tmp.c_str());
  }
  Error error(const std::string& what) const {
    const char* why = a ? la->archive_error_string(a) : nullptr;
    return Error(Errc::io, printable(out.string()), what + (why ? std::string(": ") + printable(why) : ""));
  }
};

ArchiveWriter::ArchiveWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}
ArchiveWriter::ArchiveWriter(ArchiveWriter&&) noexcept = default;
ArchiveWriter::~ArchiveWriter() = default;

Result<ArchiveWriter> ArchiveWriter::create(const std::filesystem::path& out) {
  auto loaded = libarchive();
  if (!loaded) return std::unexpected(loaded.error());
  auto s = std::make_unique<State>();
  s->la = *loaded;
  s->out = out;
  s->tmp = out.string() + ".XXXXXX";
  // mkostemp: O_CREAT | O_EXCL, 0600, a fresh name; nothing planted beside
  // the destination is followed or truncated.
  s->fd = ::mkostemp(s->tmp.data(), O_CLOEXEC);
  if (s->fd < 0) {
    const int err = errno;
    s->tmp.clear();
    return std::unexpected(Error::from_errno(err, printable(out.string()), "cannot create the snapshot"));
  }
  // It stays 0600: run as root, it holds whole config spaces, which sysfs
  // shows to root only; its owner decides whom to give it to.
  s->a = s->la->archive_write_new();
  if (s->la->archive_write_set_format_pax_restricted(s->a) != ARCHIVE_OK ||
      s->la->archive_write_add_filter_gzip(s->a) != ARCHIVE_OK ||
      s->la->archive_write_open_fd(s->a, s->fd) != ARCHIVE_OK)
    return std::unexpected(s->error("cannot start the archive"));
  return ArchiveWriter(std::move(s));
}

Result<void> ArchiveWriter::add(const std::string& path, unsigned type, unsigned mode, std::string_view bytes,
                                const std::string* target) {
  const LibArchive* la = state_->la;
  archive_entry* e = la->archive_entry_new();
  la->archive_entry_set_pathname(e, path.c_str());
  la->archive_entry_set_filetype(e, type);
  la->archive_entry_set_perm(e, mode);
  la->archive_entry_set_uid(e, 0);
  la->archive_entry_set_gid(e, 0);
  la->archive_entry_set_mtime(e, state_->now, 0);
  la->archive_entry_set_size(e, static_cast<la_int64_t>(bytes.size()));
  if (target) la->archive_entry_set_symlink(e, target->c_str());
  bool ok = la->archive_write_header(state_->a, e) == ARCHIVE_OK;
  if (ok && !bytes.empty())
    ok = la->archive_write_data(state_->a, bytes.data(), bytes.size()) == static_cast<la_ssize_t>(bytes.size());
  la->archive_entry_free(e);
  if (!ok) return std::unexpected(state_->error("cannot add " + printable(path)));
  return {};
}

Result<void> ArchiveWriter::add_dir(const std::string& path) { return add(path, AE_IFDIR, 0755, {}, nullptr); }
Result<void> ArchiveWriter::add_file(const std::string& path, std::string_view bytes) {
  return add(path, AE_IFREG, 0644, bytes, nullptr);
}
Result<void> ArchiveWriter::add_link(const std::string& path, const std::string& target) {
  return add(path, AE_IFLNK, 0777, {}, &target);
}

Result<void> ArchiveWriter::finish() {
  if (state_->la->archive_write_close(state_->a) != ARCHIVE_OK)
    return std::unexpected(state_->error("cannot complete the archive"));
  if (::fsync(state_->fd) != 0)
    return std::unexpected(Error::from_errno(errno, printable(state_->out.string()), "cannot write"));
  // rename replaces a link at the destination, never its target.
  if (::rename(state_->tmp.c_str(), state_->out.c_str()) != 0)
    return std::unexpected(Error::from_errno(errno, printable(state_->out.string()), "cannot write"));
  state_->finished = true;
  return {};
}

}  // namespace vfiokit::host
