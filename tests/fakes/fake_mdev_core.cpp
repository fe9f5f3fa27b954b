// SPDX-License-Identifier: Apache-2.0
#include "fakes/fake_mdev_core.hpp"

#include <cerrno>
#include <fstream>

#include "vfiokit/base/uuid.hpp"

namespace vfiokit::testing {

namespace fs = std::filesystem;

void put(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

Result<void> FakeMdevCore::write(const fs::path& file, std::string_view value) {
  writes.push_back(file.filename().string() + "=" + std::string(value));
  if (file.filename() == "create") {
    auto uuid = Uuid::parse(value);
    if (!uuid) return fail(Error::from_errno(EINVAL, file.string(), "write failed"));
    const auto dev = root_ / "bus/mdev/devices" / uuid->str();
    if (fs::exists(dev)) return fail(Error::from_errno(EEXIST, file.string(), "write failed"));
    if (make_wrong_type) {
      fs::create_directories(dev);
      fs::create_directory_symlink(file.parent_path().parent_path() / "mtty-1", dev / "mdev_type");
      return {};
    }
    fs::create_directories(dev);
    fs::create_directory_symlink(file.parent_path(), dev / "mdev_type");
    put(dev / "remove", "");
    return {};
  }
  if (file.filename() == "remove") {
    fs::remove_all(file.parent_path());
    return {};
  }
  return fail(Error::from_errno(EACCES, file.string(), "write failed"));
}

}  // namespace vfiokit::testing
