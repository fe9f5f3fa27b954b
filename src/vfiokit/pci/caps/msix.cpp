// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/caps/msix.hpp"

namespace vfiokit::pci {

Result<MsiX> decode_msix(const ConfigSpace& config, uint16_t offset) {
  auto f = CapFields::at(config, offset, 12, "MSI-X capability");
  if (!f) return std::unexpected(f.error());
  const uint16_t control = f->u16(2);
  const uint32_t table = f->u32(4);
  const uint32_t pba = f->u32(8);
  MsiX x;
  x.table_size = (control & 0x7ffu) + 1;
  x.function_masked = control & (1u << 14);
  x.enabled = control & (1u << 15);
  x.table_bar = table & 0x7;
  x.table_offset = table & ~0x7u;
  x.pba_bar = pba & 0x7;
  x.pba_offset = pba & ~0x7u;
  return x;
}

}  // namespace vfiokit::pci
