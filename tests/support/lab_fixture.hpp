// SPDX-License-Identifier: Apache-2.0
// A host the lab captured (data/fixtures/lab-NAME.tar.gz: the guest's sysfs
// as `vfiokit snapshot` keeps it), unpacked for one test into a directory
// of its own, so the test may change it (a simulated kernel acts on it).
#pragma once

#include <filesystem>
#include <string>

#include "support/temp_dir.hpp"

namespace vfiokit::testing {

class LabFixture {
 public:
  explicit LabFixture(const std::string& name);  // "profile-debian-6.12"
  const std::filesystem::path& path() const { return dir_.path(); }
  std::string sys() const { return (dir_.path() / "sys").string(); }

 private:
  TempDir dir_;
};

}  // namespace vfiokit::testing
