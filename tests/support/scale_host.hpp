// SPDX-License-Identifier: Apache-2.0
// The benchmarks' large host: a synthetic sysfs tree of N functions (16
// SR-IOV physical functions, each with its virtual functions, behind the
// downstream ports of a switch), built once per shape and kept for the
// whole run, written back to disk before anything is timed.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "fakes/fake_sysfs.hpp"

namespace vfiokit::testing {

struct ScaleFunction {
  std::filesystem::path port_dir;  // the directory its own directory sits in
  std::string name;                // its address
  bool vf = false;
};

struct ScaleHost {
  FakeSysfs sysfs;
  std::vector<ScaleFunction> functions;  // PFs and VFs, by address
};

struct ScaleShape {
  unsigned functions = 1024;  // a multiple of 16
  // Each function in an IOMMU group of its own (as behind ACS switch
  // ports with ARI), and the VFs bound to this driver ("" for none).
  bool iommu_groups = false;
  std::string vf_driver;
  auto operator<=>(const ScaleShape&) const = default;
};

constexpr uint16_t kScaleVfDevice = 0x101e;  // the VFs' device ID (vendor 15b3)

const ScaleHost& scale_host(const ScaleShape& shape);

}  // namespace vfiokit::testing
