// SPDX-License-Identifier: Apache-2.0
// Which kernel modules could drive a PCI function, as `lspci -k` says
// ("Kernel modules:"): the function's modalias matched against the
// `alias pci:...` lines of modules.alias, which depmod writes from every
// module's MODULE_DEVICE_TABLE(pci, ...).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "vfiokit/base/error.hpp"

namespace vfiokit::host {

// The modalias the kernel gives a PCI function (pci_uevent and
// modalias_show, drivers/pci/pci-sysfs.c):
//   pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X
std::string pci_modalias(uint16_t vendor, uint16_t device, uint16_t subsystem_vendor, uint16_t subsystem,
                         uint32_t class_code);

class ModuleAliases {
 public:
  // Only `alias pci:PATTERN MODULE` lines are kept; others are skipped.
  static ModuleAliases parse(std::string_view text);

  // Modules whose pattern matches, each once, in the file's order.
  std::vector<std::string> modules_for(const std::string& modalias) const;
  size_t size() const;

 private:
  struct Alias {
    std::string pattern;
    std::string module;
  };
  // Nearly every pattern names its vendor ("pci:v00008086d..."): those are
  // indexed by it, so a host of thousands of functions matches each
  // against its vendor's patterns and the few wildcard ones only.
  std::map<std::string, std::vector<Alias>> by_vendor_;
  std::vector<Alias> any_vendor_;
};

}  // namespace vfiokit::host
