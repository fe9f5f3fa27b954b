// SPDX-License-Identifier: Apache-2.0
// Advanced Error Reporting, extended ID 0x0001 (PCIe r6 §7.8.4).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "vfiokit/pci/caps/cap_fields.hpp"

namespace vfiokit::pci {

struct AerRoot {
  uint32_t command = 0;
  uint32_t status = 0;
  uint16_t correctable_source = 0;
  uint16_t uncorrectable_source = 0;
};

struct Aer {
  static constexpr uint16_t kId = 0x0001;
  uint32_t uncorrectable_status = 0;
  uint32_t uncorrectable_mask = 0;
  uint32_t uncorrectable_severity = 0;
  uint32_t correctable_status = 0;
  uint32_t correctable_mask = 0;
  uint32_t capabilities_control = 0;
  std::array<uint32_t, 4> header_log{};
  std::optional<AerRoot> root;  // root ports and event collectors only

  uint8_t first_error_pointer() const { return capabilities_control & 0x1f; }
  bool ecrc_generation_capable() const { return capabilities_control & (1u << 5); }
  bool ecrc_check_capable() const { return capabilities_control & (1u << 7); }
};

// `root_registers`: whether the function is a root port or event collector,
// which have the root error registers at +0x2c..+0x37.
Result<Aer> decode_aer(const ConfigSpace& config, uint16_t offset, bool root_registers);

}  // namespace vfiokit::pci
