// SPDX-License-Identifier: Apache-2.0
// PCI Power Management capability, ID 0x01 (PCI Bus Power Management 1.2 §3.2).
#pragma once

#include <array>
#include <cstdint>

#include "vfiokit/pci/caps/cap_fields.hpp"

namespace vfiokit::pci {

// Index = PMCSR PowerState (0..3); index 4 is D3cold, a PME_Support bit only.
inline constexpr std::array<const char*, 5> kPowerStateNames = {"D0", "D1", "D2", "D3hot", "D3cold"};

struct PowerManagement {
  static constexpr uint8_t kId = 0x01;
  uint8_t version = 0;
  bool d1_supported = false;
  bool d2_supported = false;
  uint8_t pme_support = 0;  // bit 0 D0, 1 D1, 2 D2, 3 D3hot, 4 D3cold
  bool dsi = false;
  uint16_t aux_current_ma = 0;
  uint8_t current_state = 0;   // 0..3 = D0..D3hot
  bool no_soft_reset = false;  // D3hot->D0 keeps state: a "pm" reset does not reset
  bool pme_enabled = false;
  bool pme_status = false;
  bool pme_from_d3cold() const { return pme_support & 0x10; }
};

Result<PowerManagement> decode_power_management(const ConfigSpace& config, uint16_t offset);

}  // namespace vfiokit::pci
