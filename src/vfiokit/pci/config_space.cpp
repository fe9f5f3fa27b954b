// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/config_space.hpp"

#include <fmt/format.h>

namespace vfiokit::pci {

Result<ConfigSpace> ConfigSpace::from_bytes(std::span<const uint8_t> bytes) {
  const size_t n = bytes.size();
  if (n != kHeaderSize && n != kConventionalSize && n != kExtendedSize)
    return fail(Errc::malformed, "config space", fmt::format("{} bytes; expected 64, 256 or 4096", n));
  return ConfigSpace(std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

Error ConfigSpace::out_of_range(size_t offset, size_t width) const {
  return Error(Errc::out_of_range, "config space",
               fmt::format("{}-byte read beyond the {} bytes available", width, bytes_.size()))
      .at_offset(static_cast<uint32_t>(offset));
}

Result<uint8_t> ConfigSpace::read8(size_t offset) const {
  if (!contains(offset, 1)) return std::unexpected(out_of_range(offset, 1));
  return bytes_[offset];
}

Result<uint16_t> ConfigSpace::read16(size_t offset) const {
  if (!contains(offset, 2)) return std::unexpected(out_of_range(offset, 2));
  return static_cast<uint16_t>(bytes_[offset] | bytes_[offset + 1] << 8);
}

Result<uint32_t> ConfigSpace::read32(size_t offset) const {
  if (!contains(offset, 4)) return std::unexpected(out_of_range(offset, 4));
  return static_cast<uint32_t>(bytes_[offset]) | static_cast<uint32_t>(bytes_[offset + 1]) << 8 |
         static_cast<uint32_t>(bytes_[offset + 2]) << 16 | static_cast<uint32_t>(bytes_[offset + 3]) << 24;
}

}  // namespace vfiokit::pci
