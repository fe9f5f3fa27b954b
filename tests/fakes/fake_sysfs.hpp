// SPDX-License-Identifier: Apache-2.0
// A small sysfs tree on disk for host-layer tests: functions nested under
// their bridges as the kernel lays them out, with bus/pci/devices links and
// optional IOMMU groups.
#pragma once

#include <optional>
#include <string>

#include "support/config_builder.hpp"
#include "support/temp_dir.hpp"
#include "vfiokit/pci/bdf.hpp"

namespace vfiokit::testing {

class FakeSysfs {
 public:
  // Adds a function below `parent` (or on root bus 0000:00) with the given
  // config space; vendor, device and class files follow from it.
  FakeSysfs& add(const pci::Bdf& bdf, const ConfigBuilder& config, std::optional<pci::Bdf> parent = std::nullopt,
                 const std::string& driver = "");
  // Adds a function on a root bus whose host bridge directory is
  // `host_dir` below the root ("devices/platform/soc/pci0001:00", or one
  // nested in a function's directory as a VMD domain is).
  FakeSysfs& add_on_host_bridge(const pci::Bdf& bdf, const ConfigBuilder& config, const std::string& host_dir);
  // A link named `name` in `from`'s directory to `to`'s (physfn, virtfnN).
  FakeSysfs& link(const pci::Bdf& from, const std::string& name, const pci::Bdf& to);
  // Puts the function in IOMMU group `group` as the kernel shows it: its
  // iommu_group link, and the group's devices/BDF link back.
  FakeSysfs& iommu_group(const pci::Bdf& bdf, unsigned group);
  std::filesystem::path root() const { return dir_.path() / "sys"; }
  std::filesystem::path device_dir(const pci::Bdf& bdf) const;

 private:
  FakeSysfs& add_in(const std::filesystem::path& base, const pci::Bdf& bdf, const ConfigBuilder& config,
                    const std::string& driver);
  TempDir dir_;
};

}  // namespace vfiokit::testing
