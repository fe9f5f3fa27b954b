// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/migration/migration_stream.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace vfiokit::vfio {

namespace {
constexpr char kMagic[8] = {'V', 'F', 'I', 'O', 'K', 'I', 'T', 'M'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kFlagPrecopy = 1;

struct FileHeader {
  char magic[8];
  uint32_t version;
  uint32_t flags;
  uint64_t length;
};
static_assert(sizeof(FileHeader) == 24);

Result<void> write_all(int fd, const uint8_t* data, size_t size, const std::string& what) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(Error::from_errno(n < 0 ? errno : EIO, what, "write failed"));
    data += n;
    size -= size_t(n);
  }
  return {};
}

// Reads exactly `size` bytes, or says how many there were.
Result<size_t> read_full(int fd, uint8_t* data, size_t size, const std::string& what) {
  size_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(fd, data + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(Error::from_errno(errno, what, "read failed"));
    if (n == 0) break;
    got += size_t(n);
  }
  return got;
}
}  // namespace

Result<uint64_t> drain_stream(int data_fd, int out_fd, bool precopy, const std::string& subject) {
  std::array<uint8_t, 64 * 1024> buf;
  uint64_t total = 0;
  for (;;) {
    const ssize_t n = ::read(data_fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    // A PRE_COPY stream says "nothing more for now" with ENOMSG.
    if (n < 0 && precopy && errno == ENOMSG) return total;
    if (n < 0) return fail(Error::from_errno(errno, subject, "reading the migration data fd failed"));
    if (n == 0) return total;
    if (auto ok = write_all(out_fd, buf.data(), size_t(n), subject + " migration file"); !ok) return fail(ok.error());
    total += uint64_t(n);
  }
}

Result<uint64_t> feed_stream(int in_fd, uint64_t length, int data_fd, const std::string& subject) {
  std::array<uint8_t, 64 * 1024> buf;
  uint64_t left = length;
  while (left > 0) {
    auto got = read_full(in_fd, buf.data(), size_t(std::min<uint64_t>(left, buf.size())), subject + " migration file");
    if (!got) return fail(got.error());
    if (*got == 0) return fail(Errc::malformed, subject, fmt::format("the migration file ended {} bytes early", left));
    if (auto ok = write_all(data_fd, buf.data(), *got, subject + " migration data fd"); !ok) return fail(ok.error());
    left -= *got;
  }
  return length;
}

Result<SaveReport> save_device_state(Migration& migration, int out_fd, bool use_precopy, const std::string& subject) {
  struct stat st {};
  if (fstat(out_fd, &st) != 0 || !S_ISREG(st.st_mode))
    return fail(Errc::invalid_argument, subject, "a device state is saved into a regular file");
  FileHeader header{};
  std::memcpy(header.magic, kMagic, sizeof(kMagic));
  header.version = kVersion;
  if (auto ok = write_all(out_fd, reinterpret_cast<const uint8_t*>(&header), sizeof(header), subject); !ok)
    return fail(ok.error());

  SaveReport report;
  if (auto size = migration.stop_copy_size()) report.estimated_bytes = *size;
  auto abort = [&](Error e) -> Result<SaveReport> {
    if (auto now = migration.state(); now && *now != MigState::running) (void)migration.transition(MigState::running);
    return fail(std::move(e));
  };
  UniqueFd data;
  if (use_precopy && migration.caps().supports(MigState::pre_copy)) {
    auto fd = migration.transition(MigState::pre_copy);
    if (!fd) return fail(fd.error());
    data = std::move(*fd);
    auto info = precopy_info(data.get(), subject);
    if (!info) return abort(info.error());
    report.precopy = *info;
    auto n = drain_stream(data.get(), out_fd, true, subject);
    if (!n) return abort(n.error());
    report.precopy_bytes = *n;
    header.flags |= kFlagPrecopy;
  }
  auto fd = migration.transition(MigState::stop_copy);
  if (!fd) return fail(fd.error());
  if (fd->valid()) data = std::move(*fd);
  if (!data.valid()) return abort(Error(Errc::malformed, subject, "STOP_COPY handed out no migration data fd"));
  auto n = drain_stream(data.get(), out_fd, false, subject);
  if (!n) return abort(n.error());
  report.stop_copy_bytes = *n;
  data.reset();
  if (auto stop = migration.transition(MigState::stop); !stop) return fail(stop.error());

  header.length = report.total();
  if (::pwrite(out_fd, &header, sizeof(header), 0) != ssize_t(sizeof(header)))
    return fail(Error::from_errno(errno, subject, "writing the migration file header failed"));
  return report;
}

Result<uint64_t> load_device_state(Migration& migration, int in_fd, const std::string& subject) {
  FileHeader header{};
  auto got = read_full(in_fd, reinterpret_cast<uint8_t*>(&header), sizeof(header), subject + " migration file");
  if (!got) return fail(got.error());
  if (*got < sizeof(header) || std::memcmp(header.magic, kMagic, sizeof(kMagic)) != 0)
    return fail(Errc::malformed, subject, "the file is not a saved device state (no VFIOKITM header)");
  if (header.version != kVersion)
    return fail(Errc::malformed, subject,
                fmt::format("the saved state has version {}; this vfiokit reads version {}", header.version, kVersion));
  struct stat st {};
  if (fstat(in_fd, &st) == 0 && S_ISREG(st.st_mode) && uint64_t(st.st_size) - sizeof(header) < header.length)
    return fail(Errc::malformed, subject,
                fmt::format("the saved state is cut short: its header says {} bytes of stream, the file holds {}",
                            header.length, uint64_t(st.st_size) - sizeof(header)));

  auto fd = migration.transition(MigState::resuming);
  if (!fd) return fail(fd.error());
  if (!fd->valid()) {
    (void)migration.transition(MigState::running);
    return fail(Errc::malformed, subject, "RESUMING handed out no migration data fd");
  }
  auto fed = feed_stream(in_fd, header.length, fd->get(), subject);
  fd->reset();
  if (!fed) {
    (void)migration.transition(MigState::running);
    return fail(fed.error());
  }
  // RESUMING -> STOP is where the device checks and takes the state.
  if (auto ok = migration.transition(MigState::running); !ok) return fail(ok.error());
  return *fed;
}

}  // namespace vfiokit::vfio
