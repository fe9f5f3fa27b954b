// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/caps/pci_express.hpp"

namespace vfiokit::pci {

const char* pcie_type_name(PcieType type) {
  switch (type) {
    case PcieType::endpoint: return "Endpoint";
    case PcieType::legacy_endpoint: return "Legacy Endpoint";
    case PcieType::root_port: return "Root Port";
    case PcieType::upstream_port: return "Upstream Port";
    case PcieType::downstream_port: return "Downstream Port";
    case PcieType::pcie_to_pci_bridge: return "PCI-Express to PCI/PCI-X Bridge";
    case PcieType::pci_to_pcie_bridge: return "PCI/PCI-X to PCI-Express Bridge";
    case PcieType::rc_integrated_endpoint: return "Root Complex Integrated Endpoint";
    case PcieType::rc_event_collector: return "Root Complex Event Collector";
  }
  return "Unknown type";
}

const char* link_speed_name(uint8_t speed) {
  switch (speed) {
    case 1: return "2.5GT/s";
    case 2: return "5GT/s";
    case 3: return "8GT/s";
    case 4: return "16GT/s";
    case 5: return "32GT/s";
    case 6: return "64GT/s";
    default: return "unknown";
  }
}

Result<PciExpress> decode_pci_express(const ConfigSpace& config, uint16_t offset) {
  // Capability, device and link registers: 0x00..0x13; slot: up to 0x1b.
  auto f = CapFields::at(config, offset, 0x14, "PCI Express capability");
  if (!f) return std::unexpected(f.error());
  const uint16_t caps = f->u16(0x02);
  PciExpress e;
  e.version = caps & 0xf;
  e.type = static_cast<PcieType>((caps >> 4) & 0xf);
  e.slot_implemented = caps & (1u << 8);
  e.interrupt_message = (caps >> 9) & 0x1f;
  const uint32_t devcap = f->u32(0x04);
  e.max_payload_supported = 128u << (devcap & 0x7);
  e.function_level_reset = devcap & (1u << 28);
  e.device_control = f->u16(0x08);
  e.device_status = f->u16(0x0a);
  // Integrated endpoints and event collectors have no link (PCIe r6 §7.5.3.6).
  e.has_link = e.type != PcieType::rc_integrated_endpoint && e.type != PcieType::rc_event_collector;
  if (e.has_link) {
    const uint32_t linkcap = f->u32(0x0c);
    const uint16_t linksta = f->u16(0x12);
    e.link_capable = Link{static_cast<uint8_t>(linkcap & 0xf), static_cast<uint8_t>((linkcap >> 4) & 0x3f)};
    e.port_number = static_cast<uint8_t>(linkcap >> 24);
    e.dll_active_reporting = linkcap & (1u << 20);
    e.link_current = Link{static_cast<uint8_t>(linksta & 0xf), static_cast<uint8_t>((linksta >> 4) & 0x3f)};
    e.dll_link_active = linksta & (1u << 13);
  }
  if (e.slot_implemented) {
    auto s = CapFields::at(config, offset, 0x1c, "PCI Express capability (slot registers)");
    if (!s) return std::unexpected(s.error());
    const uint32_t slotcap = s->u32(0x14);
    e.slot = Slot{static_cast<uint16_t>(slotcap >> 19), (slotcap & (1u << 6)) != 0, (slotcap & (1u << 5)) != 0,
                  (slotcap & (1u << 1)) != 0, (slotcap & 0x1u) != 0};
  }
  // Version 2 structures carry the "2" registers; v1 ones end at 0x24.
  if (e.version >= 2 && config.contains(offset + 0x24u, 4)) e.device_capabilities2 = f->u32(0x24);
  return e;
}

}  // namespace vfiokit::pci
