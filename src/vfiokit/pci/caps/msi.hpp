// SPDX-License-Identifier: Apache-2.0
// MSI capability, ID 0x05 (PCI 3.0 §6.8.1).
#pragma once

#include <cstdint>
#include <optional>

#include "vfiokit/pci/caps/cap_fields.hpp"

namespace vfiokit::pci {

struct Msi {
  static constexpr uint8_t kId = 0x05;
  bool enabled = false;
  unsigned vectors_capable = 1;  // 1, 2, 4 ... 32
  unsigned vectors_enabled = 1;
  bool address_64bit = false;
  bool per_vector_masking = false;
  uint64_t address = 0;
  uint16_t data = 0;
  std::optional<uint32_t> mask_bits;
  std::optional<uint32_t> pending_bits;
};

Result<Msi> decode_msi(const ConfigSpace& config, uint16_t offset);

}  // namespace vfiokit::pci
