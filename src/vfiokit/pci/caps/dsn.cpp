// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/caps/dsn.hpp"

#include <fmt/format.h>

namespace vfiokit::pci {

std::string DeviceSerialNumber::str() const {
  std::string out;
  for (int shift = 56; shift >= 0; shift -= 8) {
    if (!out.empty()) out += '-';
    out += fmt::format("{:02x}", (serial >> shift) & 0xff);
  }
  return out;
}

Result<DeviceSerialNumber> decode_dsn(const ConfigSpace& config, uint16_t offset) {
  auto f = CapFields::at(config, offset, 12, "Device Serial Number capability");
  if (!f) return std::unexpected(f.error());
  return DeviceSerialNumber{f->u64(4)};
}

}  // namespace vfiokit::pci
