// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/device.hpp"

namespace vfiokit::pci {
namespace {

template <class T>
void store(DecodedCapability& cap, Result<T> decoded) {
  if (decoded) cap.body = std::move(*decoded);
  else cap.error = decoded.error();
}

void decode_standard(const ConfigSpace& c, DecodedCapability& cap) {
  const uint16_t at = cap.ref.offset;
  switch (cap.ref.id) {
    case PowerManagement::kId: store(cap, decode_power_management(c, at)); break;
    case Msi::kId: store(cap, decode_msi(c, at)); break;
    case MsiX::kId: store(cap, decode_msix(c, at)); break;
    case PciExpress::kId: store(cap, decode_pci_express(c, at)); break;
    case SlotIdentification::kId: store(cap, decode_slot_identification(c, at)); break;
    default: break;
  }
}

void decode_extended(const ConfigSpace& c, DecodedCapability& cap, bool has_root_error_registers) {
  const uint16_t at = cap.ref.offset;
  switch (cap.ref.id) {
    case Aer::kId: store(cap, decode_aer(c, at, has_root_error_registers)); break;
    case DeviceSerialNumber::kId: store(cap, decode_dsn(c, at)); break;
    case Acs::kId: store(cap, decode_acs(c, at)); break;
    case Ari::kId: store(cap, decode_ari(c, at)); break;
    case Sriov::kId: store(cap, decode_sriov(c, at)); break;
    case ResizableBar::kId: store(cap, decode_resizable_bar(c, at, false)); break;
    case ResizableBar::kVfId: store(cap, decode_resizable_bar(c, at, true)); break;
    default: break;
  }
}

// drivers/pci/probe.c pci_cfg_space_size(): Linux reads beyond 256 bytes
// only for PCI Express functions and PCI-X Mode 2 (266/533 MHz) functions;
// for anything else the extended area does not exist, whatever a dump holds.
bool has_extended_config(const ConfigSpace& c, const std::vector<CapabilityRef>& standard) {
  for (const auto& ref : standard) {
    if (ref.id == PciExpress::kId) return true;
    if (ref.id == 0x07) {  // PCI-X: Status bits 31:30 = 533/266 MHz capable
      const uint32_t pcix_status = c.read32(ref.offset + 4u).value_or(0);
      if (pcix_status & 0xc0000000u) return true;
    }
  }
  return false;
}

}  // namespace

bool DecodedDevice::has_defects() const {
  if (!chain_defects.empty() || !header.problems.empty()) return true;
  for (const auto& cap : capabilities) {
    if (cap.error) return true;
    if (const auto* s = std::get_if<Sriov>(&cap.body); s && !s->problems.empty()) return true;
  }
  return false;
}

DecodedDevice decode_device(const ConfigSpace& c) {
  DecodedDevice d;
  d.config_size = c.size();
  d.header = decode_header(c);

  const CapabilityChain standard = walk_standard_capabilities(c);
  for (const auto& ref : standard.entries) {
    DecodedCapability cap{ref, {}, {}};
    decode_standard(c, cap);
    d.capabilities.push_back(std::move(cap));
  }
  if (standard.defect) d.chain_defects.push_back(*standard.defect);

  // The AER root registers exist on root ports and event collectors only.
  const PciExpress* pcie = d.find<PciExpress>();
  const bool root_errors = pcie && (pcie->type == PcieType::root_port || pcie->type == PcieType::rc_event_collector);
  if (!has_extended_config(c, standard.entries)) return d;
  const CapabilityChain extended = walk_extended_capabilities(c);
  for (const auto& ref : extended.entries) {
    DecodedCapability cap{ref, {}, {}};
    decode_extended(c, cap, root_errors);
    d.capabilities.push_back(std::move(cap));
  }
  if (extended.defect) d.chain_defects.push_back(*extended.defect);
  return d;
}

}  // namespace vfiokit::pci
