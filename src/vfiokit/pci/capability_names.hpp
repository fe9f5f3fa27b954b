// SPDX-License-Identifier: Apache-2.0
// Names of capability IDs, from the PCI Code and ID Assignment specification.
#pragma once

#include <cstdint>
#include <string>

#include "vfiokit/pci/capability_walk.hpp"

namespace vfiokit::pci {

// A known name, or "Capability ID 0x2a" for one this table does not know.
std::string capability_name(CapSpace space, uint16_t id);

}  // namespace vfiokit::pci
