// SPDX-License-Identifier: Apache-2.0
// Two reads of one PCI function, compared field by field as `vfiokit list`
// shows them: for tests of reads that must agree (the tree walk and the
// read through the bus's link; list's summary and the full read).
#pragma once

#include <string>

#include "vfiokit/host/devices/pci_function.hpp"

namespace vfiokit::testing {

// Adds a failure, naming `where`, for each shown field that differs.
void expect_same_shown(const host::PciFunction& a, const host::PciFunction& b, const std::string& where);

}  // namespace vfiokit::testing
