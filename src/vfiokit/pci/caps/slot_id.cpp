// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/caps/slot_id.hpp"

namespace vfiokit::pci {

Result<SlotIdentification> decode_slot_identification(const ConfigSpace& config, uint16_t offset) {
  auto f = CapFields::at(config, offset, 4, "Slot Identification capability");
  if (!f) return std::unexpected(f.error());
  const uint8_t slots = f->u8(2);
  return SlotIdentification{static_cast<uint8_t>(slots & 0x1f), (slots & 0x20) != 0, f->u8(3)};
}

}  // namespace vfiokit::pci
