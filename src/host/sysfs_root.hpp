// Where vfiokit reads the host from: the live /sys, or a directory laid out
// like it (a snapshot, a test fixture). Every read-only command takes
// --sysfs-root and the VFIOKIT_SYSFS_ROOT environment variable.
#pragma once

#include <filesystem>
#include <string>

#include "pci/bdf.hpp"

namespace vfiokit::host {

inline constexpr const char* kSysfsRootEnv = "VFIOKIT_SYSFS_ROOT";

class SysfsRoot {
 public:
  explicit SysfsRoot(std::filesystem::path root) : root_(std::move(root)) {}
  // An explicit path wins; then $VFIOKIT_SYSFS_ROOT; then /sys.
  static SysfsRoot choose(const std::string& explicit_root);

  const std::filesystem::path& path() const { return root_; }
  bool is_live() const { return root_ == "/sys"; }
  std::filesystem::path pci_devices() const { return root_ / "bus/pci/devices"; }
  std::filesystem::path device_dir(const pci::Bdf& bdf) const { return pci_devices() / bdf.str(); }

 private:
  std::filesystem::path root_;
};

}  // namespace vfiokit::host
