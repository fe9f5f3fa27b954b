// SPDX-License-Identifier: Apache-2.0
// PCI Express capability, ID 0x10 (PCIe r6 §7.5.3).
#pragma once

#include <cstdint>
#include <optional>

#include "vfiokit/pci/caps/cap_fields.hpp"

namespace vfiokit::pci {

// Device/Port Type, PCIe Capabilities register bits 7:4.
enum class PcieType : uint8_t {
  endpoint = 0x0,
  legacy_endpoint = 0x1,
  root_port = 0x4,
  upstream_port = 0x5,
  downstream_port = 0x6,
  pcie_to_pci_bridge = 0x7,
  pci_to_pcie_bridge = 0x8,
  rc_integrated_endpoint = 0x9,
  rc_event_collector = 0xa,
};
const char* pcie_type_name(PcieType type);

struct Link {
  uint8_t speed = 0;  // 1 = 2.5 GT/s, 2 = 5, 3 = 8, 4 = 16, 5 = 32, 6 = 64
  uint8_t width = 0;  // lanes
};
const char* link_speed_name(uint8_t speed);

struct Slot {
  uint16_t physical_number = 0;
  bool hot_plug_capable = false;
  bool hot_plug_surprise = false;
  bool power_controller = false;
  bool attention_button = false;
};

struct PciExpress {
  static constexpr uint8_t kId = 0x10;
  uint8_t version = 0;
  PcieType type = PcieType::endpoint;
  bool slot_implemented = false;
  uint8_t interrupt_message = 0;
  unsigned max_payload_supported = 128;  // bytes
  bool function_level_reset = false;     // DevCap bit 28: FLR is what `flr` reset uses
  uint16_t device_control = 0;
  uint16_t device_status = 0;
  bool has_link = false;  // link registers apply to ports and to non-integrated endpoints
  Link link_capable;
  Link link_current;
  uint8_t port_number = 0;
  bool dll_active_reporting = false;
  bool dll_link_active = false;
  std::optional<Slot> slot;
  uint32_t device_capabilities2 = 0;

  bool is_port() const {
    return type == PcieType::root_port || type == PcieType::upstream_port || type == PcieType::downstream_port;
  }
};

Result<PciExpress> decode_pci_express(const ConfigSpace& config, uint16_t offset);

}  // namespace vfiokit::pci
