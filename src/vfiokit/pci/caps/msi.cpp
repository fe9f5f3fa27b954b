// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/caps/msi.hpp"

namespace vfiokit::pci {

Result<Msi> decode_msi(const ConfigSpace& config, uint16_t offset) {
  auto head = CapFields::at(config, offset, 4, "MSI capability");
  if (!head) return std::unexpected(head.error());
  const uint16_t control = head->u16(2);
  Msi msi;
  msi.enabled = control & 0x1;
  msi.vectors_capable = 1u << ((control >> 1) & 0x7);
  msi.vectors_enabled = 1u << ((control >> 4) & 0x7);
  msi.address_64bit = control & (1u << 7);
  msi.per_vector_masking = control & (1u << 8);
  // The layout after the address depends on the two bits above.
  const size_t data_at = msi.address_64bit ? 0x0c : 0x08;
  const size_t length = data_at + 2 + (msi.per_vector_masking ? 10 : 0);
  auto f = CapFields::at(config, offset, length, "MSI capability");
  if (!f) return std::unexpected(f.error());
  msi.address = f->u32(4);
  if (msi.address_64bit) msi.address |= static_cast<uint64_t>(f->u32(8)) << 32;
  msi.data = f->u16(data_at);
  if (msi.per_vector_masking) {
    msi.mask_bits = f->u32(data_at + 4);
    msi.pending_bits = f->u32(data_at + 8);
  }
  return msi;
}

}  // namespace vfiokit::pci
