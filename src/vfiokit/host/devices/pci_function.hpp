// SPDX-License-Identifier: Apache-2.0
// One PCI function as the host's sysfs describes it. Every attribute is
// optional: a file that is missing or does not parse is recorded as a
// problem of this function, never an error of the whole read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vfiokit/base/error.hpp"
#include "vfiokit/host/sysfs/root.hpp"
#include "vfiokit/pci/bdf.hpp"
#include "vfiokit/pci/device.hpp"

namespace vfiokit::host {

// The flags of a line of `resource` (include/linux/ioport.h).
inline constexpr uint64_t kResourceIo = 0x100, kResourceMem = 0x200, kResourcePrefetch = 0x2000,
                          kResourceUnset = 0x20000000;

struct Resource {
  uint64_t start = 0;
  uint64_t end = 0;  // inclusive
  uint64_t flags = 0;
  uint64_t size() const { return end >= start && (start || end) ? end - start + 1 : 0; }
};

struct PciFunction {
  pci::Bdf bdf;
  std::optional<pci::Bdf> parent;  // upstream bridge; none for a function on a root bus
  std::optional<uint16_t> vendor_id, device_id, subsystem_vendor_id, subsystem_id;
  std::optional<uint32_t> class_code;
  std::string driver;                          // "" when no driver is bound
  std::optional<std::string> driver_override;  // absent when "(null)"
  std::optional<unsigned> iommu_group;
  std::optional<int> numa_node;
  std::vector<Resource> resources;       // the lines of `resource`
  std::vector<unsigned> resizable_bars;  // N of each resourceN_resize
  std::vector<std::string> reset_methods;
  std::optional<std::string> power_state;
  std::optional<bool> d3cold_allowed;
  std::optional<unsigned> sriov_totalvfs, sriov_numvfs;
  bool virtual_function = false;             // its directory has a `physfn` link
  std::optional<pci::Bdf> physfn;            // that link's target, the VF's PF
  std::optional<std::string> vfio_dev;       // "vfio3" when a vfio cdev exists
  std::optional<pci::DecodedDevice> config;  // decoded sysfs `config`
  bool config_limited = false;               // only 64 bytes were readable
  std::vector<Error> problems;

  bool is_bridge() const;
};

// How much of each function is read.
enum class Detail {
  full,
  // What `list` and `groups` show. A virtual function's config space is
  // read only when it has a resourceN_resize file, the one thing `list`
  // shows from there (and a VF's groups never depend on it, see
  // host/group_prediction.cpp's acs_isolates):
  // a VF is never a bridge (SR-IOV makes VFs endpoints with a type 0
  // header), and its IDs come from uevent. On the live sysfs every dword of config is a
  // config cycle of the device, and a host of thousands of VFs spends more
  // on those than on everything else. A VF's PF comes from the PF's SR-IOV
  // capability where it can (host/virtual_function_parents.hpp).
  summary,
};

// Reads everything vfiokit knows of the function at `dir`
// (ROOT/bus/pci/devices/BDF).
PciFunction read_pci_function(const SysfsRoot& root, const pci::Bdf& bdf, Detail detail = Detail::full);

// All functions under ROOT/bus/pci/devices, sorted by address. Entries whose
// names are not addresses are reported in `problems`.
std::vector<PciFunction> read_pci_functions(const SysfsRoot& root, std::vector<Error>& problems,
                                            Detail detail = Detail::full);

}  // namespace vfiokit::host
