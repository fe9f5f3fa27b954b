// SPDX-License-Identifier: Apache-2.0
// A device's configuration space as bytes, with bounds-checked little-endian
// reads. Sizes follow what can be obtained: 64 bytes (the header; what sysfs
// gives an unprivileged reader and `lspci -x` prints), 256 (conventional PCI
// config space) or 4096 (PCI Express extended config space).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "vfiokit/base/error.hpp"

namespace vfiokit::pci {

inline constexpr size_t kHeaderSize = 64;
inline constexpr size_t kConventionalSize = 256;
inline constexpr size_t kExtendedSize = 4096;

class ConfigSpace {
 public:
  // Fails unless bytes.size() is 64, 256 or 4096.
  static Result<ConfigSpace> from_bytes(std::span<const uint8_t> bytes);

  size_t size() const { return bytes_.size(); }
  bool has_capability_area() const { return bytes_.size() >= kConventionalSize; }
  bool has_extended_area() const { return bytes_.size() >= kExtendedSize; }
  std::span<const uint8_t> bytes() const { return bytes_; }

  // A read that does not lie entirely inside the data is an error naming the
  // offset and width, never undefined behaviour.
  Result<uint8_t> read8(size_t offset) const;
  Result<uint16_t> read16(size_t offset) const;
  Result<uint32_t> read32(size_t offset) const;
  bool contains(size_t offset, size_t width) const {
    return offset <= bytes_.size() && width <= bytes_.size() - offset;
  }

 private:
  explicit ConfigSpace(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  Error out_of_range(size_t offset, size_t width) const;

  std::vector<uint8_t> bytes_;
};

}  // namespace vfiokit::pci
