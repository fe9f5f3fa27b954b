// SPDX-License-Identifier: Apache-2.0
// A PCI function's attributes, read from its open sysfs directory.
//
// One listing of the directory tells which attributes exist, so nothing is
// opened in vain: a missing file is an absent value, never an error, and on
// a host of thousands of virtual functions each absent attribute would
// otherwise cost a failed open.
#pragma once
#include <bitset>
#include <string_view>
#include <vector>

#include "vfiokit/host/devices/pci_function.hpp"
#include "vfiokit/host/sysfs/dir.hpp"

namespace vfiokit::host {

// Which of the attributes vfiokit reads a listing holds.
class FunctionAttributes {
 public:
  enum Name : unsigned {
    config,
    uevent,
    vendor,
    device,
    subsystem_vendor,
    subsystem_device,
    class_code,
    numa_node,
    sriov_totalvfs,
    sriov_numvfs,
    d3cold_allowed,
    power_state,
    driver,
    driver_override,
    iommu_group,
    physfn,
    vfio_dev,
    reset_method,
    resource,
    count
  };
  // The number of BARs a resourceN_resize file can name (N = 0..5).
  static constexpr unsigned kBars = 6;

  // One pass over the entries; names vfiokit does not read are skipped.
  static FunctionAttributes of(const std::vector<DirEntry>& entries);
  // One entry more, as a listing is read.
  void add(std::string_view name);

  bool has(Name n) const { return present_[n]; }
  bool has_resize(unsigned bar) const { return resize_[bar]; }
  bool has_any_resize() const { return resize_.any(); }
  // The file name of `n` in sysfs.
  static std::string_view file(Name n);

 private:
  std::bitset<count> present_;
  std::bitset<kBars> resize_;
};

// Everything but the BDF and the parent (as much as `detail` asks), into
// `f`; what cannot be read or parsed goes to f.problems.
void read_function_attributes(const SysfsDir& dir, const FunctionAttributes& present, Detail detail, PciFunction& f);

}  // namespace vfiokit::host
