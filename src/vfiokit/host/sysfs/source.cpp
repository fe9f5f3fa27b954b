// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/host/sysfs/source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "vfiokit/base/printable.hpp"
#include "vfiokit/host/archive/archive_reader.hpp"
#include "vfiokit/host/sysfs/dir.hpp"
#include "vfiokit/host/sysfs/file_io.hpp"

namespace vfiokit::host {
namespace {

// A snapshot holds sys/; a sysfs root holds bus/pci directly.
std::filesystem::path root_inside(const std::filesystem::path& dir) {
  struct stat st {};
  if (::fstatat(AT_FDCWD, (dir / "sys/bus").c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
    return dir / "sys";
  return dir;
}

}  // namespace

Result<SysfsSource> SysfsSource::confine(const std::filesystem::path& dir, std::optional<PrivateDir> unpacked) {
  auto confinement = Confinement::open(dir);
  if (!confinement) return std::unexpected(confinement.error());
  ConfinedTree tree(std::move(*confinement));
  SysfsRoot root(root_inside(tree.confinement()->root()));
  return SysfsSource(std::move(root), std::move(unpacked), std::move(tree));
}

Result<SysfsSource> SysfsSource::open(const std::string& spec) {
  const SysfsRoot chosen = SysfsRoot::choose(spec);
  const auto normal = chosen.path().lexically_normal();
  if (normal == "/sys" || normal == "/sys/") return SysfsSource(SysfsRoot("/sys"), std::nullopt, std::nullopt);
  const std::string path = printable(chosen.path().string());
  struct stat st {};
  if (::stat(chosen.path().c_str(), &st) != 0) {
    if (errno == ENOENT) return fail(Errc::not_found, path, "no such sysfs directory or snapshot");
    return std::unexpected(Error::from_errno(errno, path, "cannot open"));
  }
  if (S_ISDIR(st.st_mode)) return confine(chosen.path(), std::nullopt);
  if (!S_ISREG(st.st_mode)) return fail(Errc::invalid_argument, path, "neither a directory nor a snapshot archive");
  auto dir = PrivateDir::create();
  if (!dir) return std::unexpected(dir.error());
  if (auto unpacked = unpack_archive(chosen.path(), *dir); !unpacked) return std::unexpected(unpacked.error());
  const auto where = dir->path();
  return confine(where, std::move(*dir));
}

Result<std::optional<std::string>> SysfsSource::read_modules_alias() const {
  constexpr size_t kLimit = 32 << 20;  // Debian's whole file is about 1.5 MiB
  if (!confined_) {
    utsname u{};
    if (::uname(&u) != 0) return std::optional<std::string>();
    return read_regular_file(std::filesystem::path("/lib/modules") / u.release / "modules.alias", kLimit,
                             "modules.alias");
  }
  auto top = SysfsDir::open(confined_->confinement()->root());
  if (!top) return std::unexpected(top.error());
  return top->read("modules.alias", kLimit);
}

Result<SysfsSource> SysfsSource::open_archive(std::span<const uint8_t> bytes, const std::string& name) {
  auto dir = PrivateDir::create();
  if (!dir) return std::unexpected(dir.error());
  if (auto unpacked = unpack_archive_bytes(bytes, name, *dir); !unpacked) return std::unexpected(unpacked.error());
  const auto where = dir->path();
  return confine(where, std::move(*dir));
}

}  // namespace vfiokit::host
