// SPDX-License-Identifier: Apache-2.0
// The human form of a decoded device: the facts a person assigning devices
// looks for (ACS, reset, power, ReBAR sizes) on one screen.
#pragma once

#include <string>

#include "vfiokit/cli/render/device_json.hpp"

namespace vfiokit::cli {

std::string device_text(const DeviceLabel& label, const pci::DecodedDevice& device, host::PciNames& names);
// One line per problem found while decoding (chain defects, capability
// errors, header problems), for stderr.
std::vector<std::string> device_defect_lines(const pci::DecodedDevice& device);

}  // namespace vfiokit::cli
