// SPDX-License-Identifier: Apache-2.0
// Slot Identification, capability ID 0x04 (PCI-to-PCI Bridge Architecture
// Specification r1.2 §13.1): on a bridge whose secondary bus has expansion
// slots, how many there are, whether this is the first bridge of its
// chassis, and the chassis number. QEMU's pci-bridge has it (chassis_nr).
#pragma once

#include <cstdint>

#include "vfiokit/pci/caps/cap_fields.hpp"

namespace vfiokit::pci {

struct SlotIdentification {
  static constexpr uint8_t kId = 0x04;
  uint8_t expansion_slots = 0;    // Expansion Slot register bits 4:0
  bool first_in_chassis = false;  // bit 5
  uint8_t chassis = 0;
};

Result<SlotIdentification> decode_slot_identification(const ConfigSpace& config, uint16_t offset);

}  // namespace vfiokit::pci
