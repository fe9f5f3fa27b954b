// SPDX-License-Identifier: Apache-2.0
// What VFIO_DEVICE_GET_IRQ_INFO reports for one interrupt index.
#pragma once

#include <cstdint>
#include <string>

namespace vfiokit::vfio {

// vfio-pci's interrupt indexes.
enum class PciIrq : uint32_t { intx = 0, msi = 1, msix = 2, err = 3, req = 4 };
constexpr uint32_t kPciIrqCount = 5;
constexpr uint32_t irq_index(PciIrq irq) { return uint32_t(irq); }

struct IrqInfo {
  uint32_t index = 0;
  uint32_t flags = 0;
  uint32_t count = 0;  // 0: not supported by this device
  bool eventfd() const;
  bool maskable() const;
  bool automasked() const;  // level-triggered: masked after firing until unmasked
  bool noresize() const;    // vectors are set up as one set: disable before changing the count
};

std::string irq_name(uint32_t index);  // "INTx", "MSI", "MSI-X", "ERR", "REQ", "IRQ N"
std::string irq_flag_names(uint32_t flags);

}  // namespace vfiokit::vfio
