// SPDX-License-Identifier: Apache-2.0
// MSI-X capability, ID 0x11 (PCI 3.0 §6.8.2). Where the vector table and the
// pending-bit array live matters to VFIO users: vfio-pci may forbid mmap of
// the table page (see VFIO_REGION_INFO_CAP_MSIX_MAPPABLE).
#pragma once

#include <cstdint>

#include "vfiokit/pci/caps/cap_fields.hpp"

namespace vfiokit::pci {

struct MsiX {
  static constexpr uint8_t kId = 0x11;
  bool enabled = false;
  bool function_masked = false;
  unsigned table_size = 0;  // number of vectors
  uint8_t table_bar = 0;
  uint32_t table_offset = 0;
  uint8_t pba_bar = 0;
  uint32_t pba_offset = 0;
  uint32_t table_bytes() const { return table_size * 16; }
};

Result<MsiX> decode_msix(const ConfigSpace& config, uint16_t offset);

}  // namespace vfiokit::pci
