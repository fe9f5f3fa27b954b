// SPDX-License-Identifier: Apache-2.0
#include "support/lab_fixture.hpp"

#include <stdexcept>

#include "support/run_process.hpp"

namespace vfiokit::testing {

LabFixture::LabFixture(const std::string& name) {
  const auto tarball = std::filesystem::path(VFIOKIT_SOURCE_DIR) / "data/fixtures" / ("lab-" + name + ".tar.gz");
  auto r = run_process({"tar", "-xzf", tarball.string(), "-C", dir_.path().string()});
  if (r.exit_code != 0) throw std::runtime_error("unpacking " + tarball.string() + ": " + r.err);
}

}  // namespace vfiokit::testing
