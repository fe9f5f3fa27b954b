// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/caps/aer.hpp"

namespace vfiokit::pci {

Result<Aer> decode_aer(const ConfigSpace& config, uint16_t offset, bool root_registers) {
  auto f = CapFields::at(config, offset, root_registers ? 0x38 : 0x2c, "AER capability");
  if (!f) return std::unexpected(f.error());
  Aer a;
  a.uncorrectable_status = f->u32(0x04);
  a.uncorrectable_mask = f->u32(0x08);
  a.uncorrectable_severity = f->u32(0x0c);
  a.correctable_status = f->u32(0x10);
  a.correctable_mask = f->u32(0x14);
  a.capabilities_control = f->u32(0x18);
  for (size_t i = 0; i < a.header_log.size(); ++i) a.header_log[i] = f->u32(0x1c + 4 * i);
  if (root_registers) a.root = AerRoot{f->u32(0x2c), f->u32(0x30), f->u16(0x34), f->u16(0x36)};
  return a;
}

}  // namespace vfiokit::pci
