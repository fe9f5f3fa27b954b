// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/vfio/irq_info.hpp"

#include <fmt/format.h>
#include <linux/vfio.h>

namespace vfiokit::vfio {

bool IrqInfo::eventfd() const { return flags & VFIO_IRQ_INFO_EVENTFD; }
bool IrqInfo::maskable() const { return flags & VFIO_IRQ_INFO_MASKABLE; }
bool IrqInfo::automasked() const { return flags & VFIO_IRQ_INFO_AUTOMASKED; }
bool IrqInfo::noresize() const { return flags & VFIO_IRQ_INFO_NORESIZE; }

std::string irq_name(uint32_t index) {
  static constexpr const char* kNames[] = {"INTx", "MSI", "MSI-X", "ERR", "REQ"};
  if (index < kPciIrqCount) return kNames[index];
  return fmt::format("IRQ {}", index);
}

std::string irq_flag_names(uint32_t flags) {
  std::string out;
  auto add = [&](uint32_t bit, const char* name) {
    if (flags & bit) out += out.empty() ? name : std::string(",") + name;
  };
  add(VFIO_IRQ_INFO_EVENTFD, "eventfd");
  add(VFIO_IRQ_INFO_MASKABLE, "maskable");
  add(VFIO_IRQ_INFO_AUTOMASKED, "automasked");
  add(VFIO_IRQ_INFO_NORESIZE, "noresize");
  return out.empty() ? "none" : out;
}

}  // namespace vfiokit::vfio
