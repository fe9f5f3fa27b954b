#include "vfiokit/host/sysfs/source.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <vector>

#include "vfiokit/host/tools/run_tool.hpp"

namespace vfiokit::host {
namespace {

bool is_tarball(const std::string& spec) {
  return spec.ends_with(".tar.gz") || spec.ends_with(".tgz") || spec.ends_with(".tar");
}

// A snapshot holds sys/; a sysfs root holds bus/pci directly.
std::filesystem::path root_inside(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir / "sys/bus", ec)) return dir / "sys";
  return dir;
}

Result<std::filesystem::path> unpack(const std::string& tarball) {
  std::string templ = (std::filesystem::temp_directory_path() / "vfiokit-snapshot-XXXXXX").string();
  if (!::mkdtemp(templ.data())) return std::unexpected(Error::from_errno(errno, templ, "cannot create a directory"));
  if (!run_tool({"tar", tarball.ends_with(".tar") ? "-xf" : "-xzf", tarball, "-C", templ}, tarball)) {
    std::error_code ec;
    std::filesystem::remove_all(templ, ec);
    return fail(Errc::malformed, tarball, "cannot be unpacked with tar: not a snapshot tarball");
  }
  return std::filesystem::path(templ);
}

}  // namespace

Result<SysfsSource> SysfsSource::open(const std::string& spec) {
  const SysfsRoot chosen = SysfsRoot::choose(spec);
  const std::string path = chosen.path().string();
  std::error_code ec;
  if (!std::filesystem::exists(chosen.path(), ec))
    return fail(Errc::not_found, path, "no such sysfs directory or snapshot");
  if (is_tarball(path)) {
    auto dir = unpack(path);
    if (!dir) return std::unexpected(dir.error());
    return SysfsSource(SysfsRoot(root_inside(*dir)), *dir);
  }
  if (!std::filesystem::is_directory(chosen.path(), ec))
    return fail(Errc::invalid_argument, path, "neither a directory nor a .tar.gz snapshot");
  return SysfsSource(SysfsRoot(root_inside(chosen.path())), std::nullopt);
}

SysfsSource::SysfsSource(SysfsSource&& other) noexcept : root_(other.root_), owned_(std::move(other.owned_)) {
  other.owned_.reset();
}

SysfsSource::~SysfsSource() {
  if (owned_) {
    std::error_code ec;
    std::filesystem::remove_all(*owned_, ec);
  }
}

}  // namespace vfiokit::host
