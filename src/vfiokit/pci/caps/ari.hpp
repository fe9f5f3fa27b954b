// SPDX-License-Identifier: Apache-2.0
// Alternative Routing-ID Interpretation, extended ID 0x000E (PCIe r6 §7.8.7).
#pragma once

#include <cstdint>

#include "vfiokit/pci/caps/cap_fields.hpp"

namespace vfiokit::pci {

struct Ari {
  static constexpr uint16_t kId = 0x000e;
  bool mfvc_function_groups = false;
  bool acs_function_groups = false;
  uint8_t next_function = 0;
  bool mfvc_enabled = false;
  bool acs_enabled = false;
  uint8_t function_group = 0;
};

Result<Ari> decode_ari(const ConfigSpace& config, uint16_t offset);

}  // namespace vfiokit::pci
