// SPDX-License-Identifier: Apache-2.0
// A small model of the mdev core's side of `create` and `remove`
// (drivers/vfio/mdev/mdev_sysfs.c) behind a sysfs tree on disk: a write of a
// UUID to a type's `create` makes bus/mdev/devices/UUID with its mdev_type
// link; a write to its `remove` takes it away.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "vfiokit/host/sysfs/root.hpp"

namespace vfiokit::testing {

// Writes `text` to `file`, creating the directories above it.
void put(const std::filesystem::path& file, const std::string& text);

class FakeMdevCore final : public host::AttrWriter {
 public:
  explicit FakeMdevCore(std::filesystem::path root) : root_(std::move(root)) {}
  Result<void> write(const std::filesystem::path& file, std::string_view value) override;
  Result<void> load_module(const std::string&) override { return {}; }
  std::vector<std::string> writes;
  bool make_wrong_type = false;  // `create` makes an mdev of type mtty-1 instead

 private:
  std::filesystem::path root_;
};

}  // namespace vfiokit::testing
