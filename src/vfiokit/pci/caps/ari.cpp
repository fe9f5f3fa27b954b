// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/caps/ari.hpp"

namespace vfiokit::pci {

Result<Ari> decode_ari(const ConfigSpace& config, uint16_t offset) {
  auto f = CapFields::at(config, offset, 8, "ARI capability");
  if (!f) return std::unexpected(f.error());
  const uint16_t cap = f->u16(4);
  const uint16_t ctrl = f->u16(6);
  Ari a;
  a.mfvc_function_groups = cap & 0x1;
  a.acs_function_groups = cap & 0x2;
  a.next_function = static_cast<uint8_t>(cap >> 8);
  a.mfvc_enabled = ctrl & 0x1;
  a.acs_enabled = ctrl & 0x2;
  a.function_group = (ctrl >> 4) & 0x7;
  return a;
}

}  // namespace vfiokit::pci
