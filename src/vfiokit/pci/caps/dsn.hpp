// SPDX-License-Identifier: Apache-2.0
// Device Serial Number, extended ID 0x0003 (PCIe r6 §7.9.3): a 64-bit EUI-64.
#pragma once

#include <cstdint>
#include <string>

#include "vfiokit/pci/caps/cap_fields.hpp"

namespace vfiokit::pci {

struct DeviceSerialNumber {
  static constexpr uint16_t kId = 0x0003;
  uint64_t serial = 0;
  // Most significant byte first, dash-separated, as lspci prints it.
  std::string str() const;
};

Result<DeviceSerialNumber> decode_dsn(const ConfigSpace& config, uint16_t offset);

}  // namespace vfiokit::pci
