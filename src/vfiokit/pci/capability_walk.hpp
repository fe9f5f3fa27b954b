// SPDX-License-Identifier: Apache-2.0
// Walking the two capability lists: the standard list whose head pointer is
// in the header (PCI 3.0 §6.7) and the extended list at 0x100 (PCIe r6 §7.6).
// Config space comes from devices and files we do not trust, so every walk is
// bounded: it stops at a cycle, a pointer into the header, a misaligned or
// out-of-range pointer, or too many entries, and reports that defect with the
// offset where the bad pointer was read, keeping every entry read before it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vfiokit/pci/config_space.hpp"

namespace vfiokit::pci {

enum class CapSpace { standard, extended };

struct CapabilityRef {
  CapSpace space = CapSpace::standard;
  uint16_t id = 0;
  uint16_t offset = 0;
  uint8_t version = 0;  // extended capabilities only
};

struct ChainDefect {
  CapSpace space = CapSpace::standard;
  uint16_t offset = 0;  // where the offending pointer or header was read
  std::string reason;
};

struct CapabilityChain {
  std::vector<CapabilityRef> entries;
  std::optional<ChainDefect> defect;
};

CapabilityChain walk_standard_capabilities(const ConfigSpace& config);
CapabilityChain walk_extended_capabilities(const ConfigSpace& config);

}  // namespace vfiokit::pci
