// SPDX-License-Identifier: Apache-2.0
// Where vfiokit reads the host from: the live /sys, or a directory laid out
// like it (a snapshot, a test fixture). Every read-only command takes
// --sysfs-root and the VFIOKIT_SYSFS_ROOT environment variable.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "vfiokit/base/error.hpp"
#include "vfiokit/pci/bdf.hpp"

namespace vfiokit::host {

inline constexpr const char* kSysfsRootEnv = "VFIOKIT_SYSFS_ROOT";

// What carries out a write to a sysfs attribute. Without one, write(2) to
// the file: the kernel acts on it. A simulated kernel (vfiokit/simulator/kernel)
// applies the kernel's documented semantics to a tree on disk instead, so
// the same orchestration code runs against both.
class AttrWriter {
 public:
  virtual ~AttrWriter() = default;
  virtual Result<void> write(const std::filesystem::path& file, std::string_view value) = 0;
  // Makes a driver available (modprobe on a real host).
  virtual Result<void> load_module(const std::string& name) = 0;
};

class SysfsRoot {
 public:
  explicit SysfsRoot(std::filesystem::path root) : root_(std::move(root)) {}
  // An explicit path wins; then $VFIOKIT_SYSFS_ROOT; then /sys.
  static SysfsRoot choose(const std::string& explicit_root);

  const std::filesystem::path& path() const { return root_; }
  bool is_live() const { return root_ == "/sys"; }
  std::filesystem::path pci_devices() const { return root_ / "bus/pci/devices"; }
  std::filesystem::path device_dir(const pci::Bdf& bdf) const { return pci_devices() / bdf.str(); }

  // Every change vfiokit makes to a host goes through here.
  Result<void> write(const std::filesystem::path& file, std::string_view value) const;
  Result<void> load_module(const std::string& name) const;
  SysfsRoot with_writer(std::shared_ptr<AttrWriter> writer) const {
    SysfsRoot r = *this;
    r.writer_ = std::move(writer);
    return r;
  }
  bool simulated() const { return writer_ != nullptr; }

 private:
  std::filesystem::path root_;
  std::shared_ptr<AttrWriter> writer_;
};

}  // namespace vfiokit::host
