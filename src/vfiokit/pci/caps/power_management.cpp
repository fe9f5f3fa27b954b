// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/caps/power_management.hpp"

#include <array>

namespace vfiokit::pci {

Result<PowerManagement> decode_power_management(const ConfigSpace& config, uint16_t offset) {
  auto f = CapFields::at(config, offset, 8, "Power Management capability");
  if (!f) return std::unexpected(f.error());
  const uint16_t pmc = f->u16(2);
  const uint16_t pmcsr = f->u16(4);
  // Aux current field, PM 1.2 §3.2.3: milliamps per encoding.
  static constexpr std::array<uint16_t, 8> kAuxCurrent = {0, 55, 100, 160, 220, 270, 320, 375};
  PowerManagement pm;
  pm.version = pmc & 0x7;
  pm.dsi = pmc & (1u << 5);
  pm.aux_current_ma = kAuxCurrent[(pmc >> 6) & 0x7];
  pm.d1_supported = pmc & (1u << 9);
  pm.d2_supported = pmc & (1u << 10);
  pm.pme_support = static_cast<uint8_t>(pmc >> 11);
  pm.current_state = pmcsr & 0x3;
  pm.no_soft_reset = pmcsr & (1u << 3);
  pm.pme_enabled = pmcsr & (1u << 8);
  pm.pme_status = pmcsr & (1u << 15);
  return pm;
}

}  // namespace vfiokit::pci
