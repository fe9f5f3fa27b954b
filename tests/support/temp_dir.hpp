// SPDX-License-Identifier: Apache-2.0
// A directory that exists for one test and is removed after it.
#pragma once

#include <filesystem>
#include <string_view>

namespace vfiokit::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(std::string_view name, std::string_view content) const;

 private:
  std::filesystem::path path_;
};

}  // namespace vfiokit::testing
