// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/pci/capability_names.hpp"

#include <fmt/format.h>

#include <array>

namespace vfiokit::pci {
namespace {

constexpr std::array<const char*, 0x16> kStandard = {
    "Null",                                 // 0x00
    "Power Management",                     // 0x01
    "AGP",                                  // 0x02
    "Vital Product Data",                   // 0x03
    "Slot Identification",                  // 0x04
    "MSI",                                  // 0x05
    "CompactPCI Hot Swap",                  // 0x06
    "PCI-X",                                // 0x07
    "HyperTransport",                       // 0x08
    "Vendor Specific",                      // 0x09
    "Debug Port",                           // 0x0a
    "CompactPCI Central Resource Control",  // 0x0b
    "PCI Hot-Plug",                         // 0x0c
    "Bridge Subsystem Vendor ID",           // 0x0d
    "AGP 8x",                               // 0x0e
    "Secure Device",                        // 0x0f
    "PCI Express",                          // 0x10
    "MSI-X",                                // 0x11
    "SATA Data/Index Configuration",        // 0x12
    "Advanced Features",                    // 0x13
    "Enhanced Allocation",                  // 0x14
    "Flattening Portal Bridge",             // 0x15
};

constexpr std::array<const char*, 0x35> kExtended = {
    "Null",                                               // 0x00
    "Advanced Error Reporting",                           // 0x01
    "Virtual Channel",                                    // 0x02
    "Device Serial Number",                               // 0x03
    "Power Budgeting",                                    // 0x04
    "Root Complex Link Declaration",                      // 0x05
    "Root Complex Internal Link Control",                 // 0x06
    "Root Complex Event Collector Endpoint Association",  // 0x07
    "Multi-Function Virtual Channel",                     // 0x08
    "Virtual Channel (MFVC present)",                     // 0x09
    "Root Complex Register Block",                        // 0x0a
    "Vendor-Specific Extended",                           // 0x0b
    "Configuration Access Correlation",                   // 0x0c
    "Access Control Services",                            // 0x0d
    "Alternative Routing-ID Interpretation",              // 0x0e
    "Address Translation Services",                       // 0x0f
    "SR-IOV",                                             // 0x10
    "MR-IOV",                                             // 0x11
    "Multicast",                                          // 0x12
    "Page Request Interface",                             // 0x13
    "Reserved (AMD)",                                     // 0x14
    "Resizable BAR",                                      // 0x15
    "Dynamic Power Allocation",                           // 0x16
    "TPH Requester",                                      // 0x17
    "Latency Tolerance Reporting",                        // 0x18
    "Secondary PCI Express",                              // 0x19
    "Protocol Multiplexing",                              // 0x1a
    "Process Address Space ID",                           // 0x1b
    "LN Requester",                                       // 0x1c
    "Downstream Port Containment",                        // 0x1d
    "L1 PM Substates",                                    // 0x1e
    "Precision Time Measurement",                         // 0x1f
    "PCI Express over M-PHY",                             // 0x20
    "FRS Queueing",                                       // 0x21
    "Readiness Time Reporting",                           // 0x22
    "Designated Vendor-Specific",                         // 0x23
    "VF Resizable BAR",                                   // 0x24
    "Data Link Feature",                                  // 0x25
    "Physical Layer 16.0 GT/s",                           // 0x26
    "Lane Margining at the Receiver",                     // 0x27
    "Hierarchy ID",                                       // 0x28
    "Native PCIe Enclosure Management",                   // 0x29
    "Physical Layer 32.0 GT/s",                           // 0x2a
    "Alternate Protocol",                                 // 0x2b
    "System Firmware Intermediary",                       // 0x2c
    "Shadow Functions",                                   // 0x2d
    "Data Object Exchange",                               // 0x2e
    "Device 3",                                           // 0x2f
    "Integrity and Data Encryption",                      // 0x30
    "Physical Layer 64.0 GT/s",                           // 0x31
    "Flit Logging",                                       // 0x32
    "Flit Performance Measurement",                       // 0x33
    "Flit Error Injection",                               // 0x34
};

}  // namespace

std::string capability_name(CapSpace space, uint16_t id) {
  if (space == CapSpace::standard && id < kStandard.size()) return kStandard[id];
  if (space == CapSpace::extended && id < kExtended.size()) return kExtended[id];
  return fmt::format("Capability ID {:#04x}", id);
}

}  // namespace vfiokit::pci
