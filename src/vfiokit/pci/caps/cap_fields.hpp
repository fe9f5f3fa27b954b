// SPDX-License-Identifier: Apache-2.0
// Field access inside one capability structure. The structure's full length
// is checked against the config space once, up front, so each decoder states
// how long its structure is and then reads fields by their spec offsets.
#pragma once

#include <cstdint>
#include <string_view>

#include "vfiokit/base/error.hpp"
#include "vfiokit/pci/config_space.hpp"

namespace vfiokit::pci {

class CapFields {
 public:
  // Fails when `length` bytes starting at `offset` are not all in `config`.
  static Result<CapFields> at(const ConfigSpace& config, uint16_t offset, size_t length, std::string_view name);

  uint8_t u8(size_t rel) const { return config_->read8(offset_ + rel).value(); }
  uint16_t u16(size_t rel) const { return config_->read16(offset_ + rel).value(); }
  uint32_t u32(size_t rel) const { return config_->read32(offset_ + rel).value(); }
  uint64_t u64(size_t rel) const { return u32(rel) | static_cast<uint64_t>(u32(rel + 4)) << 32; }
  uint16_t offset() const { return offset_; }
  const ConfigSpace& config() const { return *config_; }

 private:
  CapFields(const ConfigSpace& config, uint16_t offset) : config_(&config), offset_(offset) {}
  const ConfigSpace* config_;
  uint16_t offset_;
};

}  // namespace vfiokit::pci
